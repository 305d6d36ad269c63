"""Readers of a review's clocks, as the review page shows them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import prefetch_related_objects

from reviews.models import Partnership, Review, ReviewClock
from reviews.models.clocks import spec_by_key
from reviews.selectors.review import TAG_CLASSES, key_date_label
from workflows.calendar import WorkingCalendar
from workflows.clocks import Basis, ClockReading, ClockStatus, DurationUnit, duration_text, read_clock


@dataclass(frozen=True)
class ClockRow:
    clock: ReviewClock
    reading: ClockReading
    start_event_label: str

    @property
    def status_label(self) -> str:
        return ClockStatus(self.reading.status).label

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self.reading.status]

    @property
    def duration_text(self) -> str:
        text = duration_text(self.clock.duration, self.clock.unit)
        spec = spec_by_key(self.clock.key)
        # Owed before its start (the advance copy, before publication).
        return f"{text} before" if spec is not None and spec.counts_back else text

    @property
    def basis_label(self) -> str:
        return Basis(self.clock.basis).label

    @property
    def calendar_text(self) -> str:
        """How a clock in working days treats the partnership's closure days (docs/DOMAIN.md, Clocks)."""
        if self.clock.unit != DurationUnit.WORKING_DAYS:
            return ""
        if self.clock.calendar == WorkingCalendar.LOCAL:
            return "skips the partnership's closure days"
        return "closure days do not move it"

    @property
    def days_left_text(self) -> str:
        """Working days left or overdue while it counts; how late, once met late."""
        late = self.reading.working_days_late
        if late is not None:
            return f"{late} working day{'s' if late != 1 else ''} late"
        left = self.reading.working_days_left
        if left is None:
            return ""
        if left < 0:
            return f"{-left} working day{'s' if left != -1 else ''} overdue"
        return f"{left} working day{'s' if left != 1 else ''} left"


def clock_reading(clock: ReviewClock, partnership: Partnership, today: date) -> ClockReading:
    """The clock as of ``today``, its working days counted in the calendar its due date was counted in."""
    return read_clock(
        start_date=clock.start_date,
        due_date=clock.due_date,
        stopped_on=clock.stopped_on,
        abandoned=clock.abandoned,
        today=today,
        calendar=WorkingCalendar(clock.calendar).closures(partnership),
    )


def clock_rows(review: Review, today: date) -> list[ClockRow]:
    """Read each clock as of ``today``.

    Every reading asks the partnership for its closure days, so both are prefetched here (unless
    the caller already did): otherwise the review page would cost one closure-day query per clock.
    A page of many reviews reads them with read_clock_rows (the dashboard).
    """
    prefetch_related_objects([review], "clocks", "partnership__closure_days")
    return read_clock_rows(review, list(review.clocks.all()), today)


def fetch_closure_days(reviews: Iterable[Review]) -> None:
    """Fetch the closure days of ``reviews``' partnerships in one query, for a list that counts
    working days on each row.

    The reviews of one partnership are given one shared Partnership (each came with its own copy,
    by select_related), so the closure days are fetched, and attached, once per partnership: a
    prefetch through each review attached them 50 times over for a page of 50.
    """
    reviews = list(reviews)
    shared: dict[int, Partnership] = {}
    for review in reviews:
        shared.setdefault(review.partnership_id, review.partnership)
    prefetch_related_objects(list(shared.values()), "closure_days")
    share_partnerships(reviews, shared)


def share_partnerships(reviews: Iterable[Review], partnerships: dict[int, Partnership]) -> None:
    """Give each review its partnership from ``partnerships`` (by id, read with whatever it needs,
    its closure days), so no review reads its own copy; a review whose partnership is not there
    keeps its own (read on demand)."""
    field = Review._meta.get_field("partnership")
    for review in reviews:
        if review.partnership_id in partnerships:
            field.set_cached_value(review, partnerships[review.partnership_id])


def read_clock_rows(review: Review, clocks: list[ReviewClock], today: date) -> list[ClockRow]:
    """``clocks`` (the review's) read as of ``today``; the review's partnership must come with its
    closure days fetched (each reading asks for them)."""
    return [
        ClockRow(
            clock=clock,
            reading=clock_reading(clock, review.partnership, today),
            start_event_label=key_date_label(review, clock.start_event),
        )
        for clock in clocks
    ]


@dataclass(frozen=True)
class StopDatePrompt:
    """A running clock whose stop date the coordinator is asked for at this stage."""

    field: str
    text: str


def stop_date_prompts(review: Review, rows: list[ClockRow]) -> list[StopDatePrompt]:
    """The stage is where a clock's stop usually happens, but the step stopped nothing: ask for the date.

    Read from the rows already on the page: no query.
    """
    prompts = []
    for row in rows:
        clock = row.clock
        spec = spec_by_key(clock.key)
        if spec is None or not spec.stop_event or review.state not in spec.prompt_states:
            continue
        if clock.stopped_on is not None or clock.start_date is None:
            continue
        label = key_date_label(review, spec.stop_event)
        prompts.append(
            StopDatePrompt(
                field=spec.stop_event,
                text=f"{clock.label}: this clock stops on the date {label[:1].lower()}{label[1:]}, not on a "
                "change of stage. It runs until that date is recorded.",
            )
        )
    return prompts
