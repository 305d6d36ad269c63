"""Recording an onward notice: its date stops its clock, its content is kept, and it is recorded once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews.models import Notice, Review
from reviews.models.notices import NOTICE_SPECS, NoticeSpec
from reviews.permissions import COORDINATE, require_review_perm
from reviews.services.clocks import review_clocks_refresh
from reviews.services.review import key_date_errors
from workflows.audit import audit_record
from workflows.types import User


@dataclass(frozen=True)
class NoticeData:
    sent_on: date
    what_happened: str = ""
    agencies_involved: str = ""
    immediate_actions: str = ""
    panel_agrees: bool | None = None
    note: str = ""


CONTENT_MESSAGES = {
    "what_happened": "Say what happened: the Panel asks for it in the notification.",
    "agencies_involved": "Name the agencies involved.",
    "immediate_actions": "Say what was done straight away to keep children safe.",
    "panel_agrees": "Say whether the Panel agrees with the partners' decision.",
}


def _content_errors(spec: NoticeSpec, data: NoticeData) -> dict[str, str]:
    errors = {}
    for field in spec.content:
        value = getattr(data, field)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[field] = CONTENT_MESSAGES[field]
    return errors


def _already_recorded(spec: NoticeSpec, notice: Notice) -> str:
    return (
        f"The {spec.in_a_sentence} is already recorded: dated {notice.sent_on:%-d %B %Y}, "
        f"recorded on {timezone.localtime(notice.recorded_at):%-d %B %Y}. A notice is recorded once."
    )


def notice_record(*, actor: User, review_id: int, kind: str, data: NoticeData) -> Notice:
    """Record that the notice went (or the Panel's reply came) on ``data.sent_on``.

    The date becomes the review's stop date for the notice's clock, checked as every stop date is
    (not in the future, not before the clock's start, which must be recorded first). Raises
    ValidationError keyed by the form's fields, saving nothing, when the notice does not belong to
    this review, is already recorded, lacks content or has a date that cannot stand.
    """
    spec = NOTICE_SPECS.get(kind)
    if spec is None:
        raise ValueError(f"There is no notice called {kind!r}.")
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        require_review_perm(actor, COORDINATE, review, "record notices")
        if not spec.applies_to(review):
            raise ValidationError(_not_owed(spec, review))
        existing = Notice.objects.filter(review=review, kind=spec.kind).first()
        if existing is not None:
            raise ValidationError(_already_recorded(spec, existing))
        errors = _content_errors(spec, data)
        before = getattr(review, spec.date_field)
        setattr(review, spec.date_field, data.sent_on)
        date_error = key_date_errors(review).get(spec.date_field)
        if date_error:
            errors["sent_on"] = date_error
        if errors:
            raise ValidationError(errors)
        review.save(update_fields=[spec.date_field])
        try:
            with transaction.atomic():
                notice = Notice.objects.create(
                    review=review,
                    kind=spec.kind,
                    sent_on=data.sent_on,
                    what_happened=data.what_happened.strip(),
                    agencies_involved=data.agencies_involved.strip(),
                    immediate_actions=data.immediate_actions.strip(),
                    panel_agrees=data.panel_agrees,
                    note=data.note.strip(),
                    recorded_by=actor,
                )
        except IntegrityError:
            # The review's row lock makes this unreachable from this service; the constraint is the
            # backstop for any other writer.
            raise ValidationError(_already_recorded(spec, Notice.objects.get(review=review, kind=spec.kind))) from None
        review_clocks_refresh(review=review)
        audit_record(
            actor=actor,
            verb="review.notice_recorded",
            target=review,
            changes={spec.date_field: [before.isoformat() if before else None, data.sent_on.isoformat()]},
            notice=spec.kind,
        )
    return notice


def _not_owed(spec: NoticeSpec, review: Review) -> str:
    if spec.clock.only_if and review.kind in spec.review_kinds:
        return f"The {spec.in_a_sentence} is owed only when the child was looked after: record that first."
    return f"{review.reference} is a {review.get_kind_display().lower()}: it owes no {spec.in_a_sentence}."
