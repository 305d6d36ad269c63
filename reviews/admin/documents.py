"""Admin for a review's documents: a read-only listing. Documents are uploaded, versioned and
opened to readers only through reviews.services.documents."""

from __future__ import annotations

from django.contrib import admin

from reviews.models import Document, DocumentVersion
from ui.admin import ReadOnlyAdminMixin


class DocumentVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DocumentVersion
    fields = readonly_fields = (
        "number",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    extra = 0


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "review", "kind", "agency", "created_at"]
    list_filter = ["kind", "review__partnership"]
    list_select_related = ["review", "agency"]
    search_fields = ["review__reference"]
    fields = readonly_fields = (
        "review",
        "kind",
        "title",
        "agency",
        "chair_may_read",
        "panel_may_read",
        "scrutineers_may_read",
        "reader_agencies",
        "created_by",
        "created_at",
    )
    inlines = [DocumentVersionInline]
