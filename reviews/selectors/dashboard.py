"""The dashboard: the user's reviews grouped by stage, a page at a time, open ones by default."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Count, DateField, F, OuterRef, Q, Subquery, When
from django.http import QueryDict
from django.utils import timezone

from notifications.models import Deadline, DeadlineKind, DeadlineState
from reviews.models import Findings, Partnership, Review, ReviewClock, ReviewState, Role
from reviews.models.findings import FindingsState
from reviews.permissions import review_ids_for_user, reviews_for_user
from reviews.selectors.clocks import ClockRow, read_clock_rows, share_partnerships
from ui.pagination import Pages, paginate
from workflows.calendar import WorkingCalendar, add_working_days
from workflows.clocks import DUE_SOON_WORKING_DAYS
from workflows.types import AnyUser

# Nothing more happens to a review in these states: the dashboard lists them only when asked.
FINISHED_STATES = (ReviewState.CLOSED, ReviewState.WITHDRAWN)


class Show(models.TextChoices):
    OPEN = "open", "Open reviews"
    ALL = "all", "All reviews, closed and withdrawn ones too"


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
    pages: Pages[Review]
    show: str
    to_sign_off: list[SignOffToDo] = field(default_factory=list)
    # The counters count the clocks still counting on every review of the user, not only those on
    # this page: the same states as the badges.
    running: int = 0
    due_soon: int = 0
    overdue: int = 0
    open_reviews: int = 0
    all_reviews: int = 0


def dashboard_for_user(
    user: AnyUser, params: QueryDict | None = None, *, today: date | None = None, chairs_any: bool = True
) -> Dashboard:
    """One page of the user's reviews (open ones unless ``?show=all``), newest first, grouped by
    stage in lifecycle order, with their clocks read; and the clock counters over all their reviews.

    Constant queries whatever the number of reviews: the counts by partnership (the pagination's
    too), the partnerships (for the counters' working days, with their closure days), the page's
    reviews, their clocks and closure days, and the findings awaiting the user's sign-off (not
    looked for when ``chairs_any`` is false: the caller knows the user chairs no review).
    """
    today = today or timezone.localdate()
    params = params if params is not None else QueryDict()
    show = params.get("show", "") if params.get("show", "") in Show.values else Show.OPEN
    mine = reviews_for_user(user)
    # Counted by partnership: the totals, and in the same query the partnerships whose working
    # days the counters need (as a subquery PostgreSQL matched each of the 150 partnerships against
    # the user's reviews in turn: 44 ms for a coordinator of 2,000).
    by_partnership = list(
        mine.order_by()
        .values("partnership_id")
        .annotate(all=Count("id"), open=Count("id", filter=~Q(state__in=FINISHED_STATES)))
    )
    counts = {key: sum(row[key] for row in by_partnership) for key in ("all", "open")}
    listed = mine if show == Show.ALL else mine.exclude(state__in=FINISHED_STATES)
    # The user's partnerships with their closure days, read once for the counters and the rows.
    partnerships = {
        partnership.pk: partnership
        for partnership in Partnership.objects.filter(
            pk__in=[row["partnership_id"] for row in by_partnership]
        ).prefetch_related("closure_days")
    }
    noun = "open review" if show == Show.OPEN else "review"
    listed_count = counts["all"] if show == Show.ALL else counts["open"]
    pages = paginate(
        listed.order_by("-created_at", "-id"), params, singular=noun, plural=noun + "s", count=listed_count
    )
    page_reviews = list(pages.page.object_list)
    by_state: dict[str, list[DashboardReview]] = {}
    for review, clocks_of_review in _with_clocks(page_reviews, partnerships):
        rows = read_clock_rows(review, clocks_of_review, today)
        by_state.setdefault(review.state, []).append(DashboardReview(review=review, clocks=rows))
    groups = [StageGroup(state=s.value, label=s.label, reviews=by_state[s.value]) for s in ReviewState if s in by_state]
    clocks = _clock_counts(user, list(partnerships.values()), today)
    return Dashboard(
        groups=groups,
        pages=pages,
        show=show,
        to_sign_off=sign_off_to_do(user) if chairs_any else [],
        open_reviews=counts["open"],
        all_reviews=counts["all"],
        **clocks,
    )


def _with_clocks(reviews: list[Review], partnerships: dict[int, Partnership]) -> list[tuple[Review, list[ReviewClock]]]:
    """Each review with its clocks (one query for the page) and its partnership from
    ``partnerships`` (closure days included): Django's prefetch would build a queryset per review
    and per review's own copy of the partnership, 100 of them for a page of 50."""
    clocks: dict[int, list[ReviewClock]] = {review.pk: [] for review in reviews}
    for clock in ReviewClock.objects.filter(review_id__in=list(clocks)).order_by("due_date", "id"):
        clocks[clock.review_id].append(clock)
    share_partnerships(reviews, partnerships)  # one added since the counts reads its own
    return [(review, clocks[review.pk]) for review in reviews]


def _clock_counts(user: AnyUser, partnerships: list[Partnership], today: date) -> dict[str, int]:
    """Running, due soon and overdue clocks of the user's reviews (in ``partnerships``, their
    closure days fetched), counted in one grouped query.

    Mirrors workflows.clocks.read_clock: a clock counts while started, not stopped and not
    abandoned; overdue once past its due date; due soon within DUE_SOON_WORKING_DAYS working days
    in its own calendar (the partnership's closure days for a local clock). Tests compare the two.

    The last "due soon" day differs by partnership for local clocks, so the database groups the
    clocks by calendar, partnership and due date (the due date only inside the soonest window of
    all, a week or so) and the comparison with each one's last day is made here: a condition per
    partnership in the query cost more to build than the count itself.
    """
    # The last "due soon" day of a local clock, by partnership; of a statutory one, the same for all.
    local_last_soon_day = {
        partnership.pk: add_working_days(today, DUE_SOON_WORKING_DAYS, partnership) for partnership in partnerships
    }
    bank_holidays_last_soon_day = add_working_days(today, DUE_SOON_WORKING_DAYS)
    horizon = max([bank_holidays_last_soon_day, *local_last_soon_day.values()])
    # Inside the window, a clock's due date; outside it (late, or not due for a while), nothing.
    in_window = When(due_date__gte=today, due_date__lte=horizon, then=F("due_date"))
    rows = (
        ReviewClock.objects.filter(
            review_id__in=review_ids_for_user(user),
            start_date__isnull=False,
            due_date__isnull=False,
            stopped_on__isnull=True,
            abandoned=False,
        )
        .annotate(soon_day=Case(in_window, output_field=DateField()))
        .order_by()
        .values_list("calendar", "review__partnership_id", "soon_day")
        .annotate(clocks=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    )
    counts = {"running": 0, "due_soon": 0, "overdue": 0}
    for calendar, partnership_id, soon_day, clocks, overdue in rows:
        last: date | None = bank_holidays_last_soon_day
        if calendar == WorkingCalendar.LOCAL:
            last = local_last_soon_day.get(partnership_id)
        if soon_day is not None and last is not None and soon_day <= last:
            counts["due_soon"] += clocks  # none of them late: soon_day is today or after
        else:
            counts["overdue"] += overdue
            counts["running"] += clocks - overdue
    return counts


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
