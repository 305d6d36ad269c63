"""Admin for review clocks (read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from reviews.models import (
    ReviewClock,
)
from reviews.selectors.clocks import clock_reading
from ui.admin import ReadOnlyAdminMixin


class ReviewClockInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewClock
    fields = readonly_fields = (
        "label",
        "basis",
        "start_event",
        "start_date",
        "duration",
        "unit",
        "calendar",
        "due_date",
        "stopped_on",
    )
    extra = 0


@admin.register(ReviewClock)
class ReviewClockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "review",
        "label",
        "basis",
        "calendar",
        "start_event",
        "start_date",
        "due_date",
        "stopped_on",
        "status",
    ]
    list_filter = ["basis", "calendar", "review__partnership", "key"]
    list_select_related = ["review__partnership"]
    search_fields = ["review__reference", "label"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewClock]:
        # Status needs each partnership's closure days: one prefetch, not a query per row.
        return super().get_queryset(request).prefetch_related("review__partnership__closure_days")

    @admin.display(description="status")
    def status(self, clock: ReviewClock) -> str:
        return clock_reading(clock, clock.review.partnership, timezone.localdate()).status.label
