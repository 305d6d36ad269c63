"""How a clock reads to a coordinator: running, due soon, met, met late, overdue; not started, withdrawn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from workflows.calendar import WorkingCalendar
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


def test_on_the_due_date_it_is_due_soon_not_overdue():
    result = reading(DUE)
    assert result.status == ClockStatus.DUE_SOON
    assert result.working_days_left == 0


def test_the_day_after_the_due_date_a_running_clock_is_overdue():
    result = reading(date(2026, 3, 26))
    assert result.status == ClockStatus.OVERDUE
    assert result.working_days_left == -1
    assert result.working_days_late is None  # overdue is still counting: not met late (yet)
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
    assert reading(date(2026, 6, 1), stopped_on=DUE).working_days_late is None


def test_stopped_after_the_due_date_is_met_late_and_stays_met_late():
    result = reading(date(2026, 6, 1), stopped_on=date(2026, 3, 26))
    assert result.status == ClockStatus.MET_LATE
    assert result.working_days_late == 1
    assert not result.is_open  # it no longer counts down
    assert reading(date(2027, 6, 1), stopped_on=date(2026, 3, 26)).status == ClockStatus.MET_LATE


@pytest.mark.parametrize(
    ("due", "stopped_on", "late"),
    [
        (DUE, date(2026, 3, 26), 1),  # the Thursday after a Wednesday due date
        (DUE, date(2026, 3, 31), 4),  # Thu 26, Fri 27, Mon 30, Tue 31
        (DUE, date(2026, 4, 7), 7),  # over Easter: Good Friday and Easter Monday are not working days
        (date(2026, 3, 27), date(2026, 3, 28), 1),  # due Friday, stopped on the Saturday: late all the same
    ],
)
def test_met_late_says_by_how_many_working_days(due, stopped_on, late):
    assert reading(date(2026, 6, 1), due=due, stopped_on=stopped_on).working_days_late == late


def test_days_late_are_counted_in_the_clock_s_own_calendar():
    shut = Closures([date(2026, 3, 27), date(2026, 3, 30)])
    assert reading(date(2026, 6, 1), stopped_on=date(2026, 3, 31)).working_days_late == 4
    assert reading(date(2026, 6, 1), stopped_on=date(2026, 3, 31), calendar=shut).working_days_late == 2


def test_a_clock_that_ended_with_its_withdrawn_review_is_neither_met_nor_missed():
    late = reading(date(2026, 6, 1), stopped_on=date(2026, 5, 1), abandoned=True)
    early = reading(date(2026, 6, 1), stopped_on=date(2026, 3, 5), abandoned=True)
    assert late.status == ClockStatus.WITHDRAWN
    assert early.status == ClockStatus.WITHDRAWN
    assert late.due_date == DUE
    assert not late.is_open


def test_there_are_five_states_and_two_readings_without_one():
    assert [status.label for status in ClockStatus] == [
        "running",
        "due soon",
        "met",
        "met late",
        "overdue",
        "not started",
        "withdrawn",
    ]
    assert "breached" not in ClockStatus.values


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


def test_statute_counts_bank_holidays_only_and_the_rest_the_local_calendar():
    statute = ClockSpec("a", "A", ("x",), 5, DurationUnit.WORKING_DAYS, Basis.STATUTE, "law")
    practice = ClockSpec("b", "B", ("x",), 1, DurationUnit.WORKING_DAYS, Basis.PRACTICE, "custom")
    unsure = ClockSpec("c", "C", ("x",), 6, DurationUnit.MONTHS, Basis.UNSURE, "not confirmed")
    assert statute.calendar == WorkingCalendar.BANK_HOLIDAYS
    assert practice.calendar == unsure.calendar == WorkingCalendar.LOCAL
    shut = Closures([date(2026, 4, 7), date(2026, 4, 8)])
    assert WorkingCalendar.BANK_HOLIDAYS.closures(shut) is None
    assert WorkingCalendar.LOCAL.closures(shut) is shut
    # Wed 1 April 2026: Thu 2, (Easter), Tue 7, Wed 8, Thu 9, Fri 10; closed on 7 and 8: Tue 14.
    assert compute_due_date(date(2026, 4, 1), 5, DurationUnit.WORKING_DAYS, statute.calendar.closures(shut)) == date(
        2026, 4, 10
    )
    assert compute_due_date(date(2026, 4, 1), 5, DurationUnit.WORKING_DAYS, practice.calendar.closures(shut)) == date(
        2026, 4, 14
    )
