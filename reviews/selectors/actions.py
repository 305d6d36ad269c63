"""Readers of actions: the tracker (and its CSV), my actions, a review's actions and one action's updates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.db.models import CharField, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import Case
from django.http import QueryDict
from django.utils import timezone

from reviews.models import Agency, Partnership, Review, ReviewRole, Role
from reviews.models.actions import (
    ACTIVE_ACTION_STATES,
    AMBER_WORKING_DAYS,
    DONE_ACTION_STATES,
    SETTLED_ACTION_STATES,
    Action,
    ActionState,
    ActionUpdate,
    Rag,
)
from ui.csv import csv_lines
from workflows.calendar import add_working_days
from workflows.types import AnyUser, User

RAG_TAG_CLASSES: dict[str, str] = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--yellow",
    Rag.GREEN: "govuk-tag--green",
}


STATE_TAG_CLASSES = {
    ActionState.OPEN: "govuk-tag--grey",
    ActionState.IN_PROGRESS: "govuk-tag--blue",
    ActionState.COMPLETED: "govuk-tag--purple",
    ActionState.VERIFIED: "govuk-tag--green",
    ActionState.CLOSED_NOT_IMPLEMENTED: "govuk-tag--orange",
}


@dataclass(frozen=True)
class ActionRow:
    action: Action
    rag: str
    overdue: bool

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label if self.rag else "–"

    @property
    def rag_class(self) -> str:
        return RAG_TAG_CLASSES.get(self.rag, "govuk-tag--grey")

    @property
    def state_class(self) -> str:
        return STATE_TAG_CLASSES.get(self.action.state, "govuk-tag--grey")


def _base() -> QuerySet[Action]:
    return (
        Action.objects.select_related("review__partnership", "recommendation", "owner_agency")
        .prefetch_related(Prefetch("review__partnership__closure_days"))
        .order_by("due_date", "review__reference", "recommendation__number", "number")
    )


def amber_until_by_partnership(partnerships: Iterable[Partnership], today: date) -> dict[int, date]:
    """Per partnership, the last due date that is amber today: its closure days move the 10 working days."""
    return {p.pk: add_working_days(today, AMBER_WORKING_DAYS, p) for p in partnerships}


def iter_action_rows(
    actions: Iterable[Action], today: date | None = None, amber_until: dict[int, date] | None = None
) -> Iterator[ActionRow]:
    """Rows one at a time (the CSV streams them); ``amber_until`` as amber_until_by_partnership,
    worked out here per partnership met when not given."""
    today = today or timezone.localdate()
    amber_until = {} if amber_until is None else amber_until
    for action in actions:
        partnership = action.review.partnership
        if partnership.pk not in amber_until:
            amber_until[partnership.pk] = add_working_days(today, AMBER_WORKING_DAYS, partnership)
        rag = action.rag(today, amber_until=amber_until[partnership.pk])
        overdue = action.state in ACTIVE_ACTION_STATES and action.due_date < today
        yield ActionRow(action=action, rag=rag, overdue=overdue)


def action_rows(actions: Iterable[Action], today: date | None = None) -> list[ActionRow]:
    return list(iter_action_rows(actions, today))


def rag_expression(amber_until: dict[int, date], today: date) -> Case:
    """Action.rag in SQL, so the tracker filters and pages by RAG in the database rather than
    reading every action (issue 12). Mirrors Action.rag; tests compare the two."""
    amber = [
        When(review__partnership_id=partnership_id, due_date__lte=last_amber_day, then=Value(Rag.AMBER))
        for partnership_id, last_amber_day in amber_until.items()
    ]
    return Case(
        When(state=ActionState.CLOSED_NOT_IMPLEMENTED, then=Value("")),
        When(state__in=DONE_ACTION_STATES, then=Value(Rag.GREEN)),
        When(due_date__lt=today, then=Value(Rag.RED)),
        *amber,
        default=Value(Rag.GREEN),
        output_field=CharField(),
    )


# Work still expected first: open and in progress, then awaiting verification, then settled.
_SETTLED_LAST = Case(
    When(state__in=ACTIVE_ACTION_STATES, then=Value(0)),
    When(state=ActionState.COMPLETED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _to_do_first(actions: QuerySet[Action]) -> QuerySet[Action]:
    return actions.order_by(_SETTLED_LAST, "due_date", "review__reference", "recommendation__number", "number")


# --- the coordinators' tracker --------------------------------------------------------------------


class Show(models.TextChoices):
    TO_DO = "to_do", "Still to do or verify"
    ALL = "all", "All, settled ones last"


@dataclass(frozen=True)
class TrackerFilters:
    agency_id: int | None
    rag: str
    overdue: bool
    show: str = Show.TO_DO

    def querystring(self) -> str:
        query = QueryDict(mutable=True)
        if self.agency_id:
            query["agency"] = str(self.agency_id)
        if self.rag:
            query["rag"] = self.rag
        if self.overdue:
            query["overdue"] = "1"
        if self.show != Show.TO_DO:
            query["show"] = self.show
        return query.urlencode()


def tracker_filters(params: QueryDict) -> TrackerFilters:
    """Filters from GET parameters; anything unreadable is ignored, not an error. By default only
    the actions still to do or to verify (the settled ones are a click away)."""
    agency = params.get("agency", "")
    rag = params.get("rag", "")
    show = params.get("show", "")
    return TrackerFilters(
        agency_id=int(agency) if agency.isdecimal() else None,  # not isdigit(): "²" is a digit int() refuses
        rag=rag if rag in Rag.values else "",
        overdue=params.get("overdue") in ("1", "on", "yes"),
        show=show if show in Show.values else Show.TO_DO,
    )


def coordinated_review_ids(user: User) -> QuerySet[ReviewRole, int]:
    return ReviewRole.objects.filter(user=user, role=Role.COORDINATOR).values_list("review_id", flat=True)


@dataclass
class Tracker:
    """The user's actions, filtered and in order, not yet read: the page reads one page of them,
    the CSV streams them all."""

    actions: QuerySet[Action]
    amber_until: dict[int, date]
    today: date
    to_do: int = 0
    total: int = 0

    @property
    def summary(self) -> str:
        return f"{self.to_do:,} of the {self.total:,} matching these filters still to do or to verify."

    def rows(self, actions: Iterable[Action]) -> list[ActionRow]:
        return list(iter_action_rows(actions, self.today, dict(self.amber_until)))


def tracker(user: AnyUser, filters: TrackerFilters, today: date | None = None) -> Tracker:
    """Every action on every review the user coordinates, filtered in the database, with how many
    are still to do and how many there are in all (one query). Constant queries however many."""
    today = today or timezone.localdate()
    if not (user and user.is_authenticated):
        return Tracker(Action.objects.none(), {}, today)
    coordinated = Review.objects.filter(pk__in=coordinated_review_ids(user)).values("partnership_id")
    partnerships = Partnership.objects.filter(pk__in=coordinated).prefetch_related("closure_days")
    amber_until = amber_until_by_partnership(partnerships, today)
    actions = _base().filter(review_id__in=coordinated_review_ids(user))
    if filters.agency_id:
        actions = actions.filter(owner_agency_id=filters.agency_id)
    if filters.overdue:
        actions = actions.filter(state__in=ACTIVE_ACTION_STATES, due_date__lt=today)
    if filters.rag:
        actions = actions.alias(rag_value=rag_expression(amber_until, today)).filter(rag_value=filters.rag)
    counts = actions.aggregate(total=Count("id"), to_do=Count("id", filter=~Q(state__in=SETTLED_ACTION_STATES)))
    if filters.show == Show.TO_DO:
        actions = actions.exclude(state__in=SETTLED_ACTION_STATES)
    return Tracker(
        actions=_to_do_first(actions),
        amber_until=amber_until,
        today=today,
        to_do=counts["to_do"],
        total=counts["total"],
    )


def tracker_reviews(actions: QuerySet[Action]) -> QuerySet[Review]:
    """The reviews the filtered actions belong to (an export is recorded as a look at each)."""
    return Review.objects.filter(pk__in=actions.order_by().values("review_id"))


def tracker_agencies(user: User) -> list[Agency]:
    """Agencies owning at least one action on the user's reviews, for the filter."""
    owning = Action.objects.filter(review_id__in=coordinated_review_ids(user)).values("owner_agency_id")
    return list(Agency.objects.filter(pk__in=owning).order_by("name"))


