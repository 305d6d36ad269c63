"""Intake: taking a notification of a child's death from the public form, linking it to another
notification of the same death, or opening a child death review from it (docs/DOMAIN.md "Intake").

The public form has no actor: what it may do is decided here, not by a role. It writes one intake
item (or, for the same notifier sending the same child again within minutes, nothing: the first
one stands), tells the partnership's coordinators, and tells the coordinators of both partnerships
when another partnership holds a notification of the same NHS number (keyed hash only).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from notifications.services import message_send
from reviews.models import (
    IntakeItem,
    IntakeStatus,
    NotifierAccount,
    Partnership,
    PartnershipMember,
    Review,
    ReviewKind,
)
from reviews.models.intake import normalise_postcode
from reviews.models.subjects import normalise_nhs_number
from reviews.permissions import require_partnership_coordinator
from reviews.selectors.intake import partnership_for_postcode
from reviews.services.review import review_open
from reviews.services.subjects import SubjectData, subject_create
from workflows.audit import audit_record
from workflows.types import User

# References are handed to anyone who submits the form: random, so one says nothing about another
# (how many there are, when). No vowels (no words), no 0/O or 1/I.
_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"


@dataclass(frozen=True)
class IntakeData:
    child_name: str
    date_of_birth: date
    nhs_number: str
    sex: str
    ethnicity: str
    address: str
    postcode: str
    died_at: datetime
    place_of_death: str
    expectation: str
    notifier_name: str
    notifier_role: str
    notifier_organisation: str
    notifier_email: str
    notifier_phone: str
    became_aware_at: datetime
    account: str
    partnership: Partnership | None = None  # the notifier's choice; else the postcode decides

    @classmethod
    def from_form(cls, cleaned: Mapping[str, Any]) -> IntakeData:
        """From the cleaned data of reviews.forms.intake.IntakeForm (the page and the API both)."""
        return cls(**{name: cleaned[name] for name in cls.__dataclass_fields__})


def new_reference() -> str:
    return "CDN-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def _errors(data: IntakeData) -> dict[str, str]:
    """Why the notification cannot be taken, by the form's field names."""
    errors: dict[str, str] = {}
    now = timezone.now()
    today = timezone.localdate()
    born, died = data.date_of_birth, timezone.localdate(data.died_at)
    if born > today:
        errors["date_of_birth"] = "The date of birth cannot be in the future."
    if data.died_at > now:
        errors["died_on"] = "The date and time of death cannot be in the future."
    elif died < born:
        errors["died_on"] = f"The date of death cannot be before the date of birth ({born:%d %B %Y})."
    if data.became_aware_at > now:
        errors["became_aware_on"] = "The date and time you became aware cannot be in the future."
    elif "died_on" not in errors and data.became_aware_at < data.died_at:
        errors["became_aware_on"] = "You cannot have become aware of the death before the time of death."
    if not normalise_postcode(data.postcode):
        errors["postcode"] = "Enter a real UK postcode, for example NB3 7QT."
    elif data.partnership is None and partnership_for_postcode(data.postcode) is None:
        errors["postcode"] = (
            f"No partnership covers the postcode {normalise_postcode(data.postcode)}. Check it, or choose the "
            "partnership the child lived in below."
        )
    return errors


def _duplicate(partnership: Partnership, data: IntakeData, nhs_number: str) -> IntakeItem | None:
    """The same notifier's notification of the same child within INTAKE_DUPLICATE_MINUTES: a second
    press, a refresh, or sending again to be sure."""
    since = timezone.now() - timedelta(minutes=settings.INTAKE_DUPLICATE_MINUTES)
    same_child = Q(child_name__iexact=data.child_name, date_of_birth=data.date_of_birth)
    if nhs_number:
        same_child |= Q(nhs_number=nhs_number)
    return (
        IntakeItem.objects.filter(
            partnership=partnership, notifier_email__iexact=data.notifier_email, received_at__gte=since
        )
        .filter(same_child)
        .first()
    )


