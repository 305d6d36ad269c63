"""The dashboard: the user's reviews grouped by stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from reviews.models import Review, ReviewClock, ReviewState
from reviews.permissions import reviews_for_user
from reviews.selectors.clocks import ClockRow, clock_rows
from workflows.clocks import ClockStatus
from workflows.types import AnyUser

# --- dashboard ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardReview:
    review: Review
    clocks: list[ClockRow]


@dataclass(frozen=True)
class StageGroup:
    state: str
    label: str
    reviews: list[DashboardReview]


@dataclass(frozen=True)
class Dashboard:
    groups: list[StageGroup]
    # The counters count the badges of the same state on the page (the clocks still counting).
    running: int = 0
    due_soon: int = 0
    overdue: int = 0
    total: int = 0


def dashboard_for_user(user: AnyUser, *, today: date | None = None) -> Dashboard:
    """The user's reviews grouped by stage, in lifecycle order, with their clocks read.

    Three queries whatever the number of reviews: the reviews (with their partnership), all their
    clocks, and all their partnerships' closure days (which the working-day arithmetic reads).
    """
    today = today or timezone.localdate()
    reviews = (
        reviews_for_user(user)
        .select_related("partnership")
        .prefetch_related(
            Prefetch("clocks", queryset=ReviewClock.objects.order_by("due_date", "id")), "partnership__closure_days"
        )
        .order_by("-created_at", "-id")
    )
    by_state: dict[str, list[DashboardReview]] = {}
    counts = {ClockStatus.RUNNING: 0, ClockStatus.DUE_SOON: 0, ClockStatus.OVERDUE: 0}
    total = 0
    for review in reviews:
        rows = clock_rows(review, today)
        for row in rows:
            if row.reading.status in counts:
                counts[row.reading.status] += 1
        by_state.setdefault(review.state, []).append(DashboardReview(review=review, clocks=rows))
        total += 1
    groups = [StageGroup(state=s.value, label=s.label, reviews=by_state[s.value]) for s in ReviewState if s in by_state]
    return Dashboard(
        groups=groups,
        running=counts[ClockStatus.RUNNING],
        due_soon=counts[ClockStatus.DUE_SOON],
        overdue=counts[ClockStatus.OVERDUE],
        total=total,
    )
