"""Readers of chronologies: a contribution's entries and the merged chronology, with its CSV export."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import QueryDict

from reviews.models import Review
from reviews.models.chronology import ChronologyEntry, DatePrecision
from reviews.models.contributions import AgencyContribution, ContributionState
from reviews.permissions import OVERSEE, lead_agency_ids, reviews_holding
from ui.csv import csv_lines
from ui.pagination import Pages, paginate
from workflows.types import AnyUser

# Entries of contributions in these states are part of the merged chronology.
MERGED_STATES = (ContributionState.SUBMITTED, ContributionState.ACCEPTED)


# GOV.UK colour palette, distinguishable and with text contrast on white.
AGENCY_COLOURS = [
    "#1d70b8",
    "#00703c",
    "#d4351c",
    "#4c2c92",
    "#f47738",
    "#5694ca",
    "#912b88",
    "#28a197",
    "#b58840",
    "#6f72af",
    "#d53880",
    "#85994b",
    "#003078",
    "#505a5f",
]


@dataclass(frozen=True)
class ChronologyScope:
    """Which agencies' entries this user may read on this review, and why."""

    all_agencies: bool
    agency_ids: frozenset[int]

    @property
    def sees_anything(self) -> bool:
        return self.all_agencies or bool(self.agency_ids)


# Who reads every agency's entries as soon as they are submitted: the coordinator, the chair, panel
# members, and the partnership's business manager (read-only, from their standing).
ALL_AGENCIES_READERS = ("coordinate_review", "chair_review", "sit_on_panel", OVERSEE)


def chronology_scope(user: AnyUser, review: Review) -> ChronologyScope:
    if not (user and user.is_authenticated and user.is_active):
        return ChronologyScope(False, frozenset())
    # A superuser reads every agency, as guardian reads a superuser's permissions; anyone else by
    # their permissions on the review or their standing in its partnership (one query).
    if user.is_superuser or reviews_holding(user, ALL_AGENCIES_READERS).filter(pk=review.pk).exists():
        return ChronologyScope(True, frozenset())
    lead_of = lead_agency_ids(user, review)
    if lead_of and review.chronology_released_at is not None:
        return ChronologyScope(True, frozenset())
    return ChronologyScope(False, lead_of)


def merged_entries(
    review: Review,
    scope: ChronologyScope,
    *,
    agency_ids: list[int] | None = None,
    significant_only: bool = False,
) -> QuerySet[ChronologyEntry]:
    """One timeline, oldest first. A month-only date sorts at the start of its month, after the
    exact entries of that first day; approximate dates sort on their day after exact ones."""
    # contribution__review as well as review: the same rows, but it lets PostgreSQL read only this
    # review's contributions for the join instead of scanning every contribution (issue 12: 48 ms to
    # 1.7 ms a query with 40,000 reviews).
    mine = ChronologyEntry.objects.filter(review=review, contribution__review=review)
    if scope.all_agencies:
        entries = mine.filter(contribution__state__in=MERGED_STATES)
    else:
        # An agency lead also sees their own entries while still drafting them.
        entries = mine.filter(contribution__agency_id__in=scope.agency_ids)
    if agency_ids:
        entries = entries.filter(contribution__agency_id__in=agency_ids)
    if significant_only:
        entries = entries.filter(significant=True)
    precision_rank = Case(
        When(date_precision=DatePrecision.EXACT, then=Value(0)),
        When(date_precision=DatePrecision.APPROXIMATE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        entries.select_related("contribution__agency")
        .annotate(precision_rank=precision_rank)
        .order_by("event_date", "precision_rank", "event_time", "contribution__agency__name", "id")
    )


def agency_colours(review: Review) -> dict[int, str]:
    agency_ids = review.contributions.order_by("agency__name").values_list("agency_id", flat=True)
    return {agency_id: AGENCY_COLOURS[i % len(AGENCY_COLOURS)] for i, agency_id in enumerate(agency_ids)}


CSV_HEADERS = [
    "Date",
    "Date precision",
    "Time",
    "Agency",
    "Source record",
    "What happened",
    "Professional role",
    "Agency comment",
    "Significant",
]


def csv_rows(entries: QuerySet[ChronologyEntry]) -> Iterator[str]:
    """Stream the export a row at a time: memory stays flat however long the chronology."""
    return csv_lines(
        CSV_HEADERS,
        (
            [
                entry.event_date.isoformat()
                if entry.date_precision != DatePrecision.MONTH
                else entry.event_date.strftime("%Y-%m"),
                entry.get_date_precision_display(),
                entry.event_time.strftime("%H:%M") if entry.event_time else "",
                str(entry.contribution.agency),
                entry.source_record,
                entry.what_happened,
                entry.professional_role,
                entry.agency_comment,
                "yes" if entry.significant else "no",
            ]
            for entry in entries.iterator(chunk_size=2000)
        ),
    )


CHRONOLOGY_PAGE_SIZE = 200
# The printable chronology is printed in parts of this many entries: a long chronology made a
# page of several megabytes (issue 12).
PRINT_PART_SIZE = 500


def contribution_entries(contribution: AgencyContribution, number: str | None) -> Page[ChronologyEntry]:
    """One page of an agency's own entries, oldest first, as the merged chronology is paged: an
    agency may import tens of thousands, and the page lists CHRONOLOGY_PAGE_SIZE at a time."""
    entries = contribution.entries.order_by("event_date", "event_time", "id")
    return Paginator(entries, CHRONOLOGY_PAGE_SIZE).get_page(number)


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

    def page(self, number: str | None) -> Page[ChronologyEntry]:
        return Paginator(self.entries, CHRONOLOGY_PAGE_SIZE).get_page(number)

    def parts(self, params: QueryDict) -> Pages[ChronologyEntry]:
        """The printable chronology's part ``params["page"]``, with its links to the others."""
        return paginate(self.entries, params, singular="entry", plural="entries", per_page=PRINT_PART_SIZE)


def colour_class(hex_colour: str) -> str:
    """A CSS class per colour of the palette (no style= attributes: the CSP forbids them)."""
    return f"reviews-agency--{AGENCY_COLOURS.index(hex_colour)}"


def merged_chronology(user: AnyUser, review: Review, params: QueryDict) -> MergedChronology | None:
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


def chronology_rows(chronology: MergedChronology, entries: Iterable[ChronologyEntry]) -> list[ChronologyRow]:
    return [ChronologyRow(e, chronology.colour_classes.get(e.contribution.agency_id, "")) for e in entries]
