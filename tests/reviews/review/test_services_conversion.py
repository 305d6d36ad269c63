"""A rapid review converted into a local CSPR: the rapid review closes, the CSPR keeps the history."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reviews.models import Review, ReviewKind, ReviewRole, ReviewState, Role, Subject, SubjectIdentity
from reviews.services.review import review_convert_to_cspr, review_record_key_dates
from reviews.services.subjects import SubjectData, subject_add
from tests.factories import advance_to, make_review
from workflows.audit import AuditEvent
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused

YEAR = timezone.localdate().year
DECISION = date(2026, 3, 20)


@pytest.fixture
def rapid(review, coordinator):
    """The fixture rapid review at panel, the partners' decision recorded, a second child known by name."""
    subject_add(
        actor=coordinator,
        review_id=review.pk,
        data=SubjectData(
            pseudonym="Child B",
            date_of_birth=date(2021, 6, 1),
            full_name="Bobby Example",
            nhs_number="943 476 5919",
            address="1 Example Street",
        ),
    )
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": DECISION})
    return advance_to(review, ReviewState.PANEL, coordinator)


def test_converting_closes_the_rapid_review_and_opens_a_cspr_at_scoping(rapid, coordinator):
    cspr = review_convert_to_cspr(actor=coordinator, review_id=rapid.pk, reason="Partners agreed a local review")

    rapid = Review.objects.get(pk=rapid.pk)
    cspr = Review.objects.get(pk=cspr.pk)
    assert rapid.state == ReviewState.CLOSED
    assert cspr.kind == ReviewKind.CSPR
    assert cspr.state == ReviewState.SCOPING
    assert cspr.converted_from == rapid
    assert rapid.converted_to == cspr
    assert cspr.reference == f"NSCP-CSPR-{YEAR}-001"
    assert cspr.title == rapid.title
    assert (cspr.became_aware_on, cspr.notified_on, cspr.decision_on) == (
        date(2026, 3, 2),
        date(2026, 3, 4),
        DECISION,
    )
    log = TransitionLog.objects.get(object_id=rapid.pk, transition="convert_to_cspr")
    assert (log.from_state, log.to_state, log.actor, log.reason) == (
        ReviewState.PANEL,
        ReviewState.CLOSED,
        coordinator,
        "Partners agreed a local review",
    )


def test_the_cspr_takes_over_subjects_identities_and_roles(rapid, coordinator, chair, police_lead, police, scrutineer):
    cspr = review_convert_to_cspr(
        actor=coordinator, review_id=rapid.pk, reason="The partners decided on a local review."
    )

    subjects = list(Subject.objects.filter(review=cspr).values_list("pseudonym", "date_of_birth"))
    assert subjects == [("Child A", date(2024, 1, 5)), ("Child B", date(2021, 6, 1))]
    identity = SubjectIdentity.objects.get(subject__review=cspr)
    assert (identity.full_name, identity.nhs_number, identity.address) == (
        "Bobby Example",
        "9434765919",
        "1 Example Street",
    )
    # The rapid review keeps its own subjects: nothing was moved, only copied.
    assert Subject.objects.filter(review=rapid).count() == 2

    def roles(review):
        return sorted(ReviewRole.objects.filter(review=review).values_list("user__username", "role", "agency_id"))

    assert roles(cspr) == roles(rapid)
    assert ReviewRole.objects.get(review=cspr, user=police_lead).agency == police
    # The permissions come with the roles.
    assert chair.has_perm("reviews.chair_review", cspr)
    assert scrutineer.has_perm("reviews.scrutinise_review", cspr)
    assert coordinator.has_perm("reviews.coordinate_review", cspr)
    assert not scrutineer.has_perm("reviews.view_identity", cspr)


