"""Working-day arithmetic against dated cases over Christmas and Easter (docs/DOMAIN.md's bank holidays)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from workflows.calendar import add_working_days, is_bank_holiday, is_working_day, working_days_between


@dataclass
class Closures:
    """Anything with closure_dates() is a calendar of extra non-working days (a partnership is one:
    tests/reviews/partnerships/test_models.py)."""

    dates: list[date] = field(default_factory=list)

    def closure_dates(self) -> list[date]:
        return self.dates


def test_fifteen_working_days_from_friday_18_december_2026_is_wednesday_13_january_2027():
    # docs/DOMAIN.md's own example: Christmas Day, the substitute Boxing Day (28 Dec) and New Year's Day
    # are skipped along with the weekends.
    assert add_working_days(date(2026, 12, 18), 15) == date(2027, 1, 13)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day falls on a Saturday: substitute day
        date(2027, 1, 1),
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),
        date(2027, 12, 27),
        date(2027, 12, 28),
    ],
)
def test_england_and_wales_bank_holidays_are_not_working_days(day):
    assert is_bank_holiday(day)
    assert not is_working_day(day)


def test_scottish_and_northern_irish_holidays_are_working_days_in_england():
    assert is_working_day(date(2026, 1, 2))  # 2 January: Scotland only
    assert is_working_day(date(2026, 3, 17))  # St Patrick's Day: Northern Ireland only


def test_easter_2026_the_day_after_maundy_thursday_is_the_tuesday():
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert add_working_days(date(2026, 3, 31), 5) == date(2026, 4, 9)  # 1, 2, 7, 8, 9 April


def test_easter_2027_the_day_after_maundy_thursday_is_the_tuesday():
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert add_working_days(date(2027, 3, 24), 3) == date(2027, 3, 31)


def test_a_start_on_a_saturday_is_day_0_and_monday_is_day_1():
    assert add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)
    assert add_working_days(date(2026, 3, 7), 5) == date(2026, 3, 13)


def test_a_start_on_a_bank_holiday_is_day_0():
    # Aware on Good Friday: Easter Monday is not a working day either, so day 1 is the Tuesday.
    assert add_working_days(date(2026, 4, 3), 1) == date(2026, 4, 7)
    assert add_working_days(date(2026, 12, 25), 1) == date(2026, 12, 29)


def test_zero_working_days_is_the_start_itself_even_on_a_weekend():
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_negative_days_count_backwards_over_the_same_holidays():
    assert add_working_days(date(2027, 1, 13), -15) == date(2026, 12, 18)
    assert add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 2)
    assert add_working_days(date(2026, 3, 9), -1) == date(2026, 3, 6)


def test_working_days_between_counts_after_the_start_up_to_and_including_the_end():
    assert working_days_between(date(2026, 12, 18), date(2027, 1, 13)) == 15
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Friday to Monday
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1  # over Easter 2026


def test_working_days_between_is_negative_when_the_end_is_earlier():
    assert working_days_between(date(2027, 1, 13), date(2026, 12, 18)) == -15
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 6)) == -1


def test_adding_then_measuring_agrees():
    start = date(2027, 3, 19)
    for days in (1, 5, 15, 40):
        assert working_days_between(start, add_working_days(start, days)) == days


def test_closure_days_push_the_deadline():
    shut = Closures([date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)])

    assert add_working_days(date(2026, 12, 18), 15, shut) == date(2027, 1, 18)
    assert not is_working_day(date(2026, 12, 30), shut)
    # Another calendar's closures do not move this one's deadlines.
    assert add_working_days(date(2026, 12, 18), 15, Closures()) == date(2027, 1, 13)
    assert is_working_day(date(2026, 12, 30), Closures())


def test_closure_days_are_not_counted_between_two_dates():
    shut = Closures([date(2026, 12, 29)])

    assert working_days_between(date(2026, 12, 18), date(2027, 1, 13)) == 15
    assert working_days_between(date(2026, 12, 18), date(2027, 1, 13), shut) == 14


def test_a_whole_year_counts_its_working_days():
    # 2025: 365 days from a Wednesday, so 261 weekdays; England's eight bank holidays all fall on
    # weekdays (1 Jan, 18 and 21 Apr, 5 and 26 May, 25 Aug, 25 and 26 Dec): 253 working days.
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 253
    # A Saturday closure day changes nothing; a closure on a bank holiday is not taken off twice.
    shut = Closures([date(2025, 3, 15), date(2025, 12, 25), date(2025, 12, 29)])
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31), shut) == 252


def test_counting_agrees_with_walking_day_by_day_over_years():
    # working_days_between counts arithmetically; walking the days one at a time with
    # is_working_day is the independent reading it must agree with, over long and short spans,
    # forwards and backwards, with closure days on weekdays, weekends and bank holidays.
    import random

    def walked(start: date, end: date, calendar: Closures) -> int:
        low, high = sorted((start, end))
        count = sum(
            is_working_day(date.fromordinal(n), calendar) for n in range(low.toordinal() + 1, high.toordinal() + 1)
        )
        return count if end >= start else -count

    rng = random.Random(17)
    base = date(2022, 1, 1).toordinal()
    shut = Closures([date.fromordinal(base + rng.randrange(5 * 365)) for _ in range(40)] + [date(2026, 12, 25)])
    for _ in range(400):
        start = date.fromordinal(base + rng.randrange(5 * 365))
        end = date.fromordinal(start.toordinal() + rng.randrange(-900, 900))
        for calendar in (Closures(), shut):
            assert working_days_between(start, end, calendar) == walked(start, end, calendar), (start, end)