CSV_HEADERS = [
    "Review",
    "Action",
    "Recommendation",
    "What will be done",
    "Owner agency",
    "Owner role",
    "Due date",
    "Status",
    "RAG",
    "Overdue",
    "Success measure",
    "Evidence",
    "Completed",
    "Verified",
]

CSV_CHUNK = 2000


def tracker_csv(tracked: Tracker) -> Iterator[str]:
    """The tracker as CSV, one line at a time, read from the database in chunks: nothing is built
    in memory before the first line goes out (issue 12)."""
    # amber_until is worked out already: the partnerships' closure days need not be read again.
    actions = tracked.actions.prefetch_related(None).iterator(chunk_size=CSV_CHUNK)
    rows = iter_action_rows(actions, tracked.today, dict(tracked.amber_until))
    return csv_lines(
        CSV_HEADERS,
        (
            [
                row.action.review.reference,
                row.action.code,
                row.action.recommendation.what,
                row.action.description,
                row.action.owner_agency.name,
                row.action.owner_role,
                row.action.due_date.isoformat(),
                row.action.get_state_display(),
                row.rag_label if row.rag else "",
                "yes" if row.overdue else "no",
                row.action.success_measure,
                row.action.evidence,
                _local_date(row.action.completed_at),
                _local_date(row.action.verified_at),
            ]
            for row in rows
        ),
    )


def _local_date(moment: datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


# --- an agency lead's actions ---------------------------------------------------------------------


def _led_by(user: User) -> Exists:
    """True for an action whose owning agency ``user`` leads on the action's review."""
    return Exists(
        ReviewRole.objects.filter(
            review_id=OuterRef("review_id"), agency_id=OuterRef("owner_agency_id"), user=user, role=Role.AGENCY_LEAD
        )
    )


def actions_for_user(user: AnyUser) -> QuerySet[Action]:
    """Every action the user may open (``reviews.permissions.action_for``): those of the reviews
    they coordinate, and those owned by an agency they lead on the action's review. Not read: the
    API pages them (reviews/api/actions.py)."""
    if not (user and user.is_authenticated):
        return Action.objects.none()
    return _base().filter(Q(review_id__in=coordinated_review_ids(user)) | Q(_led_by(user)))


def my_actions(user: AnyUser) -> QuerySet[Action]:
    """Actions owned by an agency the user leads, on the reviews where they lead it, work still to
    do first. Not read: the page reads one page of them."""
    if not (user and user.is_authenticated):
        return Action.objects.none()
    return _to_do_first(_base().filter(_led_by(user)))


# --- one review's actions, and one action ---------------------------------------------------------


def review_action_rows(review: Review, *, agency_ids: frozenset[int] | None = None) -> list[ActionRow]:
    actions = _base().filter(review=review).order_by("recommendation__number", "number")
    if agency_ids is not None:
        actions = actions.filter(owner_agency_id__in=agency_ids)
    return action_rows(actions)


def action_updates(action: Action) -> list[ActionUpdate]:
    return list(action.updates.select_related("author").order_by("progress_on", "id"))
