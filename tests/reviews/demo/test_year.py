"""The demo's financial year (reviews/demo_year.py): the annual report of the year that contains today
reads a real-looking year, checked against what the seed planned, not against the report's queries."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from reviews.demo_year import year_plan
from reviews.models import Partnership, Review, ReviewClock, ReviewKind
from reviews.models.actions import ActionState
from reviews.models.findings import CategoryOfDeath, ModifiableFactors
from reviews.permissions import partnership_figures_for
from reviews.selectors.annual_report import FinancialYear, annual_report
from reviews.services.clocks import review_clocks_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    year = FinancialYear.of(today)
    partnership = Partnership.objects.get(code="NSCP")
    return partnership, year, today, annual_report(partnership, year)


def test_the_last_complete_year_has_at_least_150_deaths_and_this_year_its_own_so_far(seeded):
    # The year before the one containing today is always complete, whatever the day the demo is
    # seeded (on 2 April the year just ended); the current year holds what happened up to today.
    partnership, year, today, _ = seeded
    planned = [*year_plan(year.previous, today).deaths, *year_plan(year, today).deaths]
    assert len([d for d in planned if d.notified in year.previous]) >= 150
    assert all(d.notified <= today for d in planned)
    # And the database holds what was planned: child death reviews notified in each year.
    stored = Review.objects.filter(partnership=partnership, kind=ReviewKind.CHILD_DEATH)
    for each in (year.previous, year):
        assert sum(1 for r in stored if r.notified_on in each) >= len([d for d in planned if d.notified in each])


def test_every_category_of_death_is_in_the_years_cdop_table(seeded):
    _, year, _, report = seeded
    table = report.table(f"cdop_categories_{year.start_year}")
    totals = {label: values[-1] for label, values, _ in table.lines()}
    for category in CategoryOfDeath:
        assert totals[category.label] > 0, category.label


def test_actions_are_in_every_state_and_some_overdue(seeded):
    _, _, _, report = seeded
    rows = {label: values for label, values, _ in report.table("actions").lines()}
    for state in ActionState:
        assert rows[state.label][0] > 0, state.label
    assert rows[ActionState.OPEN.label][1] > 0 and rows[ActionState.IN_PROGRESS.label][1] > 0
    assert report.not_implemented and all(item.reason for item in report.not_implemented)


def test_spot_check_deaths_reviewed_in_the_year_with_modifiable_factors_by_category(seeded):
    """Counted from the seed's plan: the deaths the CDOP reviewed in the year, by category, with
    modifiable factors identified (the showcase child death is not reviewed yet)."""
    _, year, today, report = seeded
    deaths = [*year_plan(year.previous, today).deaths, *year_plan(year, today).deaths]
    table = report.table(f"cdop_categories_{year.start_year}")
    column = list(table.column_labels).index(ModifiableFactors.YES.label)
    cells = {label: values for label, values, _ in table.lines()}
    for category in (CategoryOfDeath.SUDDEN_UNEXPLAINED, CategoryOfDeath.PERINATAL):
        planned = sum(
            1
            for d in deaths
            if d.cdop_reviewed in year and d.category == category and d.modifiable == ModifiableFactors.YES
        )
        assert cells[category.label][column] == planned


def test_the_years_cases_include_published_cspr_and_themes(seeded):
    partnership, year, _, report = seeded
    published = Review.objects.filter(partnership=partnership, kind=ReviewKind.CSPR, published_on__isnull=False)
    assert published.count() >= 1
    assert all(cspr.converted_from.kind == ReviewKind.RAPID for cspr in published)
    themes = {label: values[0] for label, values, _ in report.table("themes").lines()}
    assert themes["Neglect"] > 0
    assert Review.objects.filter(partnership=partnership, kind=ReviewKind.INSTITUTIONAL).count() == 1


def test_bulk_clocks_are_what_the_service_computes(seeded):
    """Refreshing a sample of the bulk reviews' clocks through the service changes none of them."""
    partnership, _, today, _ = seeded
    sample = list(Review.objects.filter(partnership=partnership).exclude(title__startswith="Child A (")[::25])
    before = {
        c.pk: (c.start_date, c.due_date, c.stopped_on, c.abandoned)
        for c in ReviewClock.objects.filter(review__in=sample)
    }
    assert before
    for review in sample:
        review_clocks_refresh(review=review, today=today)
    after = {
        c.pk: (c.start_date, c.due_date, c.stopped_on, c.abandoned)
        for c in ReviewClock.objects.filter(review__in=sample)
    }
    assert after == before


