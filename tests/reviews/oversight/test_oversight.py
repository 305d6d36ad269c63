"""The oversight dashboard (issue 15): each figure against a crafted fixture worked out by hand, who
may read it and how, and its constant query count."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import PartnershipMember, Review, ReviewKind, ReviewState
from reviews.models.contributions import AgencyContribution, ContributionState
from reviews.selectors.oversight import Period, oversight, period_from, stage_pace
from tests.factories import UserFactory, make_review, member
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db

TODAY = date(2027, 2, 1)  # a Monday
SPINE_STAGES = ["notification", "scoping", "agency_submissions", "panel", "findings"]


def moment(day: date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())


def history(review: Review, actor, opened: date, days_in: list[int], now_at: str) -> None:
    """Record ``review``'s stage changes: opened on ``opened``, ``days_in[i]`` days in the i-th stage
    of the spine, then moved on; it is left at ``now_at``. Written straight into the log with the
    dates wanted (the services stamp the database's clock)."""
    Review.objects.filter(pk=review.pk).update(created_at=moment(opened), state=now_at)
    review_type = ContentType.objects.get_for_model(Review)
    at = opened
    states = [*SPINE_STAGES, "action_tracking"]
    for i, days in enumerate(days_in):
        at = at + dt.timedelta(days=days)
        TransitionLog.objects.create(
            content_type=review_type,
            object_id=review.pk,
            object_label=review.reference,
            transition="step",
            from_state=states[i],
            to_state=states[i + 1],
            actor=actor,
            at=moment(at),
            mac="test",
        )


@pytest.fixture
def business_manager(partnership):
    return member(UserFactory(username="business.manager"), partnership, PartnershipMember.Standing.BUSINESS_MANAGER)


@pytest.fixture
def partnership_scrutineer(partnership):
    return member(UserFactory(username="figures.scrutineer"), partnership, PartnershipMember.Standing.SCRUTINEER)


@pytest.fixture
def crafted(today, coordinator, partnership, police, gp, police_lead, gp_lead):
    """Three closed CSPRs with known stage histories, two open CSPRs, three rapid reviews.

    Closed CSPRs (days in notification, scoping, agency submissions, panel, findings):
        A: 10, 20, 30, 10, 20
        B: 20, 40, 60, 20, 10
        C: 30, 30, 90, 30, 30
    Medians: notification 20, scoping 30, agency submissions 60, panel 20, findings 20.

    D: CSPR, decision 1 October 2026, so its completion clock (6 months, stops with the publication
       date, asked for at action tracking) is due 1 April 2027. At scoping since 22 January 2027 (10
       days before today, 1 February 2027). Predicted: what is left of scoping, 30 - 10 = 20, then
       agency submissions 60, panel 20, findings 20 = 120 days: 1 June 2027, after 1 April: a breach.
    E: CSPR, decision 1 December 2026, due 1 June 2027. At findings since 27 January (5 days):
       20 - 5 = 15 days left: 16 February 2027, before its due date: no breach.
    Rapid reviews (serious incident notification: 5 working days from becoming aware, stops on the
    notification date; the rapid review: 15 working days from the notification):
       R1 aware Wednesday 27 January, notified 28 January: notification met. Its rapid review runs
          from 28 January, due 18 February; stops at findings; no rapid review has a history, so
          notification, scoping, agency submissions and panel count for nothing: predicted today,
          no breach, and those four stages are named on the page.
       R2 aware Tuesday 26 January, not notified: due Tuesday 2 February, 1 working day left: due soon.
       R3 aware Monday 4 January (due 11 January), notified 20 January: met late.
    """
    today.set(TODAY)
    cspr = ReviewKind.CSPR
    closed = []
    for title, days in (("A", [10, 20, 30, 10, 20]), ("B", [20, 40, 60, 20, 10]), ("C", [30, 30, 90, 30, 30])):
        review = make_review(
            coordinator=coordinator,
            partnership=partnership,
            kind=cspr,
            title=f"Child {title}",
            key_dates={"became_aware_on": date(2025, 12, 1), "decision_on": date(2026, 1, 5)},
        )
        history(review, coordinator, date(2026, 1, 5), days, ReviewState.CLOSED)
        closed.append(review)
    d = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=cspr,
        title="Child D",
        key_dates={"became_aware_on": date(2026, 9, 1), "decision_on": date(2026, 10, 1)},
    )
    history(d, coordinator, date(2027, 1, 12), [10], ReviewState.SCOPING)  # into scoping 22 January
    e = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=cspr,
        title="Child E",
        key_dates={"became_aware_on": date(2026, 11, 1), "decision_on": date(2026, 12, 1)},
    )
    history(e, coordinator, date(2026, 12, 1), [5, 10, 20, 22], ReviewState.FINDINGS)  # into findings 27 January
    r1 = make_review(
        coordinator=coordinator,
        partnership=partnership,
        title="Child R1",
        key_dates={"became_aware_on": date(2027, 1, 27), "notified_on": date(2027, 1, 28)},
    )
    r2 = make_review(
        coordinator=coordinator,
        partnership=partnership,
        title="Child R2",
        key_dates={"became_aware_on": date(2027, 1, 26)},
    )
    r3 = make_review(
        coordinator=coordinator,
        partnership=partnership,
        title="Child R3",
        key_dates={"became_aware_on": date(2027, 1, 4), "notified_on": date(2027, 1, 20)},
    )
    # Agencies, over the period 1 January to 1 February 2027 (contributions asked of D):
    #   Police: asked 10 January, due 20 January, submitted 19 January: on time.
    #   GP: asked 12 January, due 25 January, nothing submitted: overdue (due before today).
    #   Police on E, asked 15 December 2026: outside the period, not counted.
    for review, agency, lead, asked, due, submitted in (
        (d, police, police_lead, date(2027, 1, 10), date(2027, 1, 20), date(2027, 1, 19)),
        (d, gp, gp_lead, date(2027, 1, 12), date(2027, 1, 25), None),
        (e, police, police_lead, date(2026, 12, 15), date(2027, 1, 5), None),
    ):
        contribution = AgencyContribution.objects.create(
            review=review, agency=agency, lead=lead, due_date=due, state=ContributionState.REQUESTED
        )
        AgencyContribution.objects.filter(pk=contribution.pk).update(
            requested_at=moment(asked), submitted_at=moment(submitted) if submitted else None
        )
    return {"closed": closed, "d": d, "e": e, "r1": r1, "r2": r2, "r3": r3}


