"""Admin for chronology entries (read-only)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models import ChronologyEntry
from ui.admin import ReadOnlyAdminMixin


@admin.register(ChronologyEntry)
class ChronologyEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("review", "agency", "event_date", "date_precision", "source_record", "significant")
    list_filter = ("date_precision", "significant")
    list_select_related = ("review", "contribution__agency")
    search_fields = ("review__reference",)

    @admin.display(description="agency")
    def agency(self, entry: ChronologyEntry) -> str:
        return str(entry.contribution.agency)
