"""Reminder schedules: which working days, relative to a due date, a reminder goes out on.

A step is a number of working days relative to the due date (-5: five working days before; 0: the
due day; 3: three working days overdue). Every step falls on a working day (weekends and England &
Wales bank holidays excluded, workflows.calendar, and the closure days of the deadline's partnership
when given as ``closed``), so reminders go out on working days only.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from workflows.calendar import add_working_days, is_working_day

NO_CLOSURES: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Schedule:
    offsets: tuple[int, ...] = (-5, -1, 0, 1)
    repeat_every: int = 5
    escalate_from: int | None = 3
    active: bool = True

    def steps(self) -> Iterator[int]:
        """Every step in order, without end when reminders repeat."""
        base = sorted(set(self.offsets) | ({self.escalate_from} if self.escalate_from is not None else set()))
        if self.repeat_every > 0:
            last = max(self.offsets) if self.offsets else 0
            repeats: Iterator[int] = itertools.count(last + self.repeat_every, self.repeat_every)
        else:
            repeats = iter(())
        previous = None
        for step in heapq.merge(base, repeats):
            if step != previous:
                yield step
            previous = step

    def escalates(self, step: int) -> bool:
        return self.escalate_from is not None and step >= self.escalate_from

    def dated_steps(self, due: date, closed: frozenset[date] = NO_CLOSURES) -> Iterator[tuple[int, date]]:
        """(step, day) in order. Two steps that land on the same day (the due day falls on a bank
        holiday, so "on the due day" moves back onto "1 working day before") send one reminder."""
        last_day: date | None = None
        for step in self.steps():
            day = step_date(due, step, closed)
            if last_day is not None and day <= last_day:
                continue
            last_day = day
            yield step, day

    def first_on_or_after(
        self, due: date, today: date, closed: frozenset[date] = NO_CLOSURES
    ) -> tuple[int, date] | None:
        """The next reminder of a deadline set or moved today (today's own step included)."""
        if not self.active:
            return None
        return next(((step, day) for step, day in self.dated_steps(due, closed) if day >= today), None)

    def after(self, due: date, today: date, closed: frozenset[date] = NO_CLOSURES) -> tuple[int, date] | None:
        if not self.active:
            return None
        return next(((step, day) for step, day in self.dated_steps(due, closed) if day > today), None)

    def latest_on_or_before(
        self, due: date, today: date, from_step: int, closed: frozenset[date] = NO_CLOSURES
    ) -> tuple[int, date] | None:
        """The step to send today: of the steps due by today, the latest. When sweeps were missed,
        the older steps are not sent as well (one reminder saying where things stand now)."""
        found = None
        for step, day in self.dated_steps(due, closed):
            if day > today:
                break
            if step >= from_step:
                found = (step, day)
        return found

    def describe(self) -> str:
        parts = [step_label(o) for o in sorted(self.offsets)]
        if self.repeat_every:
            parts.append(f"then every {self.repeat_every} working days")
        if self.escalate_from is not None:
            parts.append(f"escalating from {self.escalate_from} working days overdue")
        return ", ".join(parts)


DEFAULT_SCHEDULE = Schedule()


@dataclass(frozen=True)
class ClosedDays:
    """A partnership's closure days, as workflows.calendar asks for them."""

    dates: frozenset[date] = NO_CLOSURES

    def closure_dates(self) -> frozenset[date]:
        return self.dates


def step_date(due: date, step: int, closed: frozenset[date] = NO_CLOSURES) -> date:
    if step == 0:
        # "On the due day" when the due day is a weekend, bank holiday or closure day: the working
        # day before, so the reminder still comes before the deadline passes.
        day = due
        while not is_working_day(day, ClosedDays(closed)):
            day -= timedelta(days=1)
        return day
    return add_working_days(due, step, ClosedDays(closed) if closed else None)


def next_working_day(day: date, closed: frozenset[date] = NO_CLOSURES) -> date:
    """The first working day after ``day`` (a reminder that fell due on a closure day goes out then)."""
    return add_working_days(day, 1, ClosedDays(closed) if closed else None)


def step_label(step: int) -> str:
    if step == 0:
        return "due today"
    days = abs(step)
    unit = "working day" if days == 1 else "working days"
    return f"due in {days} {unit}" if step < 0 else f"{days} {unit} overdue"


def schedule_for(policy: object | None) -> Schedule:
    if policy is None:
        return DEFAULT_SCHEDULE
    return Schedule(
        offsets=tuple(policy.offsets),  # type: ignore[attr-defined]
        repeat_every=policy.repeat_every_working_days,  # type: ignore[attr-defined]
        escalate_from=policy.escalate_from_working_days_overdue,  # type: ignore[attr-defined]
        active=policy.active,  # type: ignore[attr-defined]
    )


def schedules_by_kind() -> dict[str, Schedule]:
    """Every kind's schedule, one query (the sweep reads it once per run)."""
    from notifications.models import DeadlineKind, ReminderPolicy

    rows = {policy.kind: policy for policy in ReminderPolicy.objects.all()}
    return {kind: schedule_for(rows.get(kind)) for kind in DeadlineKind.values}
