"""The family's involvement in a review, recorded for every kind of review: whether and how they
were told it is happening, whether their views were sought and given (the views themselves are a
document of kind "family views"), the meetings held with them, and whether they saw the report
before it was published (docs/DOMAIN.md "Family involvement")."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ToldHow(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    LETTER = "letter", "By letter"
    EMAIL = "email", "By email"
    OTHER = "other", "Another way"


class FamilyInvolvement(models.Model):
    review = models.OneToOneField("reviews.Review", on_delete=models.CASCADE, related_name="family_involvement")
    told_on = models.DateField(null=True, blank=True, help_text="When the family was told a review is happening.")
    told_by = models.CharField(max_length=200, blank=True, help_text="Who told them: a role, e.g. the chair.")
    told_how = models.CharField(max_length=20, choices=ToldHow.choices, blank=True)
    not_told_reason = models.TextField(blank=True, help_text="Why the family has not been told, if they have not.")
    views_sought_on = models.DateField(null=True, blank=True)
    views_given_on = models.DateField(null=True, blank=True)
    views_note = models.TextField(blank=True)
    saw_report_on = models.DateField(
        null=True, blank=True, help_text="When the family saw the report, before publication."
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(told_on__isnull=True) | (~models.Q(told_by="") & ~models.Q(told_how="")),
                name="family_told_says_by_whom_and_how",
            ),
            models.CheckConstraint(
                condition=models.Q(views_given_on__isnull=True)
                | models.Q(views_sought_on__isnull=False, views_given_on__gte=models.F("views_sought_on")),
                name="family_views_given_after_sought",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: family involvement"


class FamilyMeeting(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="family_meetings")
    held_on = models.DateField()
    attended = models.TextField(help_text="Who attended: roles or pseudonyms.")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.review}: family meeting on {self.held_on:%-d %B %Y}"
