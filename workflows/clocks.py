"""Statutory clocks: what a clock is and how to read one.

The engine knows nothing about reviews. A domain app declares its clocks as ``ClockSpec`` values
(start event, duration, what stops it) and stores one row per clock with its start event and date
written down, because sources disagree on start events (docs/DOMAIN.md).
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models

from workflows.calendar import HasClosureDays, WorkingCalendar, add_working_days, working_days_between

DUE_SOON_WORKING_DAYS = 2


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "working days"
    CALENDAR_DAYS = "calendar_days", "calendar days"
    HOURS = "hours", "hours"
    MONTHS = "months", "months"


class Basis(models.TextChoices):
    """How sure the rule is (docs/DOMAIN.md): only statute is fixed; the rest a partnership may change."""

    STATUTE = "statute", "statute or national guidance"
    PRACTICE = "practice", "common local practice"
    UNSURE = "unsure", "not confirmed"


class ClockStatus(models.TextChoices):
    """The five states of a clock (docs/DOMAIN.md, Clocks), named the same on every page.

    Running, due soon and overdue are still counting; met and met late have stopped on a recorded
    date. Two readings are no state of a clock at all: not started (its start date is not recorded
    yet) and withdrawn (the review was withdrawn before the clock's stop could happen, so it was
    neither met nor missed).
    """

    RUNNING = "running", "running"
    DUE_SOON = "due_soon", "due soon"
    MET = "met", "met"
    MET_LATE = "met_late", "met late"
    OVERDUE = "overdue", "overdue"
    NOT_STARTED = "not_started", "not started"
    WITHDRAWN = "withdrawn", "withdrawn"


@dataclass(frozen=True)
class ClockSpec:
    key: str
    label: str
    start_events: tuple[str, ...]
    duration: int
    unit: DurationUnit
    basis: Basis
    source: str
    # What stops it: a recorded date (``stop_event``) or, for the clocks that end with a stage, reaching
    # that stage (``stop_state``). A step never stops a clock that waits for a date.
    stop_event: str | None = None
    stop_state: str | None = None
    # Withdrawing the review ends the clock with no outcome (a report that will never be published).
    # Otherwise the clock is owed whatever the outcome (a notification, the rapid review sent to the
    # Panel) and runs on until its stop date is recorded.
    ends_if_withdrawn: bool = False
    # The stages at which the page asks for the stop date, the step itself stopping nothing.
    prompt_states: tuple[str, ...] = ()
    # Owed before its start event rather than after it: the copy of a report due at least N working
    # days before publication. The due date is counted back from the start.
    counts_back: bool = False
    # Until the start event is recorded the clock counts from this key date instead (the planned
    # publication date, until the review is published).
    start_fallback: str | None = None
    # The clock exists only while this flag of the review is set (a looked-after child's death).
    only_if: str | None = None
    # A recorded decision that ends the clock instead of its stop event, as an outcome of its own (a
    # decision not to publish completes a review that will never be published).
    ended_by_decision: str | None = None

    @property
    def default_start_event(self) -> str:
        return self.start_events[0]

    @property
    def duration_configurable(self) -> bool:
        return self.basis != Basis.STATUTE

    @property
    def calendar(self) -> WorkingCalendar:
        """Statute counts weekends and bank holidays only; local closure days never move it."""
        return WorkingCalendar.BANK_HOLIDAYS if self.basis == Basis.STATUTE else WorkingCalendar.LOCAL

    @property
    def duration_text(self) -> str:
        return duration_text(self.duration, self.unit)


def duration_text(duration: int, unit: str) -> str:
    """How a clock's length reads on a page: 1 working day, 15 working days, 6 months."""
    label = DurationUnit(unit).label
    return f"{duration} {label.rstrip('s') if duration == 1 else label}"


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, _calendar.monthrange(year, month)[1])
    return date(year, month, day)


def compute_due_date(start: date, duration: int, unit: str, calendar: HasClosureDays | None = None) -> date:
    if unit == DurationUnit.WORKING_DAYS:
        return add_working_days(start, duration, calendar)
    if unit == DurationUnit.CALENDAR_DAYS:
        return start + timedelta(days=duration)
    if unit == DurationUnit.HOURS:
        # Clocks store dates, not times: 48 hours from a death on day 0 is due by the end of day 2.
        return start + timedelta(days=-(-duration // 24))
    if unit == DurationUnit.MONTHS:
        return add_months(start, duration)
    raise ValueError(f"Unknown duration unit {unit!r}")


@dataclass(frozen=True)
class ClockReading:
    status: ClockStatus
    due_date: date | None
    # While it counts: working days to the due date (negative once overdue).
    working_days_left: int | None
    # Met late: working days after the due date it stopped on (at least 1).
    working_days_late: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status in (ClockStatus.RUNNING, ClockStatus.DUE_SOON, ClockStatus.OVERDUE)


def read_clock(
    *,
    start_date: date | None,
    due_date: date | None,
    stopped_on: date | None,
    abandoned: bool,
    today: date,
    calendar: HasClosureDays | None = None,
) -> ClockReading:
    """Running / due soon / overdue while it counts, met / met late once stopped, as of ``today``.

    ``calendar`` is the calendar the due date was counted in (closure days for a local clock, none for
    a statutory one), so days left and days late are counted in the same working days. A clock that
    ended with its withdrawn review (``abandoned``) has no outcome.
    """
    if start_date is None or due_date is None:
        return ClockReading(ClockStatus.NOT_STARTED, None, None)
    if abandoned:
        return ClockReading(ClockStatus.WITHDRAWN, due_date, None)
    if stopped_on is not None:
        if stopped_on <= due_date:
            return ClockReading(ClockStatus.MET, due_date, None)
        # Stopped on a weekend or bank holiday after the due date: late all the same, by one day.
        late = max(1, working_days_between(due_date, stopped_on, calendar))
        return ClockReading(ClockStatus.MET_LATE, due_date, None, late)
    left = working_days_between(today, due_date, calendar)
    if today > due_date:
        return ClockReading(ClockStatus.OVERDUE, due_date, left)
    if left <= DUE_SOON_WORKING_DAYS:
        return ClockReading(ClockStatus.DUE_SOON, due_date, left)
    return ClockReading(ClockStatus.RUNNING, due_date, left)
