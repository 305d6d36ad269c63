"""Chronology entries: one row per significant event in an agency's contribution."""

from __future__ import annotations

from django.db import models

from reviews.models.contributions import AgencyContribution


class DatePrecision(models.TextChoices):
    EXACT = "exact", "Exact day"
    MONTH = "month", "Month only"
    APPROXIMATE = "approximate", "Approximate"


class ChronologyEntry(models.Model):
    contribution = models.ForeignKey(AgencyContribution, on_delete=models.CASCADE, related_name="entries")
    # Denormalised from the contribution so the merged chronology of a review is one indexed scan.
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="chronology_entries")
    event_date = models.DateField(help_text="For a month-only date, the first of the month.")
    date_precision = models.CharField(max_length=12, choices=DatePrecision.choices, default=DatePrecision.EXACT)
    event_time = models.TimeField(null=True, blank=True)
    source_record = models.CharField(max_length=200, help_text="Where this is recorded, e.g. 'Case note 14'.")
    what_happened = models.TextField()
    professional_role = models.CharField(
        max_length=120, help_text="The professional's role, never their name (e.g. 'Health visitor')."
    )
    agency_comment = models.TextField(blank=True, help_text="The agency's comment on its significance.")
    significant = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_date", "event_time", "id"]
        verbose_name_plural = "chronology entries"
        indexes = [
            models.Index(fields=["review", "event_date", "id"], name="entry_review_date"),
            models.Index(fields=["contribution", "event_date"], name="entry_contribution_date"),
        ]

    def __str__(self) -> str:
        return f"{self.event_date:%d %b %Y} {self.source_record}"

    @property
    def date_display(self) -> str:
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.event_date:%B %Y} (month only)"
        if self.date_precision == DatePrecision.APPROXIMATE:
            return f"about {self.event_date:%d %B %Y}"
        return f"{self.event_date:%d %B %Y}"