def test_the_pace_is_the_median_days_per_stage_of_completed_reviews(crafted, partnership):
    pace = stage_pace(partnership)
    cspr = ReviewKind.CSPR
    assert {stage: pace[(cspr, stage)] for stage in SPINE_STAGES} == {
        "notification": 20,
        "scoping": 30,
        "agency_submissions": 60,
        "panel": 20,
        "findings": 20,
    }
    # Open reviews (D, E) set no pace.
    assert (ReviewKind.RAPID, "notification") not in pace


def test_predicted_breaches(crafted, partnership):
    figures = oversight(partnership, today=TODAY)
    assert [(p.reference, p.due_date, p.predicted_on) for p in figures.predictions] == [
        (crafted["d"].reference, date(2027, 4, 1), date(2027, 6, 1))
    ]
    assert figures.predicted.table.value("Local child safeguarding practice review", "Predicted breaches") == 1
    assert figures.predicted.table.value("Rapid review", "Predicted breaches") == 0
    assert ("Rapid review", "Notification") in figures.no_history
    assert ("Rapid review", "Panel") in figures.no_history


def test_caseload(crafted, partnership):
    table = oversight(partnership, today=TODAY).caseload.table
    # Open: D at scoping, E at findings; R1, R2, R3 at notification. A, B, C closed: not counted.
    assert table.value("Local child safeguarding practice review", "Scoping") == 1
    assert table.value("Local child safeguarding practice review", "Findings") == 1
    assert table.value("Local child safeguarding practice review", "Total") == 2
    assert table.value("Rapid review", "Notification") == 3
    assert table.value("Total", "Total") == 5


def test_clocks_by_outcome(crafted, partnership):
    table = oversight(partnership, today=TODAY).clocks.table
    cspr = next(label for label in table.row_labels if label.startswith("Review completed and published"))
    # A, B, C: due 5 July 2026, never published: overdue. D (due 1 April 2027), E (1 June 2027): running.
    assert table.value(cspr, "Overdue") == 3
    assert table.value(cspr, "Running") == 2
    si = next(label for label in table.row_labels if label.startswith("Serious incident notification"))
    assert table.value(si, "Met") == 1  # R1
    assert table.value(si, "Met late") == 1  # R3
    assert table.value(si, "Due soon") == 1  # R2


def test_agency_responsiveness_over_the_period(crafted, partnership):
    period = Period(date(2027, 1, 1), TODAY)
    table = oversight(partnership, period, today=TODAY).agencies.table
    assert table.value("Northbridge Police", "Asked") == 1
    assert table.value("Northbridge Police", "Submitted on time") == 1
    assert table.value("Northbridge GP Federation", "Not submitted, overdue") == 1
    assert table.value("Total", "Asked") == 2


