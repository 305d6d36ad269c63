"""Admin for agency contributions (read-only)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models import AgencyContribution, DueDateChange
from ui.admin import ReadOnlyAdminMixin


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
