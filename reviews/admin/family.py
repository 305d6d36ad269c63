"""Admin for the family's involvement: read-only listings of dates (what the family said stays on
the review's own pages)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models import FamilyInvolvement, FamilyMeeting
from ui.admin import ReadOnlyAdminMixin


@admin.register(FamilyInvolvement)
class FamilyInvolvementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["review", "told_on", "views_sought_on", "views_given_on", "saw_report_on", "updated_at"]
    list_select_related = ["review"]
    search_fields = ["review__reference"]
    # Dates only: what the family said stays on the review's own pages.
    fields = readonly_fields = ("review", "told_on", "told_how", "views_sought_on", "views_given_on", "saw_report_on")


@admin.register(FamilyMeeting)
class FamilyMeetingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["review", "held_on", "recorded_at"]
    list_select_related = ["review"]
    search_fields = ["review__reference"]
    fields = readonly_fields = ("review", "held_on", "recorded_by", "recorded_at")
