"""A partnership's figures over the API (reviews/api/annual_report.py, oversight.py): the annual
report's tables and the timeliness tables, exact for the business manager and the coordinator,
disclosed for the partnership's scrutineer (a count of 3 never reaches them: "[c]"), and not found
for anyone else.

A small crafted partnership: 3 CSPRs and 8 rapid reviews opened in 2026 to 2027, and 3 rapid
review clocks met, counted by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Partnership, PartnershipMember, ReviewKind
from tests.factories import UserFactory, member
from tests.reviews.annual_report.conftest import _clock, _review, at

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
    rapid = [_review(partnership, user, f"Q{n}", ReviewKind.RAPID, at(date(2026, 6, 1 + n))) for n in range(8)]
    today = timezone.localdate()
    for review in rapid[:3]:
        _clock(review, "rapid_review", today + timedelta(days=30), stopped=today - timedelta(days=1))
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


def report_url(code: str = "CRAF", year: int = 2026) -> str:
    return reverse("api_v1:annual_report", kwargs={"code": code, "year": year})


def timeliness_url(code: str = "CRAF") -> str:
    return reverse("api_v1:timeliness", kwargs={"code": code})


def table(body: dict, key: str) -> dict:
    tables = [t for section in body.get("sections", [body]) for t in section["tables"]]
    return next(t for t in tables if t["key"] == key)


def cell(t: dict, row_label: str, column: int = 0):
    return t["cells"][t["row_labels"].index(row_label)][column]


@pytest.mark.parametrize("who", ["coordinator", "business_manager"])
def test_inside_the_partnership_the_report_is_exact(api_as, people, who):
    response = api_as(people[who]).get(report_url())
    assert response.status_code == 200
    body = response.json()
    assert body["exact"] is True and body["year"] == 2026 and body["partnership"] == "CRAF"
    reviews = table(body, "reviews")
    assert reviews["column_labels"] == ["Opened", "Completed", "Published"]
    assert cell(reviews, CSPR) == 3 and cell(reviews, RAPID) == 8
    assert reviews["exact"] is True and reviews["disclosure"].startswith("NOT FOR PUBLICATION")


def test_the_scrutineer_gets_the_report_disclosed(api_as, people):
    body = api_as(people["scrutineer"]).get(report_url()).json()
    assert body["exact"] is False
    reviews = table(body, "reviews")
    # As the page: the CSPRs' 3 is suppressed; so is the rapid reviews' 8, the only other count of
    # the column, or 3 = 11 - 8 would follow from its total; the total 11 rounds to 10.
    assert cell(reviews, CSPR) == "[c]" and cell(reviews, RAPID) == "[c]"
    assert reviews["column_totals"][0] == 10
    assert reviews["disclosure"].startswith("Disclosure control: counts of 1 to 4 are suppressed")
    counts = [v for t in (t for s in body["sections"] for t in s["tables"]) for row in t["cells"] for v in row]
    assert 3 not in counts and 8 not in counts


def test_timeliness_is_exact_inside_and_disclosed_for_the_scrutineer(api_as, people):
    exact = api_as(people["business_manager"]).get(timeliness_url()).json()
    assert exact["exact"] is True and [t["key"] for t in exact["tables"]] == ["clocks", "predicted"]
    clocks = table(exact, "clocks")
    met = clocks["column_labels"].index("Met")
    row = next(i for i, label in enumerate(clocks["row_labels"]) if label.startswith("Rapid review"))
    assert clocks["cells"][row][met] == 3
    disclosed = table(api_as(people["scrutineer"]).get(timeliness_url()).json(), "clocks")
    assert disclosed["cells"][row][met] == "[c]" and disclosed["exact"] is False


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_anyone_else_finds_no_figures(api_as, people, who):
    for url in (report_url(), timeliness_url()):
        response = api_as(people[who]).get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"
    assert api_as(None).get(report_url()).status_code == 401


def test_a_year_outside_the_reports_is_not_found(api_as, people):
    assert api_as(people["business_manager"]).get(report_url(year=2016)).status_code == 404
    assert api_as(people["business_manager"]).get(report_url(code="NOPE")).status_code == 404
