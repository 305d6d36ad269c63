"""Admin for the overview report's versions and the factual accuracy rounds: read-only (they change
only through reviews.services.report and reviews.services.accuracy, and are never deleted)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models.report import ReportVersion
from ui.admin import ReadOnlyAdminMixin


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "state", "created_at", "finalised_at")
    list_filter = ("state",)
    list_select_related = ("report__review",)
