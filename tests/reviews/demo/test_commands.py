"""`manage.py seed_demo`: the demo partnership, its users and reviews at the stages the demo needs;
running it again changes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from nhs_number import is_valid as nhs_number_is_valid

from reviews.demo import USERS
from reviews.demo_year import year_plan
from reviews.models import (
    ChildDeath,
    JointAgencyResponseItem,
    Notice,
    Partnership,
    PartnershipMember,
    Review,
    ReviewClock,
    ReviewKind,
    ReviewRole,
    ReviewState,
    Role,
    SubjectIdentity,
)
from reviews.selectors.annual_report import FinancialYear
from reviews.selectors.clocks import clock_reading
from reviews.services.review import review_advance
from workflows.clocks import ClockStatus
from workflows.runner import transition_options

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = [seed.username for seed in USERS]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("reviews").get_models(),
        *apps.get_app_config("workflows").get_models(),
        *apps.get_app_config("auth").get_models(),
        *apps.get_app_config("guardian").get_models(),
    ]
    return {model._meta.label: model.objects.count() for model in models}


def nscp_review(kind: str, title: str) -> Review:
    return Review.objects.get(partnership__code="NSCP", kind=kind, title=title)


def test_seeding_twice_changes_no_counts():
    seed()
    first = row_counts()
    output = seed()
    assert row_counts() == first
    # The five showcase reviews and the two financial years' volume (reviews/demo_year.py).
    today = timezone.localdate()
    year = FinancialYear.of(today)
    planned = sum(
        len(plan.deaths) + len(plan.cases) + sum(1 for c in plan.cases if c.cspr)
        for plan in (year_plan(year.previous, today), year_plan(year, today))
    )
    assert first["reviews.Review"] == 5 + planned
    assert "nothing new created" in output


def test_seeding_again_never_moves_a_review_back():
    seed()
    fresh = nscp_review(ReviewKind.RAPID, "Child B (aged 9)")
    coordinator = get_user_model().objects.get(username="coordinator")
    review_advance(actor=coordinator, review_id=fresh.pk, transition="start_scoping")
    seed()
    fresh.refresh_from_db()
    assert fresh.state == ReviewState.SCOPING
    assert Review.objects.filter(title="Child B (aged 9)").count() == 1


def test_rapid_review_after_a_toddlers_death_was_converted_into_a_cspr():
    seed()
    rapid = nscp_review(ReviewKind.RAPID, "Child A (aged 2)")
    cspr = nscp_review(ReviewKind.CSPR, "Child A (aged 2)")
    assert cspr.converted_from == rapid
    assert rapid.state == ReviewState.CLOSED
    assert cspr.state == ReviewState.AGENCY_SUBMISSIONS
    assert list(cspr.subjects.values_list("pseudonym", flat=True)) == ["Child A"]
    assert cspr.roles.filter(user__username="nursery.lead", agency__name="Little Acorns Nursery").exists()


def test_reviews_are_at_the_stages_the_demo_needs():
    seed()
    cdr = nscp_review(ReviewKind.CHILD_DEATH, "Child C (aged 4 months)")
    assert cdr.has_reached(ReviewState.SCOPING)
    nursery = Review.objects.get(partnership__code="NSCP", kind=ReviewKind.INSTITUTIONAL)
    assert "Nursery Z" in nursery.title and "(K)" in nursery.title
    assert list(nursery.subjects.values_list("pseudonym", flat=True)) == ["Child D", "Child E", "Child F"]

    # A visitor signed in as the coordinator can take the first step on the fresh rapid review.
    fresh = nscp_review(ReviewKind.RAPID, "Child B (aged 9)")
    coordinator = get_user_model().objects.get(username="coordinator")
    options = {option.name: option for option in transition_options(fresh, coordinator)}
    assert fresh.state == ReviewState.NOTIFICATION
    assert options["start_scoping"].allowed


def test_clocks_show_running_due_soon_and_overdue():
    seed()
    today = timezone.localdate()
    statuses = {
        clock_reading(clock, clock.review.partnership, today).status
        for clock in ReviewClock.objects.select_related("review__partnership").filter(stopped_on__isnull=True)
    }
    assert {ClockStatus.RUNNING, ClockStatus.DUE_SOON, ClockStatus.OVERDUE} <= statuses


def test_the_converted_rapid_review_was_sent_in_time_so_its_clock_is_met():
    """It was converted months after it went to the Panel: the clock stops on the date it was sent."""
    seed()
    today = timezone.localdate()
    rapid = nscp_review(ReviewKind.RAPID, "Child A (aged 2)")
    assert rapid.state == ReviewState.CLOSED
    assert rapid.sent_to_panel_on == rapid.decision_on
    clock = ReviewClock.objects.select_related("review__partnership").get(review=rapid, key="rapid_review")
    assert clock.stopped_on == rapid.sent_to_panel_on
    assert clock_reading(clock, rapid.partnership, today).status == ClockStatus.MET
    assert rapid.converted_to.sent_to_panel_on is None


def test_every_demo_user_is_a_member_and_can_sign_in(client):
    seed()
    partnership = Partnership.objects.get(code="NSCP")
    for username in DEMO_USERNAMES:
        assert PartnershipMember.objects.filter(partnership=partnership, user__username=username).exists()
        assert client.login(username=username, password=settings.DEMO_PASSWORD), username
        client.logout()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    standings = dict(PartnershipMember.objects.values_list("user__username", "standing"))
    assert standings["coordinator"] == PartnershipMember.Standing.COORDINATOR
    assert standings["admin"] == PartnershipMember.Standing.ADMINISTRATOR


def test_roles_follow_the_brief():
    seed()
    reviews = Review.objects.filter(partnership__code="NSCP")
    for review in reviews:
        held = set(review.roles.values_list("user__username", "role"))
        assert ("coordinator", Role.COORDINATOR) in held, review
        assert ("chair", Role.CHAIR) in held, review
    leads = ReviewRole.objects.filter(role=Role.AGENCY_LEAD).select_related("agency", "user")
    expected = {
        "police.lead": "Northbridge Police",
        "gp.lead": "Northbridge GP Federation",
        "health.lead": "Northbridge Community Health",
        "nursery.lead": "Little Acorns Nursery",
    }
    assert {(lead.user.username, lead.agency.name) for lead in leads} == set(expected.items())
    scrutinised = ReviewRole.objects.filter(role=Role.SCRUTINEER).values("review").distinct().count()
    assert 0 < scrutinised < reviews.count()
    # Agency leads only see the reviews they were given.
    nursery_lead = get_user_model().objects.get(username="nursery.lead")
    nursery_review = reviews.get(kind=ReviewKind.INSTITUTIONAL)
    assert not nursery_lead.has_perm("reviews.view_review", nursery_review)


def test_identities_carry_valid_test_range_nhs_numbers():
    seed()
    numbers = [number for number in SubjectIdentity.objects.values_list("nhs_number", flat=True) if number]
    assert len(numbers) >= 3
    for number in numbers:
        assert number.startswith("999") and nhs_number_is_valid(number), number


def test_prints_the_logins_and_the_password():
    output = seed()
    for username in DEMO_USERNAMES:
        assert f"  {username} " in output
    assert f"Password for every demo login: {settings.DEMO_PASSWORD}" in output
    assert "NSCP-CSPR-" in output
    assert "Warning" not in output  # every planned step was taken


def test_the_demo_records_its_onward_notices_once():
    """The serious incident notifications, with what the Panel asks for, and the Panel's reply: about 8
    working days after the rapid review reached it (12 calendar days), inside the usual 10."""
    seed()
    seed()
    today = timezone.localdate()
    rapid = nscp_review(ReviewKind.RAPID, "Child A (aged 2)")
    assert sorted(Notice.objects.filter(review=rapid).values_list("kind", flat=True)) == [
        "panel_reply",
        "serious_incident",
    ]
    assert Notice.objects.filter(kind="serious_incident").count() == 3
    assert all(
        n.what_happened and n.agencies_involved and n.immediate_actions
        for n in Notice.objects.filter(kind="serious_incident")
    )
    reply = ReviewClock.objects.select_related("review__partnership").get(review=rapid, key="panel_reply")
    assert (reply.stopped_on - rapid.sent_to_panel_on).days == 12
    assert clock_reading(reply, rapid.partnership, today).status == ClockStatus.MET


def test_the_demo_child_death_has_its_dataset_and_joint_agency_response_once():
    """An unexpected death 100 days ago: the home visit the same day meets its 24 hours; the
    information-sharing meeting (3 working days) was never recorded, so it is overdue."""
    seed()
    seed()
    today = timezone.localdate()
    cdr = nscp_review(ReviewKind.CHILD_DEATH, "Child C (aged 4 months)")
    record = ChildDeath.objects.get(review=cdr)
    assert (cdr.death_unexpected, record.place_of_death, record.notifier_name) == (True, "home", "Dr Imogen Vale")
    assert list(JointAgencyResponseItem.objects.filter(review=cdr).values_list("item", flat=True)) == ["home_visit"]
    clocks = {c.key: c for c in ReviewClock.objects.select_related("review__partnership").filter(review=cdr)}
    assert clocks["jar_home_visit"].stopped_on == today - timedelta(days=100)
    assert clock_reading(clocks["jar_home_visit"], cdr.partnership, today).status == ClockStatus.MET
    assert clock_reading(clocks["jar_information_meeting"], cdr.partnership, today).status == ClockStatus.OVERDUE
