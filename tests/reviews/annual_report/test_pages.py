"""The annual report as users see it: the partnerships page, the report page with its charts, and
its files, for the partnership's coordinator and business manager (exact, not for publication),
its scrutineer (disclosure-controlled) and an outsider (nothing).

A small crafted partnership holds counts worked out by hand: 3 CSPRs and 8 rapid reviews opened
in 2026 to 2027, and 5 deaths reviewed, 3 in category 8 and 2 in category 6. A count of 3 must
never reach the scrutineer, in a table, a chart or a sentence."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reviews.models import Partnership, PartnershipMember, ReviewKind
from reviews.models.findings import Findings, FindingsState
from tests.factories import UserFactory, member
from tests.reviews.annual_report.conftest import _review, at

pytestmark = pytest.mark.django_db

Standing = PartnershipMember.Standing
CSPR = "Local child safeguarding practice review"
RAPID = "Rapid review"


@pytest.fixture
def crafted(db) -> Partnership:
    partnership = Partnership.objects.create(name="Craftshire Safeguarding Partnership", code="CRAF")
    user = UserFactory(username="craft.author")
    for n in range(3):
        _review(partnership, user, f"S{n}", ReviewKind.CSPR, at(date(2026, 5, 1 + n)))
    for n in range(8):
        _review(partnership, user, f"Q{n}", ReviewKind.RAPID, at(date(2026, 6, 1 + n)))
    for n, category in enumerate((8, 8, 8, 6, 6)):
        death = _review(
            partnership,
            user,
            f"D{n}",
            ReviewKind.CHILD_DEATH,
            at(date(2026, 4, 10)),
            notified_on=date(2026, 4, 10),
            cdop_reviewed_on=date(2026, 9, 1),
            death_unexpected=False,
        )
        Findings.objects.create(
            review=death,
            state=FindingsState.SIGNED_OFF,
            signed_at=at(date(2026, 8, 20)),
            category_of_death=category,
            modifiable_factors="no",
        )
    return partnership


@pytest.fixture
def people(crafted):
    return {
        "coordinator": member(UserFactory(username="craft.coordinator"), crafted, Standing.COORDINATOR),
        "business_manager": member(UserFactory(username="craft.manager"), crafted, Standing.BUSINESS_MANAGER),
        "scrutineer": member(UserFactory(username="craft.scrutineer"), crafted, Standing.SCRUTINEER),
        "member": member(UserFactory(username="craft.member"), crafted, Standing.MEMBER),
        "outsider": member(
            UserFactory(username="craft.outsider"),
            Partnership.objects.create(name="Elsewhere", code="ELSE"),
            Standing.COORDINATOR,
        ),
    }


def page_url(code: str = "CRAF", year: int = 2026) -> str:
    return reverse("reviews:annual_report", kwargs={"code": code, "year": year})


def file_url(file_format: str, code: str = "CRAF", year: int = 2026) -> str:
    return reverse("reviews:annual_report_file", kwargs={"code": code, "year": year, "file_format": file_format})


def section(html: str, element_id: str, tag: str) -> str:
    """The element with ``element_id`` (its first closing tag of the same name ends it)."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index(f"</{tag}>", start)]


