"""Admin for factual accuracy rounds: read-only (reviews.services.accuracy writes them)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models.accuracy import AccuracyRound
from ui.admin import ReadOnlyAdminMixin


@admin.register(AccuracyRound)
class AccuracyRoundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "due_date", "closed_at", "closed_because")
    list_filter = ("closed_because",)
    list_select_related = ("review", "version")
