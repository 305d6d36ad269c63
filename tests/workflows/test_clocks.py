"""How a clock reads to a coordinator: met, running, due soon, breached, stopped, not started."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from workflows.clocks import (
    Basis,
    ClockSpec,
    ClockStatus,
    DurationUnit,
    add_months,
    compute_due_date,
    read_clock,
)

# A rapid review notified on Wed 4 March 2026 is due on Wed 25 March 2026 (15 working days).
START, DUE = date(2026, 3, 4), date(2026, 3, 25)


@dataclass
class Closures:
    dates: list[date] = field(default_factory=list)

    def closure_dates(self) -> list[date]:
        return self.dates


def reading(today, *, stopped_on=None, abandoned=False, start=START, due=DUE, calendar=None):
    return read_clock(
        start_date=start, due_date=due, stopped_on=stopped_on, abandoned=abandoned, today=today, calendar=calendar
    )


def test_a_clock_without_a_start_date_has_not_started():
    result = reading(date(2026, 3, 10), start=None, due=None)
    assert result.status == ClockStatus.NOT_STARTED
    assert result.due_date is None
    assert result.working_days_left is None
    assert not result.is_open


def test_a_clock_well_before_its_due_date_is_running_with_working_days_left():
    result = reading(date(2026, 3, 10))
    assert result.status == ClockStatus.RUNNING
    assert result.due_date == DUE
    assert result.working_days_left == 11
    assert result.is_open


def test_three_working_days_left_is_still_running():
    assert reading(date(2026, 3, 20)).status == ClockStatus.RUNNING  # Friday: 23, 24, 25 left


def test_two_working_days_left_is_due_soon():
    result = reading(date(2026, 3, 23))
    assert result.status == ClockStatus.DUE_SOON
    assert result.working_days_left == 2


def test_on_the_due_date_it_is_due_soon_not_breached():
    result = reading(DUE)
    assert result.status == ClockStatus.DUE_SOON
    assert result.working_days_left == 0


def test_the_day_after_the_due_date_a_running_clock_is_breached():
    result = reading(date(2026, 3, 26))
    assert result.status == ClockStatus.BREACHED
    assert result.working_days_left == -1
    assert result.is_open


def test_a_weekend_before_the_due_date_does_not_count_as_days_left():
    # Saturday 21 March: Mon 23, Tue 24 and Wed 25 are left.
    assert reading(date(2026, 3, 21)).working_days_left == 3


def test_closure_days_reduce_the_working_days_left():
    shut = Closures([date(2026, 3, 24)])
    result = reading(date(2026, 3, 20), calendar=shut)
    assert result.working_days_left == 2
    assert result.status == ClockStatus.DUE_SOON


def test_stopped_on_or_before_the_due_date_is_met():
    assert reading(date(2026, 6, 1), stopped_on=DUE).status == ClockStatus.MET
    assert reading(date(2026, 6, 1), stopped_on=date(2026, 3, 5)).status == ClockStatus.MET
    assert reading(date(2026, 6, 1), stopped_on=DUE).working_days_left is None


def test_stopped_after_the_due_date_is_breached_and_stays_breached():
    result = reading(date(2026, 6, 1), stopped_on=date(2026, 3, 26))
    assert result.status == ClockStatus.BREACHED
    assert not result.is_open  # it no longer counts down


def test_a_clock_on_a_withdrawn_review_is_simply_stopped_neither_met_nor_missed():
    late = reading(date(2026, 6, 1), stopped_on=date(2026, 5, 1), abandoned=True)
    early = reading(date(2026, 6, 1), stopped_on=date(2026, 3, 5), abandoned=True)
    assert late.status == ClockStatus.STOPPED
    assert early.status == ClockStatus.STOPPED
    assert late.due_date == DUE


def test_working_days_are_counted_from_day_0():
    assert compute_due_date(date(2026, 12, 18), 15, DurationUnit.WORKING_DAYS) == date(2027, 1, 13)


def test_working_days_use_the_calendar_s_closure_days():
    shut = Closures([date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)])
    assert compute_due_date(date(2026, 12, 18), 15, DurationUnit.WORKING_DAYS, shut) == date(2027, 1, 18)


def test_calendar_days_include_weekends_and_bank_holidays():
    # Ofsted's 14 days from Fri 20 March 2026 end on Good Friday.
    assert compute_due_date(date(2026, 3, 20), 14, DurationUnit.CALENDAR_DAYS) == date(2026, 4, 3)


def test_calendar_days_ignore_closure_days():
    shut = Closures([date(2026, 3, 23)])
    assert compute_due_date(date(2026, 3, 20), 14, DurationUnit.CALENDAR_DAYS, shut) == date(2026, 4, 3)


@pytest.mark.parametrize(
    ("hours", "due"),
    [(24, date(2026, 3, 8)), (48, date(2026, 3, 9)), (49, date(2026, 3, 10)), (1, date(2026, 3, 8))],
)
def test_hours_are_due_by_the_end_of_the_day_they_run_out(hours, due):
    # A death on Saturday 7 March 2026: the 48-hour notification is due by the end of Monday 9th.
    assert compute_due_date(date(2026, 3, 7), hours, DurationUnit.HOURS) == due


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # clamped to the end of February
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),  # over the year end
        (date(2026, 7, 1), 6, date(2027, 1, 1)),  # even on a bank holiday: months are calendar time
        (date(2026, 5, 20), 12, date(2027, 5, 20)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_end_of_the_month(start, months, due):
    assert compute_due_date(start, months, DurationUnit.MONTHS) == due
    assert add_months(start, months) == due


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="fortnights"):
        compute_due_date(date(2026, 3, 4), 2, "fortnights")


def test_only_statute_clocks_are_fixed_and_durations_read_naturally():
    statute = ClockSpec("a", "A", ("x",), 1, DurationUnit.WORKING_DAYS, Basis.STATUTE, "law")
    practice = ClockSpec("b", "B", ("x", "y"), 6, DurationUnit.MONTHS, Basis.PRACTICE, "custom")
    assert not statute.duration_configurable
    assert practice.duration_configurable
    assert statute.duration_text == "1 working day"
    assert practice.duration_text == "6 months"
    assert practice.default_start_event == "x"