def cells(html: str, table_key: str, row_label: str) -> list[str]:
    table = section(html, f"table-{table_key}", "table")
    row = re.search(rf">{re.escape(row_label)}</th>(.*?)</tr>", table, re.S)
    assert row, row_label
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def svg_texts(svg: str) -> list[str]:
    return [t.strip() for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


@pytest.mark.parametrize("who", ["coordinator", "business_manager"])
def test_inside_the_partnership_the_figures_are_exact_with_a_banner(client, people, who):
    client.force_login(people[who])
    html = client.get(page_url()).content.decode()
    assert "Not for publication: these are exact figures" in html
    # Opened, completed, published, by hand: 3 CSPRs and 8 rapid reviews opened, none completed.
    assert cells(html, "reviews", CSPR) == ["3", "0", "0"]
    assert cells(html, "reviews", RAPID) == ["8", "0", "0"]
    assert cells(html, "reviews", "Total") == ["16", "0", "0"]  # 3 + 8 + the 5 child deaths
    chart = section(html, "chart-cdop-categories", "figure")
    assert "Most deaths reviewed (3 of 5) were in category 8: Perinatal/neonatal event." in chart
    assert "3" in svg_texts(chart) and "2" in svg_texts(chart)
    assert "Disclosure control:" not in html


def test_the_scrutineer_never_sees_the_count_of_three(client, people):
    client.force_login(people["scrutineer"])
    html = client.get(page_url()).content.decode()
    assert "Not for publication" not in html and 'id="disclosure-control"' in html
    # Opened: the CSPRs' 3 is suppressed (1 to 4); then the smallest other count of the column, the
    # child deaths' 5, is suppressed too, or 3 = 16 - 8 - 5 would follow from the total; 8 rounds to 10
    # and the total 16 to 15.
    opened = [cells(html, "reviews", label)[0] for label in (CSPR, RAPID, "Child death review", "Total")]
    assert opened == ["[c] (suppressed)", "10", "[c] (suppressed)", "15"]
    texts = svg_texts(section(html, "chart-reviews", "figure"))
    assert texts.count("[c]") == 2 and "10" in texts and "3" not in texts and "8" not in texts
    assert "In all, 15 opened, 0 completed and 0 published." in section(html, "chart-reviews-summary", "p")
    # Deaths by category: category 8's 3 and category 6's 2 are both suppressed, in the table, the
    # chart and its sentence.
    chart = section(html, "chart-cdop-categories", "figure")
    summary = section(html, "chart-cdop-categories-summary", "p")
    # Every category's count is hidden, so the sentence says only the (shown) total.
    assert summary.endswith(
        "The panel reviewed 5 deaths in the year. 4 small or derivable counts are suppressed and not drawn "
        "(shown as [c]); other figures are rounded."
    )
    assert "3" not in svg_texts(chart) and "2" not in svg_texts(chart)
    assert cells(html, "cdop_categories_2026", "8. Perinatal/neonatal event")[-1] == "[c] (suppressed)"
    assert "Disclosure control: counts of 1 to 4 are suppressed" in html


def test_every_chart_has_a_caption_a_summary_an_image_and_its_table(client, people):
    client.force_login(people["coordinator"])
    html = client.get(page_url()).content.decode()
    figures = re.findall(r"<figure\b.*?</figure>", html, re.S)
    keys = [re.search(r'id="chart-([\w-]+)"', f).group(1) for f in figures]  # type: ignore[union-attr]
    assert keys == ["reviews", "timeliness", "cdop-categories"]
    for key, figure in zip(keys, figures, strict=True):
        assert f'<figcaption class="govuk-heading-s" id="chart-{key}-caption">' in figure
        assert f'<p class="govuk-body" id="chart-{key}-summary">' in figure
        assert f'<svg role="img" aria-labelledby="chart-{key}-caption chart-{key}-summary"' in figure
        assert '<table class="govuk-table' in figure and "<caption" in figure and 'scope="col"' in figure
        assert 'scope="row"' in figure
        # Drawn by matplotlib, with nothing the Content-Security-Policy would block.
        assert "style=" not in figure and "<style" not in figure
        # Every reference in a chart (its clip paths) finds an id of that chart.
        own = set(re.findall(r'\bid="([^"]+)"', figure))
        assert set(re.findall(r"url\(#([^)]+)\)", figure)) <= own
    assert "Of 0 clocks due in the year" in section(html, "chart-timeliness-summary", "p")
    # matplotlib numbers ids alike in every figure: on one page, each id once.
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_the_year_picker_and_download_links(client, people):
    client.force_login(people["scrutineer"])
    html = client.get(page_url(year=2025)).content.decode()
    assert f'href="{page_url(year=2024)}" rel="prev"' in html and f'href="{page_url(year=2026)}" rel="next"' in html
    for file_format in ("pdf", "xlsx", "csv", "html"):
        assert f'href="{file_url(file_format, year=2025)}"' in html
    # Today is in 2026 to 2027 at the latest test run's clock or later: a far future year is no report.
    assert client.get(page_url(year=2999)).status_code == 404
    assert client.get(page_url(year=1999)).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_anyone_else_finds_no_report_and_no_file(client, people, who):
    client.force_login(people[who])
    assert client.get(page_url()).status_code == 404
    assert client.get(file_url("csv")).status_code == 404
    assert client.get(page_url(code="NOPE")).status_code == 404


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "html", "pdf"])
def test_the_files_are_exact_inside_and_disclosed_to_the_scrutineer(client, people, file_format):
    texts = {}
    for who in ("business_manager", "scrutineer"):
        client.force_login(people[who])
        response = client.get(file_url(file_format))
        assert response.status_code == 200
        assert response["Content-Type"] == CONTENT_TYPES[file_format]
        assert response["Content-Disposition"].startswith("attachment")
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        texts[who] = _text(file_format, content)
    exact, disclosed = texts["business_manager"], texts["scrutineer"]
    assert "NOT FOR PUBLICATION" in exact and "NOT FOR PUBLICATION" not in disclosed
    assert re.search(rf"{CSPR}\W+3\W+0\W+0", exact)
    assert re.search(rf"{CSPR}\W+\[c\]\W+0\W+0", disclosed)
    if file_format in ("html", "pdf"):
        assert "Most deaths reviewed (3 of 5) were in category 8" in exact.replace("\n", " ")
        assert "(3 of" not in disclosed


