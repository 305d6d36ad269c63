"""`manage.py annual_report`: each format written, read back, under disclosure control unless
--exact (then NOT FOR PUBLICATION on every table), and never a child's name, NHS number, address
or pseudonym."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.reviews.annual_report.conftest import FULL_NAME, NHS_NUMBER, PSEUDONYM

pytestmark = pytest.mark.django_db

SECRETS = (FULL_NAME, NHS_NUMBER, "943 476 5919", "1 Secret Lane", PSEUDONYM)


def write(tmp_path: Path, file_format: str, *extra: str) -> Path:
    out = tmp_path / f"annual.{file_format}"
    call_command(
        "annual_report",
        "--partnership",
        "ANNU",
        "--year",
        "2026",
        "--format",
        file_format,
        "--out",
        str(out),
        "--as-of",
        "2027-06-30",
        *extra,
        stdout=io.StringIO(),
    )
    return out


def assert_no_identity(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_csv_every_table_with_its_title_and_rules(world, tmp_path):
    out = write(tmp_path, "csv")
    text = out.read_bytes().decode("utf-8-sig")
    assert_no_identity(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("Annualshire Safeguarding Partnership: annual report, 2026 to 2027")
    titles = [r[0] for r in rows if r and ": " in r[0] and r[0].split(": ")[0].endswith(("report", "figures"))]
    assert "Partnership yearly report: Reviews opened, completed and published, by kind of review" in titles
    assert "Safeguarding adults board figures: Safeguarding adults reviews" in titles
    rules = [r[0] for r in rows if r and r[0].startswith("Disclosure control:")]
    assert len(rules) == 14  # every table: 6 yearly, 7 CDOP, 1 SAR
    assert "NOT FOR PUBLICATION" not in text and "No budget" not in text
    # The reviews table: opened 2, 1, 2, 0, 1, 1, 1 (total 8) all under 5 or secondary: [c] or 0; total 10.
    start = rows.index(["", "Opened", "Completed", "Published"])
    assert rows[start + 1] == ["Child death review", "[c]", "[c]", "0"]
    assert rows[start + 8] == ["Total", "10", "10", "[c]"]


def test_csv_exact_says_not_for_publication_on_every_table(world, tmp_path):
    text = write(tmp_path, "csv", "--exact").read_bytes().decode("utf-8-sig")
    assert_no_identity(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert "NOT FOR PUBLICATION" in rows[0][0]
    # Under each of the 14 tables, and the title of the list of reasons below them.
    assert sum(1 for r in rows if r and r[0].startswith("NOT FOR PUBLICATION: exact figures")) == 14
    assert not any(r and r[0].startswith("Disclosure control:") for r in rows)
    start = rows.index(["", "Opened", "Completed", "Published"])
    assert rows[start + 1] == ["Child death review", "2", "2", "0"]
    assert rows[start + 8] == ["Total", "8", "8", "3"]
    # The reasons for not implementing an action are free text: listed in the internal report only.
    reasons = rows.index(["NOT FOR PUBLICATION: actions closed as not implemented, and why"])
    assert rows[reasons + 1 :] == [["Review", "Action", "Reason"], ["ANNU-R2", "R1.6", "No budget"]]


def test_xlsx_one_sheet_a_table(world, tmp_path):
    book = load_workbook(write(tmp_path, "xlsx"), read_only=True)
    assert book.sheetnames[0] == "Contents" and len(book.sheetnames) == 1 + 14
    sheet = book["reviews"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Reviews opened, completed and published, by kind of review"
    assert values[1] == (None, "Opened", "Completed", "Published")
    assert values[2] == ("Child death review", "[c]", "[c]", 0)
    assert values[9] == ("Total", 10, 10, "[c]")
    assert values[-1][0].startswith("Disclosure control:")
    everything = " ".join(
        str(c) for name in book.sheetnames for row in book[name].iter_rows(values_only=True) for c in row if c
    )
    assert_no_identity(everything)


def test_html_is_a_standalone_accessible_document(world, tmp_path):
    html = write(tmp_path, "html").read_text()
    assert_no_identity(html)
    assert html.count("<caption>") == 14
    assert '<th scope="row">Child death review</th><td>[c]</td><td>[c]</td><td>0</td>' in html
    assert html.count('<th scope="col">Opened</th>') == 1
    assert html.count("Disclosure control:") == 14
    assert "<link" not in html and "<script" not in html and "src=" not in html
    assert "No budget" not in html


def test_html_exact_lists_the_reasons_for_actions_not_implemented(world, tmp_path):
    html = write(tmp_path, "html", "--exact").read_text()
    assert html.count("NOT FOR PUBLICATION") >= 14 + 2
    assert "<td" in html and "No budget" in html


def test_pdf(world, tmp_path):
    pdf = write(tmp_path, "pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--partnership", "NOPE", "--year", "2026"], "--partnership: there is no partnership with the code 'NOPE'."),
        (["--partnership", "ANNU", "--year", "26"], "--year: 26 is not a year, e.g. 2026 for 2026 to 2027."),
        (["--partnership", "ANNU", "--year", "2026", "--as-of", "30/06/2027"], "--as-of: '30/06/2027' is not a date"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(world, tmp_path, arguments, message):
    out = tmp_path / "annual.csv"
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("annual_report", *arguments, "--format", "csv", "--out", str(out))
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_name_a_spreadsheet_would_run_stays_text(world, tmp_path):
    # An agency named as a formula: written with a leading ' in CSV and XLSX (ui.csv.neutralise).
    from reviews.models import Agency

    Agency.objects.filter(name="Annualshire Police").update(name='=HYPERLINK("http://example.org","Police")')
    rows = list(csv.reader(io.StringIO(write(tmp_path, "csv").read_bytes().decode("utf-8-sig"))))
    # Asked 3, on time 1, late 1, overdue 1, waived 0, extended 1, chased 2, escalated 1: all small.
    assert ['\'=HYPERLINK("http://example.org","Police")', *["[c]"] * 4, "0", *["[c]"] * 3] in rows
    sheet = load_workbook(write(tmp_path, "xlsx"))["agencies"]
    names = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://example.org","Police")' in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
