"""The overview report: written by the independent reviewer (the chair) or the coordinator in
sections, kept in numbered versions, and built from the signed findings and recommendations.

A section is either the reviewer's own text or a link to the review's findings. A linked section
holds no text of its own: it shows the findings' latest signed version whenever it is read
(reviews.selectors.report), so the report and the signed findings can never drift apart.

A version can be changed only while it is the newest, a draft, and not sent for factual accuracy;
a new version starts as a copy of the previous one's sections. Reports are never deleted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.constraints import Deferrable


class OverviewReport(models.Model):
    """One per review: its versions are the report's history."""

    review = models.OneToOneField("reviews.Review", on_delete=models.PROTECT, related_name="overview_report")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Overview report of {self.review}"


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class ReportVersion(models.Model):
    report = models.ForeignKey(OverviewReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=VersionState.choices, default=VersionState.DRAFT)
    note = models.CharField(max_length=500, blank=True, help_text="What this version is for.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reportversion_unique_number"),
            # The final version is the one publication reads: there is only ever one.
            models.UniqueConstraint(
                fields=["report"], condition=models.Q(state="final"), name="reportversion_one_final"
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft") | models.Q(finalised_at__isnull=False),
                name="reportversion_final_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report.review} overview report, version {self.number}"

    @property
    def is_final(self) -> bool:
        return bool(self.state == VersionState.FINAL)


class SectionKind(models.TextChoices):
    TEXT = "text", "The reviewer's text"
    FINDINGS = "findings", "The signed findings and learning"
    RECOMMENDATIONS = "recommendations", "The signed recommendations"


LINKED_KINDS = (SectionKind.FINDINGS, SectionKind.RECOMMENDATIONS)


class ReportSection(models.Model):
    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="sections")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=SectionKind.choices, default=SectionKind.TEXT)
    heading = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="The reviewer's text; empty for a linked section.")
    # Linked sections point at the review's findings; their text is the latest signed version's.
    findings = models.ForeignKey(
        "reviews.Findings", on_delete=models.PROTECT, null=True, blank=True, related_name="report_sections"
    )
    # The same section across versions (copied into each new version): the diff pairs sections by it.
    lineage = models.UUIDField(default=uuid.uuid4)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            # Deferred: reordering swaps two positions inside one transaction.
            models.UniqueConstraint(
                fields=["version", "position"],
                name="reportsection_unique_position",
                deferrable=Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(fields=["version", "lineage"], name="reportsection_unique_lineage"),
            models.CheckConstraint(
                condition=(models.Q(kind="text") & models.Q(findings__isnull=True))
                | (~models.Q(kind="text") & models.Q(findings__isnull=False) & models.Q(body="")),
                name="reportsection_linked_has_no_text",
            ),
        ]

    def __str__(self) -> str:
        return self.heading

    @property
    def is_linked(self) -> bool:
        return self.kind in LINKED_KINDS
