"""Admin for the chair's overrides of the identity-leak check (read-only: they are written only
by reviews.services.leaks, audited)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models import LeakOverride
from ui.admin import ReadOnlyAdminMixin


@admin.register(LeakOverride)
class LeakOverrideAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["review", "source", "what", "pseudonym", "chair", "created_at"]
    list_filter = ["review__partnership"]
    list_select_related = ["review", "chair"]
    search_fields = ["review__reference", "pseudonym"]
    fields = readonly_fields = ("review", "source", "what", "pseudonym", "reason", "chair", "created_at", "fingerprint")
