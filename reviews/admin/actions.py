"""Admin for actions (read-only)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models.actions import Action
from ui.admin import ReadOnlyAdminMixin


@admin.register(Action)
class ActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "state", "due_date")
    list_filter = ("state",)