def test_business_manager_and_partnership_scrutineer_read_the_figures(seeded):
    users = get_user_model().objects
    manager = partnership_figures_for(users.get(username="business.manager"), "NSCP")
    scrutineer = partnership_figures_for(users.get(username="partnership.scrutineer"), "NSCP")
    assert manager.exact and manager.sees_reviews
    assert not scrutineer.exact and not scrutineer.sees_reviews


def test_the_years_signed_findings_read_as_unchanged_since_sign_off(seeded):
    from reviews.models.findings import Findings, FindingsState
    from reviews.selectors.findings import findings_match_signed

    partnership, _, _, _ = seeded
    signed = Findings.objects.filter(review__partnership=partnership, state=FindingsState.SIGNED_OFF)
    assert signed.count() > 100
    for findings in signed.select_related("review").order_by("?")[:20]:
        assert findings_match_signed(findings), findings.review.reference


def test_the_dashboard_has_a_pace_for_child_death_stages_and_predicts_a_breach(seeded):
    from reviews.selectors.oversight import oversight
    from workflows.chain import verify_chain
    from workflows.models import TransitionLog

    partnership, _, today, _ = seeded
    figures = oversight(partnership, today=today)
    paced = {(kind, stage) for kind, stage, _ in figures.pace}
    for stage in ("Notification", "Scoping", "Agency submissions", "Panel", "Findings"):
        assert ("Child death review", stage) in paced, stage
        assert ("Local child safeguarding practice review", stage) in paced or stage == "Notification"
        assert ("Rapid review", stage) in paced, stage
    assert not figures.no_history
    # The showcase CSPR (decision 140 days ago, at agency submissions since today) cannot be
    # published within its 6 months at the bulk CSPRs' pace.
    showcase = Review.objects.get(partnership=partnership, kind=ReviewKind.CSPR, title="Child A (aged 2)")
    assert showcase.reference in {p.reference for p in figures.predictions}
    # The backdated history is in the transition log's audit chain, which still verifies.
    assert verify_chain(TransitionLog).ok


def test_the_agencies_table_counts_the_contributions_written(seeded):
    """Counted in Python from the rows the seed wrote (dates, extensions, reminders), not with the
    report's query."""
    from collections import Counter

    from django.contrib.contenttypes.models import ContentType

    from notifications.models import Notification
    from reviews.models.contributions import AgencyContribution, DueDateChange

    partnership, year, today, report = seeded
    rows = [
        c
        for c in AgencyContribution.objects.filter(review__partnership=partnership).select_related("agency")
        if timezone.localdate(c.requested_at) in year
    ]
    contribution_type = ContentType.objects.get_for_model(AgencyContribution)
    reminders = Notification.objects.filter(
        kind=Notification.Kind.REMINDER, deadline__content_type=contribution_type
    ).exclude(status=Notification.Status.CANCELLED)
    chased = set(reminders.values_list("deadline__object_id", flat=True))
    escalated = set(reminders.filter(escalation=True).values_list("deadline__object_id", flat=True))
    extended = set(DueDateChange.objects.filter(status="granted").values_list("contribution_id", flat=True))
    expected: dict[str, Counter] = {}
    for c in rows:
        counts = expected.setdefault(c.agency.name, Counter())
        counts["asked"] += 1
        if c.submitted_at is not None:
            counts["on_time" if timezone.localdate(c.submitted_at) <= c.due_date else "late"] += 1
        counts["chased"] += c.pk in chased
        counts["escalated"] += c.pk in escalated
        counts["extended"] += c.pk in extended
    table = {label: values for label, values, total in report.table("agencies").lines() if not total}
    columns = ["asked", "on_time", "late", "overdue", "waived", "extended", "chased", "escalated"]
    full = [a for a, counts in expected.items() if all(counts[k] for k in ("asked", "on_time", "late", "chased"))]
    assert len(full) >= 3
    for agency, counts in expected.items():
        got = dict(zip(columns, table[agency], strict=True))
        for key in ("asked", "on_time", "late", "extended", "chased", "escalated"):
            assert got[key] == counts[key], (agency, key)
