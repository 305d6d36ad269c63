"""Reading chronologies: the merged multi-agency timeline and who may see which entries.

Coordinators, chairs and panel members see every agency's submitted or accepted entries. An
agency lead sees only their own agency's entries until the coordinator releases the merged
chronology to contributors. A scrutineer sees none (progress and timeliness, not case detail).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from reviews.models import Review, ReviewRole, Role
from reviews.models.contributions import ChronologyEntry, ContributionState, DatePrecision
from reviews.permissions import held_review_perms

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


def chronology_scope(user: Any, review: Review) -> ChronologyScope:
    if held_review_perms(user, review, ("coordinate_review", "chair_review", "sit_on_panel")):
        return ChronologyScope(True, frozenset())
    lead_of = frozenset(
        ReviewRole.objects.filter(review=review, user=user, role=Role.AGENCY_LEAD).values_list("agency_id", flat=True)
    )
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
    if scope.all_agencies:
        entries = ChronologyEntry.objects.filter(review=review, contribution__state__in=MERGED_STATES)
    else:
        # An agency lead also sees their own entries while still drafting them.
        entries = ChronologyEntry.objects.filter(review=review, contribution__agency_id__in=scope.agency_ids)
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


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(entries: QuerySet[ChronologyEntry]) -> Iterator[str]:
    """Stream the export a row at a time: memory stays flat however long the chronology."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel opens the UTF-8 file with the right characters
    yield writer.writerow(CSV_HEADERS)
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                entry.event_date.isoformat()
                if entry.date_precision != DatePrecision.MONTH
                else entry.event_date.strftime("%Y-%m"),
                entry.get_date_precision_display(),
                entry.event_time.strftime("%H:%M") if entry.event_time else "",
                str(entry.contribution.agency),
                _safe(entry.source_record),
                _safe(entry.what_happened),
                _safe(entry.professional_role),
                _safe(entry.agency_comment),
                "yes" if entry.significant else "no",
            ]
        )


def _safe(text: str) -> str:
    # A cell starting with = + - @ would run as a formula when the export is opened in Excel.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