def coordinators_of(partnership_id: int) -> list[User]:
    users = get_user_model().objects.filter(
        memberships__partnership_id=partnership_id,
        memberships__standing=PartnershipMember.Standing.COORDINATOR,
        is_active=True,
    )
    return list(users.order_by("pk"))


def _item_link(item: IntakeItem) -> str:
    return reverse("reviews:intake_item", kwargs={"intake_reference": item.reference})


def _contact_words(partnership: Partnership) -> str:
    contact = getattr(partnership, "intake_contact", None)
    if contact is None:
        return f"Contact {partnership}'s child death business unit."
    phone = f" or {contact.phone}" if contact.phone else ""
    return f"Contact {partnership}'s child death business unit at {contact.email}{phone}."


def _tell_elsewhere(item: IntakeItem) -> None:
    """Both partnerships' coordinators learn that the other has a notification for this child and
    whom to contact; neither learns anything else (no name, no reference of the other's)."""
    if not item.nhs_number_hash:
        return
    # Their own notifications, and the subjects of their reviews (a death notified after the other
    # partnership opened its review), compared by the keyed hash alone.
    others = (
        Partnership.objects.filter(
            Q(intake_items__nhs_number_hash=item.nhs_number_hash)
            | Q(reviews__subjects__identity__nhs_number_hash=item.nhs_number_hash)
        )
        .exclude(pk=item.partnership_id)
        .select_related("intake_contact")
        .distinct()
    )
    here = Partnership.objects.select_related("intake_contact").get(pk=item.partnership_id)
    for other in others:
        what = "Another partnership has a notification for this child"
        message_send(
            users=coordinators_of(here.pk),
            key=f"intake-elsewhere:{item.pk}:{other.pk}",
            scope=here.code,
            reference=item.reference,
            what=what,
            body=f"{other} also has a notification of this child's death. {_contact_words(other)}",
            link=_item_link(item),
        )
        message_send(
            users=coordinators_of(other.pk),
            key=f"intake-elsewhere:{item.pk}:{other.pk}:other",
            scope=other.code,
            reference=f"{other.code} intake",
            what=what,
            body=(
                f"{here} has received a notification of the death of a child with the same NHS number as one in "
                f"your intake queue or reviews. {_contact_words(here)}"
            ),
            link=reverse("reviews:intake_queue"),
        )


def intake_submit(*, data: IntakeData) -> tuple[IntakeItem, bool]:
    """Take a notification from the public form: (the item, whether it is new). A repeat of a recent
    one is not stored again: the first item is returned. ValidationError by field otherwise."""
    errors = _errors(data)
    if errors:
        raise ValidationError(errors)
    nhs_number = normalise_nhs_number(data.nhs_number)
    with transaction.atomic():
        chosen = data.partnership or partnership_for_postcode(data.postcode)
        assert chosen is not None  # _errors refused a postcode no partnership covers
        # One notification at a time per partnership, so two presses of the same form cannot both
        # miss each other in the duplicate check.
        partnership = Partnership.objects.select_for_update().get(pk=chosen.pk)
        earlier = _duplicate(partnership, data, nhs_number)
        if earlier is not None:
            return earlier, False
        item = IntakeItem(
            reference=new_reference(),
            partnership=partnership,
            child_name=" ".join(data.child_name.split()),
            date_of_birth=data.date_of_birth,
            nhs_number=nhs_number,
            sex=data.sex,
            ethnicity=data.ethnicity,
            address=data.address.strip(),
            postcode=normalise_postcode(data.postcode),
            died_at=data.died_at,
            place_of_death=data.place_of_death.strip(),
            expectation=data.expectation,
            notifier_name=data.notifier_name.strip(),
            notifier_role=data.notifier_role.strip(),
            notifier_organisation=data.notifier_organisation.strip(),
            notifier_email=data.notifier_email.strip(),
            notifier_phone=data.notifier_phone.strip(),
            became_aware_at=data.became_aware_at,
            account=data.account.strip(),
        )
        item.full_clean(exclude=["reference"])
        item.save()
        # The audit row and the messages carry the reference only: e-mails leave the system.
        audit_record(actor=None, verb="intake.received", target=item, partnership=partnership.code)
        message_send(
            users=coordinators_of(partnership.pk),
            key=f"intake:{item.pk}",
            scope=partnership.code,
            reference=item.reference,
            what="A child's death has been notified",
            body="A new notification of a child's death is in your partnership's intake queue.",
            link=_item_link(item),
        )
        _tell_elsewhere(item)
    return item, True


