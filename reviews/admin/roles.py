"""Admin for roles on reviews (read-only: granted through the services)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models import (
    ReviewRole,
)
from ui.admin import ReadOnlyAdminMixin


class ReviewRoleInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewRole
    fields = readonly_fields = ("role", "user", "agency", "granted_at")
    extra = 0


# --- read-only views of rows the services write ---------------------------------------------


@admin.register(ReviewRole)
class ReviewRoleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Roles carry guardian object permissions that must move with them: they are granted and
    revoked on the review page through reviews.services, never edited here."""

    list_display = ["review", "role", "user", "agency", "granted_at"]
    list_filter = ["role", "review__partnership"]
    list_select_related = ["review", "user", "agency"]
    search_fields = ["review__reference", "user__username"]
