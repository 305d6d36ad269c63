"""Admin views of agency contributions: read-only, because every change to a contribution goes
through reviews.services (locks, permissions, the transition log) from the review pages."""

from __future__ import annotations

from django.contrib import admin

from reviews.admin import ReadOnlyAdminMixin
from reviews.models import AgencyContribution, ChronologyEntry, DueDateChange


class DueDateChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DueDateChange
    fields = ("status", "old_due_date", "proposed_due_date", "reason", "asked_by", "decided_by", "decision_note")
    extra = 0


@admin.register(AgencyContribution)
class AgencyContributionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("review", "agency", "lead", "state", "due_date", "submitted_at")
    list_filter = ("state", "agency")
    list_select_related = ("review", "agency", "lead")
    search_fields = ("review__reference", "agency__name")
    inlines = [DueDateChangeInline]


@admin.register(ChronologyEntry)
class ChronologyEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("review", "agency", "event_date", "date_precision", "source_record", "significant")
    list_filter = ("date_precision", "significant")
    list_select_related = ("review", "contribution__agency")
    search_fields = ("review__reference",)

    @admin.display(description="agency")
    def agency(self, entry: ChronologyEntry) -> str:
        return str(entry.contribution.agency)
