"""Adding the people a review is about, with their identity kept apart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from reviews.models import Review, Sex, Subject, SubjectIdentity
from reviews.models.subjects import normalise_nhs_number
from reviews.permissions import require_review_perm
from reviews.selectors.subjects import identity_hits
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


class IdentityCheck:
    """The free-text check of one save (ui.views.TextCheck): a subject's real name, NHS number or
    address in any of ``fields`` is a warning naming the field and the pseudonym to use
    (reviews.selectors.subjects.identity_hits). Saving anyway is audited, with the fields and the
    pseudonyms only, never what was typed."""

    def __init__(
        self,
        *,
        actor: User,
        target: models.Model,
        fields: Iterable[str],
        what: str,
        review_ids: Iterable[int] | None = None,
    ) -> None:
        """``target`` is what is written on (a review, or a panel meeting: then ``review_ids`` are
        the reviews on its agenda, whose subjects' identities are looked for)."""
        self.actor, self.target, self.fields, self.what = actor, target, tuple(fields), what
        self.review_ids = list(review_ids) if review_ids is not None else [target.pk]

    def warnings(self, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        texts = {name: str(data.get(name) or "") for name in self.fields}
        return [(hit.field, hit.message) for hit in identity_hits(texts, review_ids=self.review_ids)]

    def saved_anyway(self, warnings: list[tuple[str, str]]) -> None:
        audit_record(
            actor=self.actor,
            verb="identity.saved_anyway",
            target=self.target,
            what=self.what,
            fields=sorted({name for name, _ in warnings}),
        )
