"""Recording a child death review as a CDOP runs it: the notification dataset, the joint agency
response's steps, the child death review meeting and the CDOP's independent review.

Every writer locks the review first, checks the coordinator's role, checks everything it was given
and raises one ValidationError keyed by the form's fields, saving nothing, if anything cannot stand.
The meeting and the CDOP review are steps of the review's ChildDeath row (workflows.runner), so each
is a row of the review's history; their dates stop the review's clocks (docs/DOMAIN.md, Clocks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews.models import ChildDeath, JointAgencyResponseItem, Review, ReviewKind
from reviews.models.child_death import JAR_DATE_FIELDS, Disability, Ethnicity, JarItem, PlaceOfDeath
from reviews.permissions import COORDINATE, require_review_perm
from reviews.services.clocks import review_clocks_refresh
from reviews.services.review import key_date_errors, notice_flag_errors
from workflows.audit import audit_record
from workflows.clocks import add_months
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused, run_transition
from workflows.types import User


def _locked_child_death_review(actor: User, review_id: int, doing: str) -> Review:
    review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
    require_review_perm(actor, COORDINATE, review, doing)
    if review.kind != ReviewKind.CHILD_DEATH:
        raise TransitionRefused(
            f"{review.reference} is a {review.get_kind_display().lower()}, not a child death review."
        )
    if not review.is_open:
        raise TransitionRefused(
            f"{review.reference} is {review.get_state_display().lower()}: nothing more is recorded."
        )
    return review


def _long(day: date) -> str:
    return f"{day:%-d %B %Y}"


# --- the notification dataset ----------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetData:
    died_on: date
    became_aware_on: date
    became_aware_at: time | None
    unexpected: bool
    place_of_death: str
    ethnicity: str
    looked_after: bool
    disability: str
    home_local_authority: str
    notifier_name: str
    notifier_role: str


def _dataset_errors(review: Review, data: DatasetData) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if data.died_on > today:
        errors["died_on"] = "The date of death cannot be in the future."
    else:
        born_after = [s for s in review.subjects.all() if s.date_of_birth and s.date_of_birth > data.died_on]
        for subject in born_after:
            assert subject.date_of_birth is not None
            errors["died_on"] = (
                f"The date of death cannot be before {subject.pseudonym}'s date of birth "
                f"({_long(subject.date_of_birth)})."
            )
    if data.became_aware_on > today:
        errors["became_aware_on"] = "The date the notifier became aware cannot be in the future."
    elif data.became_aware_on < data.died_on and "died_on" not in errors:
        errors["became_aware_on"] = (
            f"The notifier cannot have become aware of the death before it happened ({_long(data.died_on)})."
        )
    for field, value, choices, message in (
        ("place_of_death", data.place_of_death, PlaceOfDeath.values, "Choose where the child died."),
        ("ethnicity", data.ethnicity, Ethnicity.values, "Choose the child's ethnicity, or not known."),
        ("disability", data.disability, Disability.values, "Say whether the child had a disability, or not known."),
    ):
        if value not in choices:
            errors[field] = message
    for field, value, message in (
        ("home_local_authority", data.home_local_authority, "Name the local authority where the child normally lived."),
        ("notifier_name", data.notifier_name, "Name the professional who notified the death."),
        ("notifier_role", data.notifier_role, "Give the notifier's role and organisation."),
    ):
        if not value.strip():
            errors[field] = message
    if flag_error := notice_flag_errors(review, {"child_looked_after": data.looked_after}):
        errors["looked_after"] = flag_error["child_looked_after"]
    if not data.unexpected and review.jar_items.exists():
        errors["unexpected"] = (
            "The joint agency response to this unexpected death is already recorded: the death stays unexpected."
        )
    return errors


def child_death_dataset_record(*, actor: User, review_id: int, data: DatasetData) -> ChildDeath:
    """Record (or correct) the notification dataset. The date of death, the date of becoming aware,
    looked-after status and whether the death was unexpected are the review's key facts: they start
    the 48-hour notification clock and, for an unexpected death, the joint agency response's clocks."""
    with transaction.atomic():
        review = _locked_child_death_review(actor, review_id, "record the notification dataset")
        errors = _dataset_errors(review, data)
        before = {f: getattr(review, f) for f in ("incident_on", "became_aware_on", "death_unexpected")}
        review.incident_on = data.died_on
        review.became_aware_on = data.became_aware_on
        review.death_unexpected = data.unexpected
        review.child_looked_after = data.looked_after
        date_errors = key_date_errors(review)
        for field, form_field in (("incident_on", "died_on"), ("became_aware_on", "became_aware_on")):
            if field in date_errors and form_field not in errors:
                errors[form_field] = date_errors[field]
        # Dates recorded elsewhere (a notification sent before this awareness date) cannot stand either.
        others = {k: v for k, v in date_errors.items() if k not in ("incident_on", "became_aware_on")}
        if others:
            errors["became_aware_on"] = errors.get("became_aware_on") or next(iter(others.values()))
        if errors:
            raise ValidationError(errors)
        review.save(update_fields=["incident_on", "became_aware_on", "death_unexpected", "child_looked_after"])
        record, _ = ChildDeath.objects.select_for_update().get_or_create(review=review)
        record.place_of_death = data.place_of_death
        record.ethnicity = data.ethnicity
        record.disability = data.disability
        record.home_local_authority = data.home_local_authority.strip()
        record.notifier_name = data.notifier_name.strip()
        record.notifier_role = data.notifier_role.strip()
        record.became_aware_at = data.became_aware_at
        record.dataset_recorded_by = actor
        record.dataset_recorded_at = timezone.now()
        record.save()
        review_clocks_refresh(review=review)
        audit_record(
            actor=actor,
            verb="child_death.dataset_recorded",
            target=review,
            changes={
                field: [_iso(value), _iso(getattr(review, field))]
                for field, value in before.items()
                if value != getattr(review, field)
            },
        )
    return record


