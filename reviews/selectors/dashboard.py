"""The dashboard: the user's reviews grouped by stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from notifications.models import Deadline, DeadlineKind, DeadlineState
from reviews.models import Findings, Review, ReviewClock, ReviewState, Role
from reviews.models.findings import FindingsState
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
class SignOffToDo:
    """Findings sent to this user, as a review's chair, for sign-off (issue 12)."""

    review: Review
    due_date: date | None


@dataclass(frozen=True)
class Dashboard:
    groups: list[StageGroup]
    to_sign_off: list[SignOffToDo] = field(default_factory=list)
    # The counters count the badges of the same state on the page (the clocks still counting).
    running: int = 0
    due_soon: int = 0
    overdue: int = 0
    total: int = 0


def dashboard_for_user(user: AnyUser, *, today: date | None = None) -> Dashboard:
    """The user's reviews grouped by stage, in lifecycle order, with their clocks read.

    Four queries whatever the number of reviews: the reviews (with their partnership), all their
    clocks, all their partnerships' closure days (which the working-day arithmetic reads), and the
    findings awaiting the user's sign-off.
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
        to_sign_off=sign_off_to_do(user),
        running=counts[ClockStatus.RUNNING],
        due_soon=counts[ClockStatus.DUE_SOON],
        overdue=counts[ClockStatus.OVERDUE],
        total=total,
    )


def sign_off_to_do(user: AnyUser) -> list[SignOffToDo]:
    """The findings sent to ``user`` for sign-off on the reviews they chair, with the date they are
    asked for (their deadline's), oldest first. One query."""
    if not (user and user.is_authenticated):
        return []
    asked_by = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Findings),
        object_id=OuterRef("pk"),
        kind=DeadlineKind.FINDINGS_SIGN_OFF,
        state=DeadlineState.OPEN,
    ).values("due_date")[:1]
    awaiting = (
        Findings.objects.filter(
            state=FindingsState.AWAITING_SIGN_OFF,
            review__roles__user=user,
            review__roles__role=Role.CHAIR,
            review__state=ReviewState.FINDINGS,
        )
        .select_related("review")
        .annotate(due_date=Subquery(asked_by))
        .order_by("due_date", "review__reference")
    )
    return [SignOffToDo(review=findings.review, due_date=findings.due_date) for findings in awaiting]
