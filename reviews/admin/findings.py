"""Admin for themes (editable), findings and signed versions (read-only)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models.findings import Findings, SignedFindings, Theme
from ui.admin import ReadOnlyAdminMixin


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "partnership", "position")
    list_filter = ("partnership",)
    list_select_related = ("partnership",)


@admin.register(Findings)
class FindingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("review", "state")
    list_select_related = ("review",)


@admin.register(SignedFindings)
class SignedFindingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__",)