def test_a_bad_date_is_named_and_the_default_kept():
    period, errors = period_from({"from": "2026-13-01", "to": "2027-01-31"}, TODAY)
    assert period == Period(date(2026, 4, 1), date(2027, 1, 31))
    assert errors and errors[0].startswith("From date: '2026-13-01'")
    period, errors = period_from({"from": "2027-01-31", "to": "2027-01-01"}, TODAY)
    assert period == Period(date(2026, 4, 1), TODAY)
    assert errors[0].startswith("To date:")


def url(partnership, name="reviews:oversight"):
    return reverse(name, args=[partnership.code])


def test_business_manager_reads_exact_figures_with_links(client, crafted, partnership, business_manager):
    client.force_login(business_manager)
    html = client.get(url(partnership)).content.decode()
    assert "Not for publication" in html
    assert "oversight/reviews/?of=caseload" in html
    assert f'href="{reverse("reviews:review", args=[crafted["d"].reference])}"' in html
    # The reviews behind "CSPR at scoping": D only.
    response = client.get(url(partnership, "reviews:oversight_reviews") + "?of=caseload&kind=cspr&state=scoping")
    page = response.content.decode()
    assert crafted["d"].reference in page and crafted["e"].reference not in page
    # The reviews behind "serious incident notification, met late": R3.
    page = client.get(
        url(partnership, "reviews:oversight_reviews") + "?of=clocks&clock=si_notification&outcome=met_late"
    ).content.decode()
    assert crafted["r3"].reference in page and crafted["r1"].reference not in page


def test_a_bad_period_on_the_page_names_the_field(client, crafted, partnership, business_manager):
    client.force_login(business_manager)
    html = client.get(url(partnership) + "?from=yesterday").content.decode()
    assert "From date: &#x27;yesterday&#x27; is not a date" in html


def test_scrutineer_reads_disclosed_counts_and_no_links(client, crafted, partnership, partnership_scrutineer):
    client.force_login(partnership_scrutineer)
    html = client.get(url(partnership)).content.decode()
    assert "Not for publication" not in html
    assert "under disclosure control" in html
    assert "oversight/reviews/" not in html
    assert crafted["d"].reference not in html
    assert client.get(url(partnership, "reviews:oversight_reviews")).status_code == 404


def test_outsider_and_agency_lead_get_404(client, crafted, partnership, outsider, police_lead):
    for user in (outsider, police_lead):
        client.force_login(user)
        assert client.get(url(partnership)).status_code == 404
        assert client.get(url(partnership, "reviews:oversight_reviews")).status_code == 404


def test_the_dashboard_links_to_oversight(client, partnership, business_manager):
    client.force_login(business_manager)
    html = client.get(reverse("reviews:dashboard")).content.decode()
    assert f'href="{url(partnership)}"' in html


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_constant_query_count(client, crafted, partnership, coordinator, business_manager):
    client.force_login(business_manager)
    few = _queries(client, url(partnership))
    few_list = _queries(client, url(partnership, "reviews:oversight_reviews") + "?of=caseload")
    for i in range(6):
        review = make_review(
            coordinator=coordinator,
            partnership=partnership,
            kind=ReviewKind.CSPR,
            title=f"Child X{i}",
            key_dates={"became_aware_on": date(2026, 9, 1), "decision_on": date(2026, 10, 1)},
        )
        history(
            review,
            coordinator,
            date(2026, 10, 1),
            *([5] * 5, ReviewState.CLOSED) if i % 2 else ([5], ReviewState.SCOPING),
        )
    assert _queries(client, url(partnership)) == few
    assert _queries(client, url(partnership, "reviews:oversight_reviews") + "?of=caseload") == few_list


def test_an_agency_figure_links_to_its_reviews(client, crafted, partnership, business_manager, police):
    client.force_login(business_manager)
    html = client.get(url(partnership) + "?from=2027-01-01&to=2027-02-01").content.decode()
    query = f"of=agencies&amp;agency={police.pk}&amp;figure=on_time&amp;from=2027-01-01&amp;to=2027-02-01"
    assert query in html
    page = client.get(url(partnership, "reviews:oversight_reviews") + "?" + query.replace("&amp;", "&")).content
    assert crafted["d"].reference in page.decode() and crafted["e"].reference not in page.decode()


def test_the_scrutineers_counts_are_disclosure_controlled(crafted, partnership):
    disclosed = oversight(partnership, today=TODAY).disclosed()
    # 3 rapid reviews at notification: suppressed; the 5 open reviews in all: rounded, still 5.
    assert disclosed.caseload.table.value("Rapid review", "Notification") is None
    assert disclosed.caseload.table.value("Total", "Total") == 5
    assert disclosed.predictions == () and not disclosed.exact
