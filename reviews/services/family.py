"""Recording the family's involvement in a review: the coordinator's record of whether and how the
family was told, their views, the meetings held with them, and their sight of the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviews.models import FamilyInvolvement, FamilyMeeting, Review, ToldHow
from reviews.permissions import COORDINATE, require_review_perm
from workflows.audit import audit_record
from workflows.runner import TransitionRefused
from workflows.types import User


@dataclass(frozen=True)
class InvolvementData:
    told_on: date | None = None
    told_by: str = ""
    told_how: str = ""
    not_told_reason: str = ""
    views_sought_on: date | None = None
    views_given_on: date | None = None
    views_note: str = ""
    saw_report_on: date | None = None


DATES = {
    "told_on": "The date the family was told",
    "views_sought_on": "The date their views were sought",
    "views_given_on": "The date they gave their views",
    "saw_report_on": "The date they saw the report",
}


def _involvement_errors(data: InvolvementData, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field, words in DATES.items():
        value = getattr(data, field)
        if value is not None and value > today:
            errors[field] = f"{words} cannot be in the future."
    told_said = bool(data.told_by.strip() or data.told_how)
    if data.told_on is not None:
        if not data.told_by.strip():
            errors["told_by"] = "Say who told the family (a role, e.g. the chair)."
        if not data.told_how:
            errors["told_how"] = "Say how the family was told."
        if data.not_told_reason.strip():
            errors["not_told_reason"] = "The family was told: leave the reason they were not told empty."
    elif told_said:
        errors.setdefault("told_on", "Enter the date the family was told, or leave who and how empty.")
    if data.told_how and data.told_how not in ToldHow.values:
        errors["told_how"] = "Say how the family was told."
    if data.views_given_on is not None:
        if data.views_sought_on is None:
            errors.setdefault("views_sought_on", "Enter the date their views were sought.")
        elif data.views_given_on < data.views_sought_on:
            errors.setdefault("views_given_on", "The date they gave their views cannot be before they were sought.")
    return errors


def family_involvement_record(*, actor: User, review_id: int, data: InvolvementData) -> FamilyInvolvement:
    """Create or change the review's record of the family's involvement (the coordinator's).
    ValidationError keyed by the form's fields, saving nothing, when the dates or details do not
    stand together."""
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).get(pk=review_id)
        require_review_perm(actor, COORDINATE, review, "record the family's involvement")
        _refuse_closed(review)
        errors = _involvement_errors(data, timezone.localdate())
        if errors:
            raise ValidationError(errors)
        record = FamilyInvolvement.objects.filter(review=review).first()
        before = _as_record(record) if record is not None else {}
        if record is None:
            record = FamilyInvolvement(review=review, updated_by=actor)
        record.told_on = data.told_on
        record.told_by = data.told_by.strip()
        record.told_how = data.told_how
        record.not_told_reason = data.not_told_reason.strip()
        record.views_sought_on = data.views_sought_on
        record.views_given_on = data.views_given_on
        record.views_note = data.views_note.strip()
        record.saw_report_on = data.saw_report_on
        record.updated_by = actor
        record.save()
        after = _as_record(record)
        # Dates and choices only: the free text may hold what the family said.
        changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
        audit_record(actor=actor, verb="review.family_involvement_recorded", target=review, changes=changes)
    return record


def _refuse_closed(review: Review) -> None:
    """A closed or withdrawn review's record of the family stands as it was."""
    if not review.is_open:
        raise TransitionRefused(
            f"{review.reference} is {review.get_state_display().lower()}: "
            "the family's involvement is no longer recorded."
        )


def _as_record(record: FamilyInvolvement) -> dict[str, str | None]:
    return {
        "told_on": record.told_on.isoformat() if record.told_on else None,
        "told_how": record.told_how or None,
        "views_sought_on": record.views_sought_on.isoformat() if record.views_sought_on else None,
        "views_given_on": record.views_given_on.isoformat() if record.views_given_on else None,
        "saw_report_on": record.saw_report_on.isoformat() if record.saw_report_on else None,
    }


@dataclass(frozen=True)
class MeetingData:
    held_on: date
    attended: str
    note: str = ""


def family_meeting_record(*, actor: User, review_id: int, data: MeetingData) -> FamilyMeeting:
    """A meeting with the family: when, who was there, and a note (the coordinator's)."""
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).get(pk=review_id)
        require_review_perm(actor, COORDINATE, review, "record meetings with the family")
        _refuse_closed(review)
        errors: dict[str, str] = {}
        if data.held_on > timezone.localdate():
            errors["held_on"] = "The date of the meeting cannot be in the future: record it once it has happened."
        if not data.attended.strip():
            errors["attended"] = "Say who attended (roles or pseudonyms)."
        if errors:
            raise ValidationError(errors)
        meeting = FamilyMeeting.objects.create(
            review=review,
            held_on=data.held_on,
            attended=data.attended.strip(),
            note=data.note.strip(),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            verb="review.family_meeting_recorded",
            target=review,
            meeting=meeting.pk,
            held_on=data.held_on.isoformat(),
        )
    return meeting
