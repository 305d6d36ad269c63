"""Readers of a review's documents: the list a user may see (one query for a page of it, with each
document's latest version), a document's versions, and who may read it, in words."""

from __future__ import annotations

import re

from django.db.models import OuterRef, QuerySet, Subquery

from reviews.models import Document, DocumentVersion, Review
from reviews.models.documents import ALLOWED_TYPES
from reviews.permissions import readable_documents_q


def documents_for(review: Review, perms: frozenset[str], lead_agencies: frozenset[int]) -> QuerySet[Document]:
    """The review's documents the user may read, newest first, each with its latest version's
    number and date (annotated: one query however many documents and versions)."""
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    return (
        Document.objects.filter(review=review)
        .filter(readable_documents_q(perms, lead_agencies))
        .select_related("agency")
        .annotate(
            latest_number=Subquery(latest.values("number")[:1]),
            latest_uploaded_at=Subquery(latest.values("uploaded_at")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def document_versions(document: Document) -> list[DocumentVersion]:
    return list(DocumentVersion.objects.filter(document=document).select_related("uploaded_by").order_by("-number"))


def document_readers(document: Document, agency_names: list[str]) -> list[str]:
    """Who may read the document, in words, for its page."""
    readers = ["The review's coordinators"]
    if document.chair_may_read:
        readers.append("The chair")
    if document.panel_may_read:
        readers.append("Panel members")
    if document.scrutineers_may_read:
        readers.append("Read-only scrutineers")
    readers.extend(f"The {name} lead" for name in agency_names)
    return readers


def download_name(version: DocumentVersion) -> str:
    """The name a download is saved as: the uploaded name with anything but plain letters, digits
    and a few marks replaced, ending in an extension of the type the content really is."""
    name = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", version.original_name).strip(" ._") or "document"
    extensions = ALLOWED_TYPES.get(version.content_type, ("", ()))[1]
    if extensions and not name.lower().endswith(extensions):
        name += extensions[0]
    return name[-150:]
