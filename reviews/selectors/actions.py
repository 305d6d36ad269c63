"""Readers of actions: the tracker (and its CSV), my actions, a review's actions and one action's updates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import QueryDict
from django.utils import timezone

from reviews.models import Agency, Review, ReviewRole, Role
from reviews.models.actions import ACTIVE_ACTION_STATES, AMBER_WORKING_DAYS, Action, ActionState, ActionUpdate, Rag
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


def action_rows(actions: Iterable[Action], today: date | None = None) -> list[ActionRow]:
    today = today or timezone.localdate()
    amber_until: dict[int, date] = {}  # per partnership: its closure days move the 10 working days
    rows = []
    for action in actions:
        partnership = action.review.partnership
        if partnership.pk not in amber_until:
            amber_until[partnership.pk] = add_working_days(today, AMBER_WORKING_DAYS, partnership)
        rag = action.rag(today, amber_until=amber_until[partnership.pk])
        overdue = action.state in ACTIVE_ACTION_STATES and action.due_date < today
        rows.append(ActionRow(action=action, rag=rag, overdue=overdue))
    return rows


# --- the coordinators' tracker --------------------------------------------------------------------


@dataclass(frozen=True)
class TrackerFilters:
    agency_id: int | None
    rag: str
    overdue: bool

    def querystring(self) -> str:
        query = QueryDict(mutable=True)
        if self.agency_id:
            query["agency"] = str(self.agency_id)
        if self.rag:
            query["rag"] = self.rag
        if self.overdue:
            query["overdue"] = "1"
        return query.urlencode()


def tracker_filters(params: QueryDict) -> TrackerFilters:
    """Filters from GET parameters; anything unreadable is ignored, not an error."""
    agency = params.get("agency", "")
    rag = params.get("rag", "")
    return TrackerFilters(
        agency_id=int(agency) if agency.isdecimal() else None,  # not isdigit(): "²" is a digit int() refuses
        rag=rag if rag in Rag.values else "",
        overdue=params.get("overdue") in ("1", "on", "yes"),
    )


def coordinated_review_ids(user: User) -> QuerySet[ReviewRole, int]:
    return ReviewRole.objects.filter(user=user, role=Role.COORDINATOR).values_list("review_id", flat=True)


def tracker_rows(user: AnyUser, filters: TrackerFilters, today: date | None = None) -> list[ActionRow]:
    """Every action on every review the user coordinates, filtered. Three queries however many."""
    today = today or timezone.localdate()
    if not (user and user.is_authenticated):
        return []
    actions = _base().filter(review_id__in=coordinated_review_ids(user))
    if filters.agency_id:
        actions = actions.filter(owner_agency_id=filters.agency_id)
    if filters.overdue:
        actions = actions.filter(state__in=ACTIVE_ACTION_STATES, due_date__lt=today)
    rows = action_rows(actions, today)
    if filters.rag:
        rows = [row for row in rows if row.rag == filters.rag]
    return rows


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


def tracker_csv(rows: list[ActionRow]) -> Iterator[str]:
    """The tracker as CSV, one line at a time (streamed)."""
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


def my_actions(user: AnyUser, today: date | None = None) -> list[ActionRow]:
    """Actions owned by an agency the user leads, on the reviews where they lead it."""
    if not (user and user.is_authenticated):
        return []
    rows = action_rows(_base().filter(_led_by(user)), today)
    # Work still to do first.
    return sorted(rows, key=lambda r: r.action.state not in ACTIVE_ACTION_STATES)


# --- one review's actions, and one action ---------------------------------------------------------


def review_action_rows(review: Review, *, agency_ids: frozenset[int] | None = None) -> list[ActionRow]:
    actions = _base().filter(review=review).order_by("recommendation__number", "number")
    if agency_ids is not None:
        actions = actions.filter(owner_agency_id__in=agency_ids)
    return action_rows(actions)


def action_updates(action: Action) -> list[ActionUpdate]:
    return list(action.updates.select_related("author").order_by("progress_on", "id"))
