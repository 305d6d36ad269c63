"""Publication: the recorded step that ends a practice review's public life (docs/DOMAIN.md, Review
kinds). A review is published in full, published as a summary only, or not published; the last two
need a recorded reason, and for a CSPR the decision goes to the national Panel.

The facts a clock reads are columns of the review, as every stop date is: ``published_on`` stops the
CSPR's completion clock and starts the advance copy's, ``publication_declined_on`` ends the
completion clock when the partners decide not to publish, and ``publication_decision`` says which
outcome the timeliness record shows. This row keeps the rest: the family told of the date, the
public address, the generated PDF and who recorded it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviews.models.review import ReviewKind

# The kinds whose report is published. A child death review is not (the CDOP's annual report is);
# a rapid review goes to the national Panel and, when it converts, the CSPR is published.
PUBLISHED_KINDS = frozenset({ReviewKind.CSPR, ReviewKind.SCR, ReviewKind.DHR, ReviewKind.SAR, ReviewKind.INSTITUTIONAL})


class PublicationDecision(models.TextChoices):
    FULL = "full", "Publish the report in full"
    SUMMARY = "summary", "Publish a summary only"
    NOT_PUBLISHED = "not_published", "Do not publish"


class PublicationState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    DECLINED = "declined", "Not published"


class Publication(models.Model):
    review = models.OneToOneField("reviews.Review", on_delete=models.PROTECT, related_name="publication")
    decision = models.CharField(max_length=20, choices=PublicationDecision.choices)
    state = models.CharField(max_length=20, choices=PublicationState.choices)
    reason = models.TextField(blank=True, help_text="Why a summary only, or why not published.")
    # The date it goes (or went) public; scheduled until then (reviews.tasks publishes it on the day).
    publish_on = models.DateField(null=True, blank=True)
    family_told_on = models.DateField("date the family was told of the publication date", null=True, blank=True)
    public_url = models.URLField("public address of the published report", max_length=500, blank=True)
    # A decision not to publish, or to publish a summary, is sent to the national Panel (a CSPR).
    decision_sent_to_panel_on = models.DateField(null=True, blank=True)
    # The PDF generated from the final report version, pseudonyms only, in the documents storage.
    pdf_name = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # The final version the PDF was drawn from (reviews/models/report.py), frozen as final.
    report_version = models.ForeignKey(
        "reviews.ReportVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="full") | ~models.Q(reason=""), name="publication_reason_unless_full"
            ),
            models.CheckConstraint(
                condition=models.Q(decision="not_published") | models.Q(publish_on__isnull=False),
                name="publication_has_date_when_published",
            ),
        ]

    def __str__(self) -> str:
        return f"Publication of {self.review}"

    @property
    def declined(self) -> bool:
        return self.decision == PublicationDecision.NOT_PUBLISHED
