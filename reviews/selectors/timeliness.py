"""The timeliness record: every clock of a review, or of a partnership's reviews, with its start,
due date, stop, outcome and working days late, as data.

The annual report and the Panel's and Ofsted's questions are answered from this record, so it
reads each clock exactly as the review page does (reviews.selectors.clocks.clock_reading: the same
five states, days counted in the calendar the due date was counted in).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet

from reviews.models import ClosureDay, Partnership, Review, ReviewClock
from reviews.selectors.clocks import ClockRow, clock_reading
from reviews.selectors.publication import publication_outcome
from reviews.selectors.review import key_date_label
from workflows.calendar import WorkingCalendar

HEADERS = [
    "Partnership",
    "Review",
    "Kind",
    "Stage",
    "Clock",
    "Basis",
    "Working days counted",
    "Starts on",
    "Start date",
    "Due date",
    "Stopped on",
    "Outcome",
    "Working days late",
]

# Clocks read per database round trip when a partnership's whole record is streamed.
CHUNK = 2000


@dataclass(frozen=True)
class TimelinessRow:
    """One clock of one review, as the review page reads it (``ClockRow``), with its review."""

    review: Review
    row: ClockRow

    def cells(self) -> list[object]:
        clock, reading, review = self.row.clock, self.row.reading, self.review
        return [
            review.partnership.code,
            review.reference,
            review.get_kind_display(),
            review.get_state_display(),
            clock.label,
            self.row.basis_label,
            WorkingCalendar(clock.calendar).label,
            self.row.start_event_label,
            clock.start_date or "",
            clock.due_date or "",
            clock.stopped_on or "",
            self.row.status_label + publication_outcome(review, clock),
            reading.working_days_late if reading.working_days_late is not None else "",
        ]


def _read(clocks: Iterable[ReviewClock], partnerships: dict[int, Partnership], today: date) -> Iterator[TimelinessRow]:
    for clock in clocks:
        review = clock.review
        # The partnership with its closure days prefetched once, not once per clock.
        reading = clock_reading(clock, partnerships[review.partnership_id], today)
        label = key_date_label(review, clock.start_event)
        yield TimelinessRow(review=review, row=ClockRow(clock=clock, reading=reading, start_event_label=label))


def _partnerships(ids: Iterable[int]) -> dict[int, Partnership]:
    closure_days = Prefetch("closure_days", queryset=ClosureDay.objects.order_by("date"))
    return {p.pk: p for p in Partnership.objects.filter(pk__in=set(ids)).prefetch_related(closure_days)}


def review_timeliness(review: Review, today: date) -> list[TimelinessRow]:
    """Every clock of ``review``, earliest due first. Three queries, however many clocks."""
    clocks = list(review.clocks.order_by("due_date", "id"))
    for clock in clocks:
        clock.review = review
    return list(_read(clocks, _partnerships([review.partnership_id]), today))


def partnership_timeliness(reviews: QuerySet[Review], today: date) -> Iterator[TimelinessRow]:
    """Every clock of ``reviews`` (a partnership's, or those a user coordinates), by review then due
    date, read in chunks so a national install's record streams in flat memory: two queries, then
    one per chunk of clocks."""
    partnership_ids = reviews.order_by().values_list("partnership_id", flat=True).distinct()
    partnerships = _partnerships(partnership_ids)
    clocks = (
        ReviewClock.objects.filter(review__in=reviews.order_by().values("pk"))
        .select_related("review")
        .order_by("review__reference", "due_date", "id")
        .iterator(chunk_size=CHUNK)
    )
    # Each review's partnership is the prefetched one (for its code and closure days).
    for row in _read(clocks, partnerships, today):
        row.review.partnership = partnerships[row.review.partnership_id]
        yield row