def test_conversion_is_written_to_the_audit_trail_of_both_reviews(rapid, coordinator):
    cspr = review_convert_to_cspr(actor=coordinator, review_id=rapid.pk, reason="Local review")

    converted = AuditEvent.objects.get(verb="review.converted", object_id=rapid.pk)
    opened = AuditEvent.objects.get(verb="review.opened", object_id=cspr.pk)
    assert converted.actor == opened.actor == coordinator
    assert converted.detail == {"into": cspr.reference, "reason": "Local review"}
    assert opened.detail == {"converted_from": rapid.reference}


def test_the_cspr_runs_its_six_month_clock_from_the_decision(rapid, coordinator):
    cspr = review_convert_to_cspr(
        actor=coordinator, review_id=rapid.pk, reason="The partners decided on a local review."
    )
    clock = cspr.clocks.get(key="cspr_completion")
    assert (clock.start_event, clock.start_date, clock.due_date) == ("decision_on", DECISION, date(2026, 9, 20))


def test_a_second_conversion_in_the_year_takes_the_next_number(rapid, coordinator, partnership):
    review_convert_to_cspr(actor=coordinator, review_id=rapid.pk, reason="The partners decided on a local review.")
    other = make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={
            "became_aware_on": date(2026, 4, 1),
            "notified_on": date(2026, 4, 2),
            "decision_on": date(2026, 4, 20),
        },
    )
    advance_to(other, ReviewState.SCOPING, coordinator)
    assert (
        review_convert_to_cspr(
            actor=coordinator, review_id=other.pk, reason="The partners decided on a local review."
        ).reference
        == f"NSCP-CSPR-{YEAR}-002"
    )


def counts() -> tuple[int, ...]:
    return (
        Review.objects.count(),
        Subject.objects.count(),
        ReviewRole.objects.count(),
        TransitionLog.objects.count(),
        AuditEvent.objects.count(),
    )


def test_only_a_rapid_review_can_be_converted(partnership, coordinator):
    cdr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        key_dates={"incident_on": date(2026, 3, 2), "notified_on": date(2026, 3, 3), "decision_on": date(2026, 3, 20)},
    )
    advance_to(cdr, ReviewState.SCOPING, coordinator)
    before = counts()

    with pytest.raises(TransitionRefused) as refused:
        review_convert_to_cspr(actor=coordinator, review_id=cdr.pk, reason="The partners decided on a local review.")

    assert str(refused.value) == f"Only a rapid review can be converted; {cdr.reference} is a Child death review."
    assert Review.objects.get(pk=cdr.pk).state == ReviewState.SCOPING
    assert counts() == before


def test_converting_without_the_decision_date_gives_the_reason(review, coordinator):
    advance_to(review, ReviewState.PANEL, coordinator)
    before = counts()

    with pytest.raises(TransitionRefused) as refused:
        review_convert_to_cspr(actor=coordinator, review_id=review.pk, reason="The partners decided on a local review.")

    assert refused.value.reasons == ["Record the date of the partners' decision to initiate a local review."]
    assert Review.objects.get(pk=review.pk).state == ReviewState.PANEL
    assert counts() == before


def test_only_the_review_s_coordinator_may_convert(rapid, chair, outsider):
    before = counts()
    for user in (chair, outsider):
        with pytest.raises(PermissionDenied):
            review_convert_to_cspr(actor=user, review_id=rapid.pk, reason="The partners decided on a local review.")
    assert counts() == before
    assert not Review.objects.filter(kind=ReviewKind.CSPR).exists()


def test_a_role_the_actor_holds_besides_coordinator_is_still_copied(rapid, coordinator):
    # The coordinator may also sit on the panel; only the coordinator role is made afresh.
    from reviews.services.roles import review_role_grant

    review_role_grant(actor=coordinator, review_id=rapid.pk, user=coordinator, role=Role.PANEL_MEMBER)
    cspr = review_convert_to_cspr(
        actor=coordinator, review_id=rapid.pk, reason="The partners decided on a local review."
    )
    assert set(ReviewRole.objects.filter(review=cspr, user=coordinator).values_list("role", flat=True)) == {
        Role.COORDINATOR,
        Role.PANEL_MEMBER,
    }