def _iso(value: date | bool | None) -> str | bool | None:
    return value.isoformat() if isinstance(value, date) else value


# --- the joint agency response --------------------------------------------------------------------


@dataclass(frozen=True)
class JarItemData:
    done_on: date
    done_at: time | None
    done_by: str
    note: str = ""


def jar_item_record(*, actor: User, review_id: int, item: str, data: JarItemData) -> JointAgencyResponseItem:
    """Record one step of the joint agency response, once: its date stops its practice clock."""
    if item not in JarItem.values:
        raise ValueError(f"There is no joint agency response step called {item!r}.")
    label = JarItem(item).label
    with transaction.atomic():
        review = _locked_child_death_review(actor, review_id, "record the joint agency response")
        if not review.death_unexpected:
            raise TransitionRefused(
                "A joint agency response follows an unexpected death: record the death as unexpected first."
            )
        existing = JointAgencyResponseItem.objects.filter(review=review, item=item).first()
        if existing is not None:
            raise TransitionRefused(f"The {label.lower()} is already recorded, dated {_long(existing.done_on)}.")
        errors: dict[str, str] = {}
        if not data.done_by.strip():
            errors["done_by"] = f"Say who took part in the {label.lower()}: roles and agencies."
        field = JAR_DATE_FIELDS[item]
        setattr(review, field, data.done_on)
        date_error = key_date_errors(review).get(field)
        if date_error:
            errors["done_on"] = date_error
        if errors:
            raise ValidationError(errors)
        review.save(update_fields=[field])
        try:
            with transaction.atomic():
                record = JointAgencyResponseItem.objects.create(
                    review=review,
                    item=item,
                    done_on=data.done_on,
                    done_at=data.done_at,
                    done_by=data.done_by.strip(),
                    note=data.note.strip(),
                    recorded_by=actor,
                )
        except IntegrityError:
            # Unreachable under the review's lock; the constraint is the backstop for other writers.
            raise TransitionRefused(f"The {label.lower()} is already recorded.") from None
        review_clocks_refresh(review=review)
        audit_record(
            actor=actor,
            verb="child_death.jar_recorded",
            target=review,
            item=item,
            changes={field: [None, _iso(data.done_on)]},
        )
    return record


# --- the child death review meeting, then the CDOP ------------------------------------------------


@dataclass(frozen=True)
class MeetingData:
    held_on: date
    notice_given_on: date
    post_mortem_received_on: date | None
    no_post_mortem: bool = False
    notes: str = ""


