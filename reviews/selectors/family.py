"""Readers of the family's involvement: the page's record and meetings, and what the publication
step reads (``family_involvement``: whether and when the family saw the report)."""

from __future__ import annotations

from django.db.models import QuerySet

from reviews.models import Document, DocumentKind, FamilyInvolvement, FamilyMeeting, Review


def family_involvement(review: Review) -> FamilyInvolvement | None:
    """The review's record of the family's involvement, or None if nothing is recorded yet. Its
    ``saw_report_on`` is the date the family saw the report before publication (None: not yet)."""
    return FamilyInvolvement.objects.filter(review=review).select_related("updated_by").first()


def family_meetings(review: Review) -> QuerySet[FamilyMeeting]:
    return FamilyMeeting.objects.filter(review=review).select_related("recorded_by").order_by("held_on", "id")


def family_views_documents(review: Review) -> QuerySet[Document]:
    """The documents holding the family's views. Shown on the family page, whose readers (the
    coordinator and the chair) are the documents' default readers; the page lists only those the
    reader may read (reviews.permissions.readable_documents_q)."""
    return Document.objects.filter(review=review, kind=DocumentKind.FAMILY_VIEWS).order_by("created_at", "id")