def _locked_new_item(actor: User, item_id: int, doing: str) -> IntakeItem:
    item = IntakeItem.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=item_id)
    require_partnership_coordinator(actor, item.partnership, doing)
    if item.status != IntakeStatus.NEW:
        raise ValidationError(f"{item.reference} has already been dealt with ({item.get_status_display().lower()}).")
    return item


def _keep_account(item: IntakeItem, review: Review) -> NotifierAccount:
    return NotifierAccount.objects.create(
        review=review,
        intake_item=item,
        notifier=f"{item.notifier_name}, {item.notifier_role}, {item.notifier_organisation}",
        received_at=item.received_at,
        text=item.account,
    )


def intake_link(*, actor: User, item_id: int, to_reference: str) -> IntakeItem:
    """Record ``item`` as a further notification of the death ``to_reference`` was notified by (in
    the same queue). If a review was opened from that one, this account is kept with it too."""
    with transaction.atomic():
        item = _locked_new_item(actor, item_id, "link a notification")
        target = (
            IntakeItem.objects.filter(partnership_id=item.partnership_id, reference=to_reference.strip().upper())
            .exclude(pk=item.pk)
            .first()
        )
        if target is None:
            raise ValidationError({"to_reference": f"There is no other notification {to_reference} in this queue."})
        while target.linked_to_id is not None:  # link to the first notification of the death
            target = IntakeItem.objects.get(pk=target.linked_to_id)
        if target.pk == item.pk:
            raise ValidationError({"to_reference": "A notification cannot be linked to itself."})
        item.status, item.linked_to = IntakeStatus.LINKED, target
        item.save(update_fields=["status", "linked_to"])
        if target.review_id is not None:
            _keep_account(item, target.review)  # type: ignore[arg-type]
        audit_record(actor=actor, verb="intake.linked", target=item, to=target.reference)
    return item


def pseudonym_for(sequence: int) -> str:
    """'Child A' for a partnership's first child death review of the year, ... 'Child Z', 'Child AA':
    unique among the CDRs a panel sees together, and saying nothing about the child."""
    letters = ""
    while sequence > 0:
        sequence, rest = divmod(sequence - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Child {letters}"


def intake_open_review(*, actor: User, item_id: int) -> Review:
    """Open a child death review from a notification: the identity goes to the restricted identity,
    the panel's papers use a pseudonym, the notifier's awareness becomes the review's
    ``became_aware_on``, and the account (with those of further notifications linked to it) is kept
    with the review."""
    with transaction.atomic():
        item = _locked_new_item(actor, item_id, "open a child death review")
        review = review_open(
            actor=actor,
            partnership=item.partnership,
            kind=ReviewKind.CHILD_DEATH,
            title=f"Notification {item.reference}",  # replaced by the pseudonym below
            key_dates={
                "became_aware_on": timezone.localdate(item.became_aware_at),
                "incident_on": timezone.localdate(item.died_at),
                # Notified to the CDOP: the day the form reached the partnership.
                "notified_on": timezone.localdate(item.received_at),
            },
        )
        pseudonym = pseudonym_for(review.sequence)
        review.title = pseudonym
        review.save(update_fields=["title"])
        subject_create(
            review=review,
            data=SubjectData(
                pseudonym=pseudonym,
                date_of_birth=item.date_of_birth,
                date_of_death_or_incident=timezone.localdate(item.died_at),
                sex=item.sex,
                full_name=item.child_name,
                nhs_number=item.nhs_number,
                address=f"{item.address}\n{item.postcode}",
            ),
        )
        item.status, item.review = IntakeStatus.OPENED, review
        item.save(update_fields=["status", "review"])
        _keep_account(item, review)
        for further in item.further_notifications.all():
            _keep_account(further, review)
        audit_record(actor=actor, verb="intake.opened", target=item, review=review.reference)
    return review
