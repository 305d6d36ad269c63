"""Subjects of a review (pseudonyms) and their identities, kept apart."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from nhs_number import is_valid as nhs_number_is_valid


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INDETERMINATE = "indeterminate", "Indeterminate"
    NOT_KNOWN = "not_known", "Not known"


class Subject(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="subjects")
    pseudonym = models.CharField(max_length=60, help_text="As used in panel papers, e.g. 'Child A'.")
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_death_or_incident = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_KNOWN)

    class Meta:
        ordering = ["pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["review", "pseudonym"], name="subject_unique_pseudonym"),
            models.CheckConstraint(
                condition=models.Q(date_of_birth__isnull=True)
                | models.Q(date_of_death_or_incident__isnull=True)
                | models.Q(date_of_death_or_incident__gte=models.F("date_of_birth")),
                name="subject_incident_not_before_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    def clean(self) -> None:
        if (
            self.date_of_birth
            and self.date_of_death_or_incident
            and self.date_of_death_or_incident < self.date_of_birth
        ):
            raise ValidationError(
                {"date_of_death_or_incident": "The date of death or incident cannot be before the date of birth."}
            )


def nhs_number_hash(nhs_number: str) -> str:
    """The keyed hash partnerships compare NHS numbers by without exchanging them: HMAC-SHA256 with
    INTAKE_MATCH_KEY, which never leaves the settings. '' for no number."""
    if not nhs_number:
        return ""
    return hmac.new(settings.INTAKE_MATCH_KEY.encode(), nhs_number.encode(), hashlib.sha256).hexdigest()


def normalise_nhs_number(value: str) -> str:
    # People write NHS numbers as "943 476 5919" or "943-476-5919"; only the digits are stored.
    return value.replace(" ", "").replace("-", "")


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not (digits.isdigit() and len(digits) == 10):
        raise ValidationError("An NHS number is 10 digits, e.g. 943 476 5919.")
    if not nhs_number_is_valid(digits):
        raise ValidationError("This is not a valid NHS number: its check digit does not match.")


class SubjectIdentity(models.Model):
    """Real name, NHS number and address: shown only to the review's coordinators."""

    subject = models.OneToOneField(Subject, on_delete=models.CASCADE, related_name="identity")
    full_name = models.CharField(max_length=200, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True, validators=[validate_nhs_number])
    address = models.TextField(blank=True)
    # Another partnership notified of the same child's death finds this review by the keyed hash
    # alone (reviews/services/intake.py): the number itself never leaves the partnership.
    nhs_number_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "subject identities"
        indexes = [
            models.Index(fields=["nhs_number"], name="identity_nhs_number"),
            models.Index(fields=["nhs_number_hash"], name="identity_nhs_number_hash"),
        ]

    def __str__(self) -> str:
        return f"Identity of {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.nhs_number = normalise_nhs_number(self.nhs_number)
        self.nhs_number_hash = nhs_number_hash(self.nhs_number)
        super().save(*args, **kwargs)


class RestrictedName(models.Model):
    """The real name of something a review writes about under a pseudonym other than a subject:
    the setting of an institutional review ("Nursery Z") and each alleged perpetrator ("K")
    (docs/DOMAIN.md, institutional investigations). Read only by those who may see identities; the
    identity checks look for it in every free text and outgoing text of the review."""

    class What(models.TextChoices):
        SETTING = "setting", "The setting"
        PERPETRATOR = "perpetrator", "An alleged perpetrator"

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="restricted_names")
    pseudonym = models.CharField(max_length=60, help_text="As written in papers and reports, e.g. 'Nursery Z' or 'K'.")
    real_name = models.CharField(max_length=200)
    what = models.CharField(max_length=20, choices=What.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["what", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["review", "pseudonym"], name="restrictedname_unique_pseudonym"),
        ]

    def __str__(self) -> str:
        return f"Real name of {self.pseudonym}"
