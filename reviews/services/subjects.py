"""Adding the people a review is about, with their identity kept apart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from reviews.models import RestrictedName, Review, Sex, Subject, SubjectIdentity
from reviews.models.subjects import normalise_nhs_number
from reviews.permissions import VIEW_IDENTITY, require_review_perm
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


RESTRICTED_NAME_MESSAGES = {
    "pseudonym": "Enter the pseudonym papers and reports use, e.g. Nursery Z or K.",
    "real_name": "Enter the real name.",
    "real_name_short": "Enter the whole real name: at least 3 letters.",
    "what": "Choose whether this is the setting or an alleged perpetrator.",
    "taken": "{pseudonym} is already used on this review.",
    "inside": "The pseudonym must not contain the real name.",
}


def restricted_name_add(*, actor: User, review_id: int, pseudonym: str, real_name: str, what: str) -> RestrictedName:
    """Record the real name of a setting or an alleged perpetrator and the pseudonym written instead;
    audited with the pseudonym only."""
    pseudonym, real_name = pseudonym.strip(), " ".join(real_name.split())
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        require_review_perm(actor, VIEW_IDENTITY, review, "record the real names behind pseudonyms")
        errors: dict[str, list[str]] = {}
        if not pseudonym:
            errors["pseudonym"] = [RESTRICTED_NAME_MESSAGES["pseudonym"]]
        elif (
            review.restricted_names.filter(pseudonym__iexact=pseudonym).exists()
            or review.subjects.filter(pseudonym__iexact=pseudonym).exists()
        ):
            errors["pseudonym"] = [RESTRICTED_NAME_MESSAGES["taken"].format(pseudonym=pseudonym)]
        if not real_name:
            errors["real_name"] = [RESTRICTED_NAME_MESSAGES["real_name"]]
        elif len(real_name) < 3:
            errors["real_name"] = [RESTRICTED_NAME_MESSAGES["real_name_short"]]
        elif pseudonym and real_name.casefold() in pseudonym.casefold():
            errors["pseudonym"] = [RESTRICTED_NAME_MESSAGES["inside"]]
        if what not in RestrictedName.What.values:
            errors["what"] = [RESTRICTED_NAME_MESSAGES["what"]]
        if errors:
            raise ValidationError(errors)
        name = RestrictedName.objects.create(
            review=review, pseudonym=pseudonym, real_name=real_name, what=what, recorded_by=actor
        )
        audit_record(actor=actor, verb="restricted_name.added", target=review, pseudonym=pseudonym, what=what)
    return name


def restricted_name_remove(*, actor: User, review_id: int, name_id: int) -> None:
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        require_review_perm(actor, VIEW_IDENTITY, review, "record the real names behind pseudonyms")
        name = RestrictedName.objects.filter(review=review, pk=name_id).first()
        if name is None:
            raise ValidationError({"name": ["This name has already been removed."]})
        name.delete()
        audit_record(actor=actor, verb="restricted_name.removed", target=review, pseudonym=name.pseudonym)
