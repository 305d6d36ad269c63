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
    NOT_STARTED = "not_started", "not started"
    RUNNING = "running", "running"
    DUE_SOON = "due_soon", "due soon"
    BREACHED = "breached", "breached"
    MET = "met", "met"
    STOPPED = "stopped", "stopped"


@dataclass(frozen=True)
class ClockSpec:
    key: str
    label: str
    start_events: tuple[str, ...]
    duration: int
    unit: DurationUnit
    basis: Basis
    source: str
    stop_event: str | None = None
    stop_state: str | None = None

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
        unit = DurationUnit(self.unit).label
        if self.duration == 1:
            unit = unit.rstrip("s")
        return f"{self.duration} {unit}"


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
    working_days_left: int | None

    @property
    def is_open(self) -> bool:
        return self.status in (ClockStatus.RUNNING, ClockStatus.DUE_SOON, ClockStatus.BREACHED) and (
            self.working_days_left is not None
        )


def read_clock(
    *,
    start_date: date | None,
    due_date: date | None,
    stopped_on: date | None,
    abandoned: bool,
    today: date,
    calendar: HasClosureDays | None = None,
) -> ClockReading:
    """Met / running / due soon / breached, as of ``today``.

    A clock stopped on or before its due date was met; stopped after it, breached. A clock on a
    withdrawn review is simply stopped: it was neither met nor missed.
    """
    if start_date is None or due_date is None:
        return ClockReading(ClockStatus.NOT_STARTED, None, None)
    if stopped_on is not None:
        if abandoned:
            return ClockReading(ClockStatus.STOPPED, due_date, None)
        status = ClockStatus.MET if stopped_on <= due_date else ClockStatus.BREACHED
        return ClockReading(status, due_date, None)
    left = working_days_between(today, due_date, calendar)
    if today > due_date:
        return ClockReading(ClockStatus.BREACHED, due_date, left)
    if left <= DUE_SOON_WORKING_DAYS:
        return ClockReading(ClockStatus.DUE_SOON, due_date, left)
    return ClockReading(ClockStatus.RUNNING, due_date, left)
