"""Working-day arithmetic for statutory clocks.

Working days exclude weekends and England & Wales bank holidays (``holidays``, GB / ENG), plus, on
a clock's local calendar only, the closure days of the partnership whose clock it is. "Within N
working days of X" means X is day 0 and the deadline is the end of working day N (docs/DOMAIN.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Protocol

import holidays
from django.db import models


class HasClosureDays(Protocol):
    """Anything that can name extra non-working days (a partnership's office closures)."""

    def closure_dates(self) -> Iterable[date]: ...


class WorkingCalendar(models.TextChoices):
    """Which days a clock counts as working days; each clock row records the one it used.

    A local closure (a council's Christmas shutdown) never moves a statutory or national-guidance
    deadline: those count weekends and bank holidays only. Closure days may lengthen only the clocks
    a partnership sets for itself (docs/DOMAIN.md, Clocks).
    """

    BANK_HOLIDAYS = "bank_holidays", "weekends and England & Wales bank holidays"
    LOCAL = "local", "weekends, bank holidays and the partnership's closure days"

    def closures(self, local: HasClosureDays | None) -> HasClosureDays | None:
        """The closure days this calendar counts: ``local``'s on a local calendar, none otherwise."""
        return local if self is WorkingCalendar.LOCAL else None


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England shares its bank holidays with Wales; subdivision ENG gives exactly that set.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def _closures(partnership: HasClosureDays | None) -> frozenset[date]:
    return frozenset(partnership.closure_dates()) if partnership is not None else frozenset()


def is_working_day(
    day: date, partnership: HasClosureDays | None = None, *, _closed: frozenset[date] | None = None
) -> bool:
    closed = _closures(partnership) if _closed is None else _closed
    return day.weekday() < 5 and not is_bank_holiday(day) and day not in closed


def add_working_days(start: date, days: int, partnership: HasClosureDays | None = None) -> date:
    """The end of working day ``days``, counting ``start`` as day 0.

    ``start`` itself need not be a working day (a notification may arrive on a Saturday).
    Negative ``days`` count backwards (used for "5 working days before" reminders).
    """
    closed = _closures(partnership)
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day, _closed=closed):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, partnership: HasClosureDays | None = None) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

    Counted, not walked: a dashboard reads a hundred clocks, some overdue by years, and a
    day-by-day walk cost more than the rest of the page. Weekdays come from arithmetic on day
    numbers; the bank holidays and closure days that fall on weekdays in the range are taken off.
    """
    if end == start:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    off = {
        day
        for year in range(low.year, high.year + 1)
        for day in _bank_holidays(year)
        if low < day <= high and day.weekday() < 5
    }
    off.update(day for day in _closures(partnership) if low < day <= high and day.weekday() < 5)
    return sign * (_weekdays_to(high) - _weekdays_to(low) - len(off))


def _weekdays_to(day: date) -> int:
    """Monday to Friday days from 1 January of year 1 (a Monday, ordinal 1) to ``day`` inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)
