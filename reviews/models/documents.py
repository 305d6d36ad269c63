"""Documents kept with a review: terms of reference, post-mortem reports, agency records, minutes,
reports, the family's views. Each is a row with its versions; a new upload supersedes the last and
every earlier version is kept.

Who may read a document is recorded on it, per role and per agency, and decided only by
reviews.permissions (``can_read_document``, ``readable_documents``): the review's coordinators
always, the chair unless the coordinator takes them off, panel members and scrutineers only when
added, and the leads of the agencies named. The content lives in the storage called "documents"
(settings.STORAGES: a folder under var/ by default, S3-compatible object storage by environment)
under a random name; the name it was uploaded with is data, never part of a path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DocumentKind(models.TextChoices):
    TERMS_OF_REFERENCE = "terms_of_reference", "Terms of reference"
    POST_MORTEM = "post_mortem", "Post-mortem report"
    AGENCY_RECORDS = "agency_records", "Agency records"
    PANEL_PAPERS = "panel_papers", "Panel papers"
    MINUTES = "minutes", "Minutes"
    DRAFT_REPORT = "draft_report", "Draft report"
    FINAL_REPORT = "final_report", "Final report"
    FAMILY_VIEWS = "family_views", "Family views"
    OTHER = "other", "Other"


# What may be uploaded, recognised by content: content type -> (what it is called, its extensions).
ALLOWED_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": ("PDF", (".pdf",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("Word document", (".docx",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("Excel workbook", (".xlsx",)),
    "application/vnd.oasis.opendocument.text": ("OpenDocument text", (".odt",)),
    "application/vnd.oasis.opendocument.spreadsheet": ("OpenDocument spreadsheet", (".ods",)),
    "image/png": ("PNG image", (".png",)),
    "image/jpeg": ("JPEG image", (".jpg", ".jpeg")),
}
ACCEPTED = "a PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT or ODS), PNG or JPEG file"


class Document(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    # Whose records these are (agency records only): that agency's lead may add versions.
    agency = models.ForeignKey(
        "reviews.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="review_documents"
    )
    # Who may read it besides the review's coordinators (docs/DOMAIN.md "Documents"): the strictest
    # by default, the coordinator and the chair only.
    chair_may_read = models.BooleanField(default=True)
    panel_may_read = models.BooleanField(default=False)
    scrutineers_may_read = models.BooleanField(default=False)
    reader_agencies = models.ManyToManyField(
        "reviews.Agency",
        blank=True,
        related_name="+",
        help_text="The leads of these agencies on the review may read it.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["review", "kind"], name="document_review_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="agency_records", agency__isnull=False)
                | (~models.Q(kind="agency_records") & models.Q(agency__isnull=True)),
                name="document_agency_only_for_agency_records",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.title}"


class DocumentVersion(models.Model):
    """One upload of a document. Never changed or removed: a new upload supersedes it."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # The name in the "documents" storage: random (uuid4), never derived from the uploaded name.
    blob = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documentversion_number_once"),
            # The same content twice in one document is a mistake, not a new version.
            models.UniqueConstraint(fields=["document", "sha256"], name="documentversion_content_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document.title}, version {self.number}"
