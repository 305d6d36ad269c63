"""Actions: made from signed recommendations, worked on by the owning agency, verified by the
partnership (never by the owner), returned or closed as not implemented; their RAG status, their
deadlines, and the review's close waiting for every one of them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from notifications.models import Deadline, DeadlineKind, DeadlineState, Notification
from reviews.models import Action, ActionState, ActionUpdate, PartnershipMember, Rag, ReviewState, Role
from reviews.services.actions import action_add_update, action_advance
from reviews.services.findings import findings_sign_off
from reviews.services.review import review_advance
from reviews.services.roles import review_role_grant
from tests.factories import read_hash
from tests.reviews.builders import add_action, add_recommendation, signed_with_recommendation, soon, write_findings
from workflows.calendar import add_working_days
from workflows.models import AuditEvent, TransitionLog
from workflows.runner import TransitionRefused

A = ActionState


@pytest.fixture
def recommendation(drafting, coordinator, chair, police):
    return signed_with_recommendation(drafting, coordinator, chair, police)


@pytest.fixture
def tracking(recommendation, coordinator):
    review_advance(actor=coordinator, review_id=recommendation.findings.review_id, transition="start_action_tracking")
    return recommendation


@pytest.fixture
def action(tracking, coordinator):
    return add_action(tracking, coordinator)


def fresh(action: Action) -> Action:
    return Action.objects.select_related("recommendation").get(pk=action.pk)


def deadline_of(action: Action) -> Deadline:
    return Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(Action), object_id=action.pk, kind=DeadlineKind.ACTION_DUE
    )


def snapshot(action: Action) -> tuple:
    row = fresh(action)
    return (row.state, row.evidence, row.completed_by_id, row.verified_by_id, ActionUpdate.objects.count())


# --- making actions -------------------------------------------------------------------------------


def test_a_recommendation_becomes_numbered_actions_with_a_deadline(tracking, coordinator, police_lead, gp):
    first = add_action(tracking, coordinator)
    second = add_action(tracking, coordinator, owner_agency=gp, owner_role="Practice safeguarding lead")
    assert (first.code, second.code) == ("R1.1", "R1.2")
    assert (first.state, first.owner_role, first.created_by) == (A.OPEN, "Head of public protection", coordinator)

    deadline = deadline_of(first)
    assert (deadline.due_date, deadline.state, deadline.scope) == (
        first.due_date,
        DeadlineState.OPEN,
        first.review.reference,
    )
    assert list(deadline.recipients.all()) == [police_lead]
    assert list(deadline.escalation_recipients.all()) == [coordinator]
    assert deadline.context["what"] == "Action R1.1 (Police)"
    assert Notification.objects.filter(deadline=deadline, recipient=police_lead).exists()  # told of the due date


def test_actions_can_be_made_once_findings_are_signed_at_findings(recommendation, coordinator):
    assert add_action(recommendation, coordinator).state == A.OPEN


def test_a_due_date_in_the_past_is_refused(tracking, coordinator):
    with pytest.raises(ValidationError) as error:
        add_action(tracking, coordinator, due_date=timezone.localdate() - timedelta(days=1))
    assert error.value.message_dict == {"due_date": ["The due date is in the past."]}
    assert not Action.objects.exists()
    assert not Deadline.objects.filter(kind=DeadlineKind.ACTION_DUE).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": ""}, "description"),
        ({"owner_role": " "}, "owner_role"),
        ({"success_measure": ""}, "success_measure"),
        ({"owner_agency": None}, "owner_agency"),
    ],
)
def test_an_action_needs_what_who_and_how_measured(tracking, coordinator, changes, field):
    with pytest.raises(ValidationError) as error:
        add_action(tracking, coordinator, **changes)
    assert field in error.value.message_dict
    assert not Action.objects.exists()


@pytest.mark.parametrize("who", ["chair", "police_lead", "panel_member", "outsider"])
def test_only_the_coordinator_makes_actions(tracking, who, request):
    with pytest.raises(PermissionDenied):
        add_action(tracking, request.getfixturevalue(who))
    assert not Action.objects.exists()


def test_no_actions_from_unsigned_findings(drafting, coordinator, police):
    write_findings(drafting, coordinator)
    recommendation = add_recommendation(drafting, coordinator, police)
    with pytest.raises(TransitionRefused, match="once the chair has signed them off"):
        add_action(recommendation, coordinator)


# --- working on an action -------------------------------------------------------------------------


def test_a_progress_update_starts_the_work(action, police_lead):
    update = action_add_update(
        actor=police_lead, action_id=action.pk, progress_on=timezone.localdate(), note="  Two teams trained.  "
    )
    assert (update.note, update.author) == ("Two teams trained.", police_lead)
    assert fresh(action).state == A.IN_PROGRESS
    assert TransitionLog.objects.filter(transition="start", object_id=action.pk).exists()


def test_a_progress_update_is_not_dated_in_the_future(action, police_lead):
    with pytest.raises(ValidationError) as error:
        action_add_update(actor=police_lead, action_id=action.pk, progress_on=soon(1), note="Planned")
    assert error.value.message_dict == {"progress_on": ["The date of the progress is in the future."]}
    assert snapshot(action)[0] == A.OPEN


def test_the_other_agency_s_lead_cannot_touch_the_action(action, gp_lead):
    before = snapshot(action)
    with pytest.raises(PermissionDenied):
        action_add_update(actor=gp_lead, action_id=action.pk, progress_on=timezone.localdate(), note="Not mine")
    with pytest.raises(PermissionDenied) as refused:
        action_advance(actor=gp_lead, action_id=action.pk, transition="complete", evidence="Not mine")
    assert str(refused.value) == (
        f"You need the Police lead's or the review coordinator's role on {action.review.reference} "
        "to mark the action as completed."
    )
    assert snapshot(action) == before


def test_completing_without_evidence_is_refused(action, police_lead):
    before = snapshot(action)
    with pytest.raises(ValidationError) as error:
        action_advance(actor=police_lead, action_id=action.pk, transition="complete", evidence="   ")
    assert error.value.message_dict == {
        "evidence": ["Give the evidence of completion of R1.1: what was done and how it meets the success measure."]
    }
    assert snapshot(action) == before
    assert deadline_of(action).state == DeadlineState.OPEN


def test_completing_with_evidence_meets_the_deadline(action, police_lead):
    done = action_advance(
        actor=police_lead, action_id=action.pk, transition="complete", evidence="Attendance sheets for all 14 teams."
    )
    assert (done.state, done.completed_by, done.evidence) == (
        A.COMPLETED,
        police_lead,
        "Attendance sheets for all 14 teams.",
    )
    assert deadline_of(action).state == DeadlineState.MET


@pytest.fixture
def completed(action, police_lead):
    return action_advance(actor=police_lead, action_id=action.pk, transition="complete", evidence="Sheets attached.")


def test_the_coordinator_verifies_on_the_partnership_s_behalf(completed, coordinator):
    verified = action_advance(actor=coordinator, action_id=completed.pk, transition="verify")
    assert (verified.state, verified.verified_by) == (A.VERIFIED, coordinator)
    assert verified.verified_at is not None
    assert AuditEvent.objects.filter(verb="action.verify", detail__action="R1.1").exists()


def test_verifying_one_s_own_completion_is_refused(action, coordinator):
    action_advance(actor=coordinator, action_id=action.pk, transition="complete", evidence="Done by the unit.")
    before = snapshot(action)
    with pytest.raises(TransitionRefused) as refused:
        action_advance(actor=coordinator, action_id=action.pk, transition="verify")
    assert str(refused.value) == (
        "You marked R1.1 as completed: someone else must verify it on the partnership's behalf."
    )
    assert snapshot(action) == before


def test_the_owning_agency_s_lead_may_not_verify_even_as_a_coordinator(completed, second_coordinator, police):
    review_id = completed.review_id
    coordinator = completed.created_by
    review_role_grant(actor=coordinator, review_id=review_id, user=second_coordinator, role=Role.COORDINATOR)
    # A coordinator who also works for the police (only its members may lead it).
    PartnershipMember.objects.filter(user=second_coordinator).update(agency=police)
    review_role_grant(
        actor=coordinator, review_id=review_id, user=second_coordinator, role=Role.AGENCY_LEAD, agency=police
    )
    before = snapshot(completed)
    with pytest.raises(TransitionRefused) as refused:
        action_advance(actor=second_coordinator, action_id=completed.pk, transition="verify")
    assert str(refused.value) == (
        "You lead Police, which owns R1.1: an action is verified by the partnership, not by its owner."
    )
    assert snapshot(completed) == before


@pytest.mark.parametrize("who", ["police_lead", "chair"])
def test_only_the_coordinator_verifies_and_the_refusal_says_so(completed, who, request):
    """The owner lead has no verify step; nor has the chair, who holds another role on the review."""
    with pytest.raises(PermissionDenied) as refused:
        action_advance(actor=request.getfixturevalue(who), action_id=completed.pk, transition="verify")
    assert str(refused.value) == (
        f"You need the review coordinator's role on {completed.review.reference} "
        "to verify the action on the partnership's behalf."
    )
    assert fresh(completed).state == A.COMPLETED


def test_returning_needs_a_reason_and_reopens_the_deadline(completed, coordinator):
    with pytest.raises(TransitionRefused, match="A reason is required"):
        action_advance(actor=coordinator, action_id=completed.pk, transition="return_to_owner", reason=" ")
    returned = action_advance(
        actor=coordinator, action_id=completed.pk, transition="return_to_owner", reason="Sheets for 3 teams missing."
    )
    assert (returned.state, returned.return_reason) == (A.IN_PROGRESS, "Sheets for 3 teams missing.")
    assert deadline_of(completed).state == DeadlineState.OPEN


def test_closing_as_not_implemented_records_why_and_cancels_the_deadline(action, coordinator):
    with pytest.raises(TransitionRefused, match="A reason is required"):
        action_advance(actor=coordinator, action_id=action.pk, transition="close_not_implemented")
    closed = action_advance(
        actor=coordinator,
        action_id=action.pk,
        transition="close_not_implemented",
        reason="The service was decommissioned.",
    )
    assert (closed.state, closed.not_implemented_reason) == (
        A.CLOSED_NOT_IMPLEMENTED,
        "The service was decommissioned.",
    )
    assert deadline_of(action).state == DeadlineState.CANCELLED


@pytest.mark.parametrize("state", [A.VERIFIED, A.CLOSED_NOT_IMPLEMENTED])
def test_nothing_moves_a_settled_action(completed, coordinator, state):
    if state == A.VERIFIED:
        action_advance(actor=coordinator, action_id=completed.pk, transition="verify")
    else:
        action_advance(actor=coordinator, action_id=completed.pk, transition="close_not_implemented", reason="x")
    for step in ("start", "complete", "return_to_owner", "close_not_implemented"):
        with pytest.raises(TransitionRefused):
            action_advance(actor=coordinator, action_id=completed.pk, transition=step, reason="x", evidence="x")
    assert fresh(completed).state == state


# --- RAG ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "state", "rag"),
    [
        (date(2026, 5, 29), A.OPEN, Rag.RED),
        (date(2026, 5, 29), A.IN_PROGRESS, Rag.RED),
        (date(2026, 6, 1), A.OPEN, Rag.AMBER),  # due today
        (date(2026, 6, 15), A.IN_PROGRESS, Rag.AMBER),  # the 10th working day
        (date(2026, 6, 16), A.OPEN, Rag.GREEN),  # the 11th
        (date(2026, 5, 29), A.COMPLETED, Rag.GREEN),  # done, even if late
        (date(2026, 6, 2), A.VERIFIED, Rag.GREEN),
        (date(2026, 5, 29), A.CLOSED_NOT_IMPLEMENTED, ""),
    ],
)
def test_rag_is_derived_from_the_due_date_and_progress(due, state, rag):
    today = date(2026, 6, 1)  # a Monday; no bank holiday in the next two weeks
    assert add_working_days(today, 10) == date(2026, 6, 15)
    assert Action(due_date=due, state=state).rag(today) == rag


# --- closing the review ---------------------------------------------------------------------------


def test_closing_is_blocked_by_an_open_action_and_names_it(action, coordinator, police_lead):
    review = action.review
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=review.pk, transition="close", reason="Every action settled.")
    assert refused.value.reasons == ["1 action is not yet verified or closed: R1.1 (Police, open)."]

    action_advance(actor=police_lead, action_id=action.pk, transition="complete", evidence="Done")
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=review.pk, transition="close", reason="Every action settled.")
    assert refused.value.reasons == [
        "1 action is not yet verified or closed: R1.1 (Police, completed (awaiting verification))."
    ]

    action_advance(actor=coordinator, action_id=action.pk, transition="verify")
    closed = review_advance(actor=coordinator, review_id=review.pk, transition="close", reason="Every action settled.")
    assert closed.state == ReviewState.CLOSED


def test_closing_waits_for_every_recommendation_to_have_an_action(drafting, coordinator, chair, police, gp):
    write_findings(drafting, coordinator)
    first = add_recommendation(drafting, coordinator, police)
    add_recommendation(drafting, coordinator, gp, what="GP alerts")
    findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    action = add_action(first, coordinator)
    action_advance(actor=coordinator, action_id=action.pk, transition="close_not_implemented", reason="Superseded")
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=drafting.pk, transition="close", reason="Every action settled.")
    assert refused.value.reasons == ["Recommendations with no action yet: R2."]


def test_closing_the_review_cancels_the_deadlines_of_its_actions(tracking, coordinator, police_lead):
    action = add_action(tracking, coordinator)
    second = add_action(tracking, coordinator)
    action_advance(actor=police_lead, action_id=action.pk, transition="complete", evidence="Done")
    action_advance(actor=coordinator, action_id=action.pk, transition="verify")
    action_advance(actor=coordinator, action_id=second.pk, transition="close_not_implemented", reason="Superseded")
    review_advance(
        actor=coordinator, review_id=tracking.findings.review_id, transition="close", reason="Every action settled."
    )
    assert not Deadline.objects.filter(kind=DeadlineKind.ACTION_DUE, state=DeadlineState.OPEN).exists()


def test_a_step_s_side_effects_wait_for_the_commit(action, police_lead, django_capture_on_commit_callbacks):
    from workflows.signals import transitioned

    received = []

    def receiver(sender, instance, log, **kwargs):
        received.append((instance.pk, log.transition))

    transitioned.connect(receiver, sender=Action)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            action_advance(actor=police_lead, action_id=action.pk, transition="complete", evidence="Done")
            assert received == []
        assert callbacks
        for callback in callbacks:
            callback()
    finally:
        transitioned.disconnect(receiver, sender=Action)
    assert received == [(action.pk, "complete")]


def test_only_the_coordinator_moves_an_action_due_date_and_only_to_a_new_future_date(
    tracking, coordinator, chair, police_lead
):
    from reviews.services.actions import action_change_due_date

    action = add_action(tracking, coordinator)
    later = action.due_date + timedelta(days=14)
    for who in (chair, police_lead):
        with pytest.raises(PermissionDenied):
            action_change_due_date(actor=who, action_id=action.pk, new_due_date=later, reason="More time")
    with pytest.raises(ValidationError) as refused:
        action_change_due_date(actor=coordinator, action_id=action.pk, new_due_date=action.due_date, reason=" ")
    assert set(refused.value.message_dict) == {"new_due_date", "reason"}
    assert "already due on" in refused.value.message_dict["new_due_date"][0]

    moved = action_change_due_date(actor=coordinator, action_id=action.pk, new_due_date=later, reason="Agreed")
    assert moved.due_date == later == Action.objects.get(pk=action.pk).due_date
    deadline = Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(Action), object_id=action.pk, kind=DeadlineKind.ACTION_DUE
    )
    assert deadline.due_date == later and deadline.state == DeadlineState.OPEN
    assert deadline.next_reminder_on is not None and deadline.next_reminder_on <= later
