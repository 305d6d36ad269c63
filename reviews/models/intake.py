"""Intake: notifications of a child's death sent through the public form (/notify/), waiting in a
partnership's queue until a coordinator links them to another notification of the same death or
opens a child death review from them (docs/DOMAIN.md "Intake").

An intake item holds the notifier's words and the child's identity as typed. It is read only by the
coordinators of the partnership it was routed to; another partnership learns of it only through
the keyed hash of the NHS number, and then only that it exists and whom to contact.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

from reviews.models.ethnicity import Ethnicity
from reviews.models.subjects import Sex, nhs_number_hash, validate_nhs_number

# A UK postcode, written with or without its space: outward code (area, district) + inward code.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """'nb3 7qt' -> 'NB3 7QT'; '' if it is not shaped like a UK postcode."""
    match = POSTCODE.match(" ".join(value.upper().split()))
    return f"{match.group(1)} {match.group(2)}" if match else ""


def outward_code(postcode: str) -> str:
    return normalise_postcode(postcode).split(" ")[0]


class PostcodeArea(models.Model):
    """A postcode prefix a partnership covers: an area ('NB': every NB district) or one district
    ('NB3'). The longest prefix that fits a child's postcode decides the partnership."""

    partnership = models.ForeignKey("reviews.Partnership", on_delete=models.CASCADE, related_name="postcode_areas")
    prefix = models.CharField(
        max_length=4,
        unique=True,
        help_text="A postcode area (letters only, e.g. NB) or district (outward code, e.g. NB3).",
    )

    class Meta:
        ordering = ["prefix"]

    def __str__(self) -> str:
        return f"{self.prefix} → {self.partnership}"

    def clean(self) -> None:
        self.prefix = self.prefix.strip().upper()
        if not re.fullmatch(r"[A-Z]{1,2}([0-9][A-Z0-9]?)?", self.prefix):
            raise ValidationError({"prefix": "Enter a postcode area (e.g. NB) or district (e.g. NB3)."})


def postcode_prefixes(postcode: str) -> list[str]:
    """The prefixes that would cover ``postcode``, longest first: its district, then its area
    ('NB3 7QT' -> ['NB3', 'NB']); none for something that is not a postcode."""
    outward = outward_code(postcode)
    if not outward:
        return []
    return [outward, re.sub(r"[0-9].*$", "", outward)]  # the area: the letters before the first digit


class IntakeContact(models.Model):
    """Whom another partnership contacts about a child both have a notification for."""

    partnership = models.OneToOneField("reviews.Partnership", on_delete=models.CASCADE, related_name="intake_contact")
    email = models.EmailField(help_text="The CDOP business unit's shared mailbox, not a person's.")
    phone = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.partnership}: {self.email}"


# ONS 2021 census ethnic groups (England and Wales), as the ONS words them.
class DeathExpectation(models.TextChoices):
    EXPECTED = "expected", "Expected"
    UNEXPECTED = "unexpected", "Unexpected"
    NOT_KNOWN = "not_known", "Not known"


class IntakeStatus(models.TextChoices):
    NEW = "new", "New"
    LINKED = "linked", "Further notification of the same death"
    OPENED = "opened", "Child death review opened"


class IntakeItem(models.Model):
    """One notification through the public form, in the queue of the partnership it was routed to."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    partnership = models.ForeignKey("reviews.Partnership", on_delete=models.PROTECT, related_name="intake_items")
    status = models.CharField(max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.NEW)
    received_at = models.DateTimeField(auto_now_add=True)

    # The child, as the notifier typed it (restricted: the partnership's coordinators only).
    child_name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    nhs_number = models.CharField(max_length=10, blank=True, validators=[validate_nhs_number])
    nhs_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    sex = models.CharField(max_length=20, choices=Sex.choices)
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices)
    address = models.TextField()
    postcode = models.CharField(max_length=8)

    # The death.
    died_at = models.DateTimeField()
    place_of_death = models.CharField(max_length=200)
    expectation = models.CharField(max_length=12, choices=DeathExpectation.choices)

    # The notifier.
    notifier_name = models.CharField(max_length=200)
    notifier_role = models.CharField(max_length=200)
    notifier_organisation = models.CharField(max_length=200)
    notifier_email = models.EmailField()
    notifier_phone = models.CharField(max_length=40)
    became_aware_at = models.DateTimeField(help_text="When the notifier became aware of the death.")
    account = models.TextField()

    # What a coordinator made of it.
    linked_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="further_notifications"
    )
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, null=True, blank=True, related_name="intake_items"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["partnership", "status"], name="intake_partnership_status"),
            models.Index(fields=["nhs_number_hash"], name="intake_nhs_number_hash"),
            models.Index(fields=["notifier_email", "received_at"], name="intake_notifier_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="linked") | models.Q(linked_to__isnull=False),
                name="intake_linked_has_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="opened") | models.Q(review__isnull=False), name="intake_opened_has_review"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: object, **kwargs: object) -> None:
        self.nhs_number_hash = nhs_number_hash(self.nhs_number)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class NotifierAccount(models.Model):
    """A notifier's account of the death, kept with the review opened from (or linked to) it: the
    review's first document until documents arrive (issue 14). Names a real child: the review's
    coordinators only."""

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="notifier_accounts")
    intake_item = models.OneToOneField(IntakeItem, on_delete=models.PROTECT, related_name="kept_account")
    notifier = models.CharField(max_length=620, help_text="Name, role and organisation.")
    received_at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"Account {self.intake_item} on {self.review}"