def _meeting_errors(review: Review, data: MeetingData) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    received = data.post_mortem_received_on
    if data.no_post_mortem:
        if received is not None:
            errors["post_mortem_received_on"] = "Leave the date empty: you said no post-mortem was held."
    elif received is None:
        errors["post_mortem_received_on"] = (
            "Give the date the post-mortem report was received, or say no post-mortem was held: "
            "the meeting waits for the report."
        )
    elif received > today:
        errors["post_mortem_received_on"] = "The date the post-mortem report was received cannot be in the future."
    elif data.held_on < received:
        errors["held_on"] = (
            f"The meeting cannot be before the post-mortem report was received ({_long(received)}): "
            "it is held once the report is available."
        )
    if data.notice_given_on > today:
        errors["notice_given_on"] = "The date notice was given cannot be in the future."
    elif "held_on" not in errors and data.held_on < add_months(data.notice_given_on, 1):
        errors["held_on"] = (
            f"Give at least a month's notice of the meeting: with notice given on {_long(data.notice_given_on)}, "
            f"it can be held from {_long(add_months(data.notice_given_on, 1))}."
        )
    review.cdr_meeting_on = data.held_on
    date_error = key_date_errors(review).get("cdr_meeting_on")
    if date_error and "held_on" not in errors:
        errors["held_on"] = date_error
    return errors


def cdr_meeting_record(*, actor: User, review_id: int, data: MeetingData) -> ChildDeath:
    """Record the child death review meeting: held once the post-mortem report is available, with at
    least a month's notice. Its date stops the meeting's clock; the step is in the review's history."""
    with transaction.atomic():
        review = _locked_child_death_review(actor, review_id, "record the child death review meeting")
        errors = _meeting_errors(review, data)
        if errors:
            raise ValidationError(errors)
        record, _ = ChildDeath.objects.get_or_create(review=review)

        def after(locked: ChildDeath, log: TransitionLog) -> None:
            review.save(update_fields=["cdr_meeting_on"])
            review_clocks_refresh(review=review)
            audit_record(
                actor=actor,
                verb="child_death.meeting_recorded",
                target=review,
                changes={"cdr_meeting_on": [None, data.held_on.isoformat()]},
            )

        return run_transition(
            queryset=ChildDeath.objects.select_related("review"),
            pk=record.pk,
            name="hold_meeting",
            actor=actor,
            arguments={
                "held_on": data.held_on,
                "post_mortem_received_on": data.post_mortem_received_on,
                "no_post_mortem": data.no_post_mortem,
                "notice_given_on": data.notice_given_on,
                "notes": data.notes.strip(),
            },
            after=after,
        )


@dataclass(frozen=True)
class CdopReviewData:
    reviewed_on: date
    notes: str = ""


def cdop_review_record(*, actor: User, review_id: int, data: CdopReviewData) -> ChildDeath:
    """Record the CDOP's independent review, after the child death review meeting. Its date stops the
    CDOP review's clock; the step is in the review's history."""
    with transaction.atomic():
        review = _locked_child_death_review(actor, review_id, "record the CDOP's review")
        record = ChildDeath.objects.filter(review=review).first()
        if record is None or record.meeting_held_on is None:
            raise TransitionRefused("Record the child death review meeting first: the CDOP reviews the death after it.")
        errors: dict[str, str] = {}
        if data.reviewed_on < record.meeting_held_on:
            errors["reviewed_on"] = (
                f"The CDOP's review cannot be before the child death review meeting ({_long(record.meeting_held_on)})."
            )
        review.cdop_reviewed_on = data.reviewed_on
        date_error = key_date_errors(review).get("cdop_reviewed_on")
        if date_error and not errors:
            errors["reviewed_on"] = date_error
        if errors:
            raise ValidationError(errors)

        def after(locked: ChildDeath, log: TransitionLog) -> None:
            review.save(update_fields=["cdop_reviewed_on"])
            review_clocks_refresh(review=review)
            audit_record(
                actor=actor,
                verb="child_death.cdop_review_recorded",
                target=review,
                changes={"cdop_reviewed_on": [None, data.reviewed_on.isoformat()]},
            )

        return run_transition(
            queryset=ChildDeath.objects.select_related("review"),
            pk=record.pk,
            name="complete_cdop_review",
            actor=actor,
            arguments={"reviewed_on": data.reviewed_on, "notes": data.notes.strip()},
            after=after,
        )
