"""What was sent to the National Child Mortality Database, review by review.

Each export of a child death review leaves a row with the hash of the record it sent, so a review
whose record reads differently today (a form submitted, the analysis signed again) is marked for
re-export (reviews/selectors/national_export.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class NationalExport(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="national_exports")
    exported_at = models.DateTimeField(db_default=Now())
    record_hash = models.CharField(max_length=64, help_text="SHA-256 of the review's record as exported.")
    file_name = models.CharField(max_length=255, help_text="The file it went out in.")

    class Meta:
        ordering = ["-exported_at", "-id"]
        indexes = [models.Index(fields=["review", "-exported_at"], name="national_export_latest")]

    def __str__(self) -> str:
        return f"{self.review} exported {self.exported_at:%Y-%m-%d}"