def _text(file_format: str, content: bytes) -> str:
    if file_format == "xlsx":
        book = load_workbook(io.BytesIO(content))
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
        )
    if file_format == "pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if file_format == "html":
        return re.sub(r"<[^>]+>", " ", content.decode())
    return content.decode("utf-8-sig")


def test_the_pdf_carries_the_charts_and_stays_tagged(client, people):
    client.force_login(people["scrutineer"])
    content = b"".join(client.get(file_url("pdf")).streaming_content)  # type: ignore[attr-defined]
    reader = PdfReader(io.BytesIO(content))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Reviews opened, completed and published in the year, by kind of review" in text
    assert "Child deaths reviewed in 2026 to 2027, by category of death" in text


def test_an_unknown_format_is_not_found(client, people):
    client.force_login(people["coordinator"])
    assert client.get(file_url("docx")).status_code == 404
    assert client.get(file_url("exe")).status_code == 404


def test_the_partnerships_page_lists_only_the_users_own(client, people):
    client.force_login(people["scrutineer"])
    html = client.get(reverse("reviews:partnerships")).content.decode()
    assert "Craftshire Safeguarding Partnership" in html and "Elsewhere" not in html
    assert "Under disclosure control" in html and f'href="{page_url(year=2026)}"' in html
    oversight = reverse("reviews:oversight", args=[people["scrutineer"].memberships.get().partnership.code])
    assert f'href="{oversight}"' in html
    assert 'href="/partnerships/"' in html or reverse("reviews:partnerships") in html  # in the navigation
    client.force_login(people["member"])
    html = client.get(reverse("reviews:partnerships")).content.decode()
    assert 'id="no-partnerships"' in html and "Craftshire" not in html
    assert f'href="{reverse("reviews:partnerships")}"' not in html  # no link in the navigation


def test_the_page_costs_the_same_queries_however_many_reviews(client, people, crafted):
    client.force_login(people["coordinator"])
    client.get(page_url())  # the content type and the session, cached from the first
    with CaptureQueriesContext(connection) as small:
        client.get(page_url())
    user = people["coordinator"]
    for n in range(20):
        _review(crafted, user, f"M{n}", ReviewKind.CSPR, at(date(2026, 7, 1)))
    with CaptureQueriesContext(connection) as large:
        html = client.get(page_url()).content.decode()
    assert cells(html, "reviews", CSPR)[0] == "23"
    assert len(large) == len(small)
