"""Panel meetings: scheduling, invitations, agenda, attendance, minutes, and the decisions taken.

A decision is recorded only when the meeting was quorate under the partnership's rule. A rapid
review's decision also acts on the review in the same transaction:

* local CSPR: the rapid review converts (reviews.services.review_convert_to_cspr), with the
  partners' decision date taken from the meeting when none was recorded;
* no local review: the rapid review is withdrawn ("not proceeding") with the rationale and the
  other action agreed as its recorded reason. Withdrawal is exactly the spine's "not proceeding
  with a recorded rationale" (docs/DOMAIN.md), so no separate transition is needed;
* referral for a national review: recorded only. The national Panel decides whether to take it
  (in about 10 working days); the coordinator then converts or withdraws the rapid review.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviews.models import Agency, Partnership, PartnershipMember, Review, ReviewKind
from reviews.models.panels import (
    RAPID_REVIEW_OUTCOMES,
    DecisionOutcome,
    PanelAgendaItem,
    PanelDecision,
    PanelInvitation,
    PanelMeeting,
)
from reviews.permissions import COORDINATE, has_review_perm, require_partnership_coordinator, require_review_perm
from reviews.selectors.panels import quorum_reason
from reviews.services.review import review_advance, review_convert_to_cspr, review_record_key_dates
from workflows.audit import audit_record
from workflows.runner import TransitionRefused
from workflows.types import User


def _locked_meeting(actor: User, meeting_id: int, doing: str) -> PanelMeeting:
    meeting = PanelMeeting.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=meeting_id)
    require_partnership_coordinator(actor, meeting.partnership, doing)
    return meeting


def _member_errors(partnership: Partnership, user: User, agency: Agency | None, field: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not PartnershipMember.objects.filter(partnership=partnership, user=user).exists():
        errors[field] = f"{user} is not a member of {partnership}."
    if agency is not None and not agency.partnerships.filter(pk=partnership.pk).exists():
        errors["agency"] = f"{agency} does not serve {partnership}."
    return errors


def panel_meeting_create(
    *,
    actor: User,
    partnership: Partnership,
    held_on: date | None,
    chair: User,
    title: str = "",
    members: Sequence[tuple[User, Agency | None]] = (),
    review_ids: Sequence[int] = (),
) -> PanelMeeting:
    """A coordinator schedules a meeting; the chair is invited with it."""
    require_partnership_coordinator(actor, partnership, "schedule a panel meeting")
    errors = _member_errors(partnership, chair, None, "chair")
    if held_on is None:
        errors["held_on"] = "Give the date of the meeting."
    if errors or held_on is None:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = PanelMeeting.objects.create(
            partnership=partnership, held_on=held_on, chair=chair, title=title.strip(), created_by=actor
        )
        PanelInvitation.objects.create(meeting=meeting, user=chair)
        for user, agency in members:
            if user.pk != chair.pk:
                panel_invite(actor=actor, meeting_id=meeting.pk, user=user, agency=agency)
        for review_id in review_ids:
            panel_agenda_add(actor=actor, meeting_id=meeting.pk, review_id=review_id)
        audit_record(actor=actor, verb="panel.scheduled", target=meeting, held_on=held_on.isoformat())
    return meeting


def panel_invite(*, actor: User, meeting_id: int, user: User, agency: Agency | None = None) -> PanelInvitation:
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id, "invite panel members")
        errors = _member_errors(meeting.partnership, user, agency, "user")
        if PanelInvitation.objects.filter(meeting=meeting, user=user).exists():
            errors["user"] = f"{user} is already invited."
        if errors:
            raise ValidationError(errors)
        invitation = PanelInvitation.objects.create(meeting=meeting, user=user, agency=agency)
        audit_record(
            actor=actor, verb="panel.invited", target=meeting, user=user.get_username(), agency=str(agency or "")
        )
    return invitation


def panel_agenda_add(*, actor: User, meeting_id: int, review_id: int) -> PanelAgendaItem:
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id, "set the agenda")
        review = Review.objects.get(pk=review_id)
        errors: dict[str, str] = {}
        if review.partnership_id != meeting.partnership_id:
            errors["review"] = f"{review} is not a review of {meeting.partnership}."
        elif not has_review_perm(actor, "coordinate_review", review):
            errors["review"] = f"You do not coordinate {review}."
        elif PanelAgendaItem.objects.filter(meeting=meeting, review=review).exists():
            errors["review"] = f"{review} is already on the agenda."
        if errors:
            raise ValidationError(errors)
        last = meeting.agenda.order_by("-position").values_list("position", flat=True).first() or 0
        item = PanelAgendaItem.objects.create(meeting=meeting, review=review, position=last + 1)
        audit_record(actor=actor, verb="panel.agenda_added", target=meeting, review=review.reference)
    return item


def panel_attendance_record(*, actor: User, meeting_id: int, attended: dict[int, bool | None]) -> PanelMeeting:
    """Record who came: ``attended`` maps invitation ids to True (present), False (absent) or None."""
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id, "record attendance")
        if meeting.held_on > timezone.localdate() and any(attended.values()):
            raise ValidationError(
                {"attended": f"The meeting is on {meeting.held_on:%-d %B %Y}: record attendance once it is held."}
            )
        invitations = {i.pk: i for i in meeting.invitations.select_related("user")}
        changed = []
        for invitation_id, present in attended.items():
            invitation = invitations.get(invitation_id)
            if invitation is None:
                raise ValidationError({"attended": "That person is not invited to this meeting."})
            if invitation.attended != present:
                invitation.attended = present
                invitation.save(update_fields=["attended"])
                changed.append(invitation.user.get_username())
        audit_record(actor=actor, verb="panel.attendance_recorded", target=meeting, changed=changed)
    return meeting


def panel_minutes_save(*, actor: User, meeting_id: int, minutes: str) -> PanelMeeting:
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id, "write the minutes")
        meeting.minutes = minutes.strip()
        meeting.save(update_fields=["minutes"])
        audit_record(actor=actor, verb="panel.minutes_saved", target=meeting)
    return meeting


# --- decisions ------------------------------------------------------------------------------------


def panel_decision_record(
    *,
    actor: User,
    meeting_id: int,
    review_id: int,
    outcome: str,
    rationale: str,
    other_action: str = "",
) -> PanelDecision:
    """Record the panel's decision on one review of its agenda, and act on a rapid review's."""
    with transaction.atomic():
        meeting = PanelMeeting.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=meeting_id)
        review = Review.objects.select_related("partnership").get(pk=review_id)
        require_review_perm(actor, COORDINATE, review, "record the panel's decision on it")
        if not meeting.agenda.filter(review=review).exists():
            raise TransitionRefused(f"{review} is not on the agenda of this meeting.")
        if PanelDecision.objects.filter(meeting=meeting, review=review).exists():
            raise TransitionRefused(f"A decision on {review} was already recorded at this meeting.")
        if meeting.held_on > timezone.localdate():
            raise TransitionRefused(
                f"The meeting is on {meeting.held_on:%-d %B %Y}: record its decisions once it has been held."
            )
        reason = quorum_reason(meeting)
        if reason:
            raise TransitionRefused(
                "No decision can be recorded: the meeting was not quorate.", [reason + " Record attendance first."]
            )
        errors: dict[str, str] = {}
        is_rapid = review.kind == ReviewKind.RAPID
        if is_rapid and outcome not in RAPID_REVIEW_OUTCOMES:
            errors["outcome"] = (
                "Choose the partners' decision: a local review, no local review, or a national referral."
            )
        elif not is_rapid and outcome != DecisionOutcome.RECORDED:
            errors["outcome"] = "Only a rapid review has a local review / no review / national referral decision."
        if not rationale.strip():
            errors["rationale"] = "Give the rationale for the decision."
        if outcome == DecisionOutcome.NO_LOCAL_REVIEW and not other_action.strip():
            errors["other_action"] = "Say what other action was agreed instead of a local review."
        if errors:
            raise ValidationError(errors)

        decision = PanelDecision.objects.create(
            meeting=meeting,
            review=review,
            outcome=outcome,
            rationale=rationale.strip(),
            other_action=other_action.strip(),
            recorded_by=actor,
        )
        if outcome == DecisionOutcome.LOCAL_CSPR:
            if review.decision_on is None:
                review_record_key_dates(actor=actor, review_id=review.pk, key_dates={"decision_on": meeting.held_on})
            cspr = review_convert_to_cspr(
                actor=actor, review_id=review.pk, reason=f"Panel of {meeting.held_on:%-d %B %Y}: {rationale.strip()}"
            )
            decision.resulting_review = cspr
            decision.save(update_fields=["resulting_review"])
        elif outcome == DecisionOutcome.NO_LOCAL_REVIEW:
            review_advance(
                actor=actor,
                review_id=review.pk,
                transition="withdraw",
                reason=f"No local review (panel of {meeting.held_on:%-d %B %Y}): {rationale.strip()}\n"
                f"Other action: {other_action.strip()}",
            )
        audit_record(
            actor=actor,
            verb="panel.decision_recorded",
            target=meeting,
            review=review.reference,
            outcome=outcome,
            resulting_review=decision.resulting_review.reference if decision.resulting_review else "",
        )
    return decision
