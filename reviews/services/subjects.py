"""Adding the people a review is about, with their identity kept apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviews.models import Review, Sex, Subject, SubjectIdentity
from reviews.models.subjects import normalise_nhs_number
from reviews.permissions import require_review_perm
from workflows.audit import audit_record
from workflows.types import User


@dataclass(frozen=True)
class SubjectData:
    pseudonym: str
    date_of_birth: date | None = None
    date_of_death_or_incident: date | None = None
    sex: str = Sex.NOT_KNOWN
    full_name: str = ""
    nhs_number: str = ""
    address: str = ""


def _validated_subject(review: Review, data: SubjectData) -> tuple[Subject, SubjectIdentity | None]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    subject = Subject(
        review=review,
        pseudonym=data.pseudonym.strip(),
        date_of_birth=data.date_of_birth,
        date_of_death_or_incident=data.date_of_death_or_incident,
        sex=data.sex,
    )
    for field in ("date_of_birth", "date_of_death_or_incident"):
        value = getattr(subject, field)
        if value and value > today:
            errors.setdefault(field, []).append("This date is in the future.")
    if review.pk and review.subjects.filter(pseudonym__iexact=subject.pseudonym).exists():
        errors.setdefault("pseudonym", []).append(f"{subject.pseudonym} is already a subject of this review.")
    try:
        subject.full_clean(exclude=["review"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)

    identity = None
    if data.full_name or data.nhs_number or data.address:
        identity = SubjectIdentity(
            full_name=data.full_name.strip(),
            nhs_number=normalise_nhs_number(data.nhs_number),
            address=data.address.strip(),
        )
        try:
            identity.full_clean(exclude=["subject"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return subject, identity


def subject_create(*, review: Review, data: SubjectData) -> Subject:
    """Validate and save one subject; callers hold the transaction and have checked permission."""
    subject, identity = _validated_subject(review, data)
    subject.save()
    if identity is not None:
        identity.subject = subject
        identity.save()
    return subject


def subject_add(*, actor: User, review_id: int, data: SubjectData) -> Subject:
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        require_review_perm(actor, "coordinate_review", review, "add a subject")
        subject = subject_create(review=review, data=data)
        # The audit row names the pseudonym only: the trail is read more widely than identities.
        audit_record(actor=actor, verb="subject.added", target=review, pseudonym=subject.pseudonym)
    return subject
