"""Readers of agency contributions and chronologies for the web UI.

The one rule every contribution page follows: a contribution exists for a user only if they
coordinate its review or are the lead of its agency on that review. Everyone else, including
the lead of another agency on the same review, gets a 404, so guessing URLs reveals nothing.
Listings use select_related/prefetch_related so their query count does not grow with rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from reviews.chronology import AGENCY_COLOURS, ChronologyScope, agency_colours, chronology_scope, merged_entries
from reviews.models import Review, ReviewRole, Role
from reviews.models.contributions import AgencyContribution, ChronologyEntry, ContributionState, DueDateChange
from reviews.selectors import review_get_for_user, review_permissions_for_user
from workflows.calendar import working_days_between

CHRONOLOGY_PAGE_SIZE = 200

STATE_TAG_CLASSES: dict[str, str] = {
    ContributionState.REQUESTED: "govuk-tag--grey",
    ContributionState.IN_PROGRESS: "govuk-tag--blue",
    ContributionState.SUBMITTED: "govuk-tag--purple",
    ContributionState.RETURNED: "govuk-tag--orange",
    ContributionState.ACCEPTED: "govuk-tag--green",
    ContributionState.NIL_RETURN: "govuk-tag--turquoise",
    ContributionState.WAIVED: "govuk-tag--grey",
}


def state_tag_class(state: str) -> str:
    return STATE_TAG_CLASSES.get(state, "govuk-tag--grey")


def due_text(contribution: AgencyContribution, today: date) -> str:
    """'3 working days left', 'Due today', '2 working days overdue'; empty once settled or submitted."""
    if contribution.state not in (
        ContributionState.REQUESTED,
        ContributionState.IN_PROGRESS,
        ContributionState.RETURNED,
    ):
        return ""
    # Reads the partnership's prefetched closure days, so a list costs no query per row.
    left = working_days_between(today, contribution.due_date, contribution.review.partnership)
    if contribution.due_date == today:
        return "Due today"
    if contribution.due_date < today:
        late = max(-left, 1)
        return f"{late} working day{'s' if late != 1 else ''} overdue"
    return f"{left} working day{'s' if left != 1 else ''} left"


@dataclass(frozen=True)
class ContributionRow:
    contribution: AgencyContribution
    due_text: str
    overdue: bool
    open_extension: DueDateChange | None

    @property
    def tag_class(self) -> str:
        return state_tag_class(self.contribution.state)


def _row(contribution: AgencyContribution, today: date) -> ContributionRow:
    text = due_text(contribution, today)
    open_requests = getattr(contribution, "open_requests", None)
    return ContributionRow(
        contribution=contribution,
        due_text=text,
        overdue=text.endswith("overdue"),
        open_extension=open_requests[0] if open_requests else None,
    )


def _open_requests_prefetch() -> Prefetch:
    return Prefetch(
        "due_date_changes",
        queryset=DueDateChange.objects.filter(status=DueDateChange.Status.REQUESTED),
        to_attr="open_requests",
    )


# --- access -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionAccess:
    review: Review
    contribution: AgencyContribution
    perms: frozenset[str]
    is_lead: bool

    @property
    def is_coordinator(self) -> bool:
        return "coordinate_review" in self.perms


def lead_agency_ids(user: Any, review: Review) -> frozenset[int]:
    return frozenset(
        ReviewRole.objects.filter(review=review, user=user, role=Role.AGENCY_LEAD).values_list("agency_id", flat=True)
    )


def contribution_get_for_user(user: Any, reference: str, contribution_id: int) -> ContributionAccess:
    """The contribution, or Http404 unless the user coordinates the review or leads its agency on it."""
    review = review_get_for_user(user, reference)
    perms = review_permissions_for_user(user, review)
    contribution = (
        AgencyContribution.objects.select_related("agency", "lead", "review__partnership")
        .filter(pk=contribution_id, review=review)
        .first()
    )
    if contribution is None:
        raise Http404("No such contribution.")
    is_lead = contribution.agency_id in lead_agency_ids(user, review)
    if not (is_lead or "coordinate_review" in perms):
        raise Http404("No such contribution.")
    return ContributionAccess(review=review, contribution=contribution, perms=perms, is_lead=is_lead)


# --- lists --------------------------------------------------------------------------------------


def contribution_rows(review: Review, *, agency_ids: frozenset[int] | None = None) -> list[ContributionRow]:
    """The review's contributions (or only those of ``agency_ids``), with their due-date clocks."""
    today = timezone.localdate()
    contributions = (
        AgencyContribution.objects.filter(review=review)
        .select_related("agency", "lead", "review__partnership")
        .prefetch_related("review__partnership__closure_days", _open_requests_prefetch())
        .order_by("agency__name")
    )
    if agency_ids is not None:
        contributions = contributions.filter(agency_id__in=agency_ids)
    return [_row(c, today) for c in contributions]


