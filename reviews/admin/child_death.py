"""Admin for child death reviews (read-only): the dataset, the meeting and CDOP steps, the joint agency
response. They change only through reviews.services.child_death."""

from __future__ import annotations

from django.contrib import admin

from reviews.models import ChildDeath, JointAgencyResponseItem
from ui.admin import ReadOnlyAdminMixin


@admin.register(ChildDeath)
class ChildDeathAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["review", "state", "place_of_death", "meeting_held_on", "cdop_reviewed_on"]
    list_filter = ["state"]
    search_fields = ["review__reference"]


@admin.register(JointAgencyResponseItem)
class JointAgencyResponseItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["review", "item", "done_on", "done_at", "recorded_by"]
    search_fields = ["review__reference"]