def my_requests(user: Any) -> list[ContributionRow]:
    """Every contribution the user leads, across all their reviews, soonest due first.

    Three queries however many: the contributions with their review, partnership and agency;
    the partnerships' closure days; the open extension requests.
    """
    if not (user and user.is_authenticated):
        return []
    today = timezone.localdate()
    leads = ReviewRole.objects.filter(
        review_id=OuterRef("review_id"), agency_id=OuterRef("agency_id"), user=user, role=Role.AGENCY_LEAD
    )
    contributions = (
        AgencyContribution.objects.filter(Exists(leads))
        .select_related("agency", "review__partnership")
        .prefetch_related("review__partnership__closure_days", _open_requests_prefetch())
        .order_by("due_date", "review__reference", "id")
    )
    rows = [_row(c, today) for c in contributions]
    # Work still to do first; then what is with the coordinator or finished.
    return sorted(rows, key=lambda r: not r.contribution.is_editable)


def contribution_entries(contribution: AgencyContribution) -> list[ChronologyEntry]:
    return list(contribution.entries.order_by("event_date", "event_time", "id"))


def due_date_history(contribution: AgencyContribution) -> list[DueDateChange]:
    return list(contribution.due_date_changes.select_related("asked_by", "decided_by").order_by("asked_at", "id"))


def invitable_agencies(review: Review) -> QuerySet[Any]:
    """Agencies serving the review's partnership that have not been asked yet."""
    asked = AgencyContribution.objects.filter(review=review).values("agency_id")
    return review.partnership.agencies.exclude(pk__in=asked).order_by("name")


# --- the merged chronology ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChronologyFilters:
    agency_ids: list[int]
    significant_only: bool

    def querystring(self, **extra: Any) -> str:
        query = QueryDict(mutable=True)
        query.setlist("agency", [str(a) for a in self.agency_ids])
        if self.significant_only:
            query["significant"] = "1"
        for key, value in extra.items():
            query[key] = str(value)
        return query.urlencode()


def chronology_filters(params: QueryDict, allowed_agency_ids: set[int]) -> ChronologyFilters:
    """Filters from GET parameters; unknown or unreadable agency ids are ignored, not an error."""
    ids = []
    for value in params.getlist("agency"):
        # isdecimal(), not isdigit(): "²" is a digit that int() refuses.
        if value.isdecimal() and int(value) in allowed_agency_ids and int(value) not in ids:
            ids.append(int(value))
    return ChronologyFilters(agency_ids=ids, significant_only=params.get("significant") in ("1", "on", "yes"))


@dataclass(frozen=True)
class AgencyOption:
    agency_id: int
    name: str
    colour_class: str
    checked: bool


@dataclass
class MergedChronology:
    review: Review
    scope: ChronologyScope
    filters: ChronologyFilters
    agencies: list[AgencyOption]
    colour_classes: dict[int, str]
    entries: QuerySet[ChronologyEntry]

    def page(self, number: Any) -> Page:
        return Paginator(self.entries, CHRONOLOGY_PAGE_SIZE).get_page(number)


def colour_class(hex_colour: str) -> str:
    """A CSS class per colour of the palette (no style= attributes: the CSP forbids them)."""
    return f"reviews-agency--{AGENCY_COLOURS.index(hex_colour)}"


def merged_chronology(user: Any, review: Review, params: QueryDict) -> MergedChronology | None:
    """What this user may read of the merged chronology, filtered; None if nothing at all."""
    scope = chronology_scope(user, review)
    if not scope.sees_anything:
        return None
    colours = {agency_id: colour_class(hex_colour) for agency_id, hex_colour in agency_colours(review).items()}
    contributions = AgencyContribution.objects.filter(review=review).select_related("agency").order_by("agency__name")
    if not scope.all_agencies:
        contributions = contributions.filter(agency_id__in=scope.agency_ids)
    visible = [(c.agency_id, str(c.agency)) for c in contributions]
    filters = chronology_filters(params, {agency_id for agency_id, _ in visible})
    agencies = [
        AgencyOption(agency_id, name, colours.get(agency_id, ""), agency_id in filters.agency_ids)
        for agency_id, name in visible
    ]
    entries = merged_entries(
        review, scope, agency_ids=filters.agency_ids or None, significant_only=filters.significant_only
    )
    return MergedChronology(
        review=review, scope=scope, filters=filters, agencies=agencies, colour_classes=colours, entries=entries
    )


@dataclass(frozen=True)
class ChronologyRow:
    entry: ChronologyEntry
    colour_class: str


def chronology_rows(chronology: MergedChronology, entries: Any) -> list[ChronologyRow]:
    return [ChronologyRow(e, chronology.colour_classes.get(e.contribution.agency_id, "")) for e in entries]
