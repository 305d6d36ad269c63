"""Reminder schedules in working days (England & Wales bank holidays, docs/DOMAIN.md)."""

from __future__ import annotations

from datetime import date
from itertools import islice

import pytest
from django.core.exceptions import ValidationError

from notifications.models import ReminderPolicy
from notifications.policies import DEFAULT_SCHEDULE, Schedule, schedule_for, schedules_by_kind, step_label


def first(schedule: Schedule, due: date, n: int) -> list[tuple[int, date]]:
    return list(islice(schedule.dated_steps(due), n))


def test_default_schedule_over_christmas_2026_skips_weekends_and_bank_holidays():
    # Due Wed 30 Dec 2026; bank holidays Fri 25 Dec, Mon 28 Dec, Fri 1 Jan 2027.
    assert first(DEFAULT_SCHEDULE, date(2026, 12, 30), 7) == [
        (-5, date(2026, 12, 21)),  # Mon: 29, 24, 23, 22, 21 counting back over the holidays
        (-1, date(2026, 12, 29)),
        (0, date(2026, 12, 30)),
        (1, date(2026, 12, 31)),
        (3, date(2027, 1, 5)),  # escalation: 31 Dec, 4 Jan, 5 Jan (1 Jan a bank holiday)
        (6, date(2027, 1, 8)),  # then every 5 working days after the first overdue reminder
        (11, date(2027, 1, 15)),
    ]


def test_due_on_a_bank_holiday_sends_one_reminder_the_working_day_before():
    # Due Fri 25 Dec 2026: "on the due day" falls back onto Thu 24 Dec, already "1 day before".
    steps = first(DEFAULT_SCHEDULE, date(2026, 12, 25), 4)
    assert steps == [
        (-5, date(2026, 12, 18)),
        (-1, date(2026, 12, 24)),
        (1, date(2026, 12, 29)),
        (3, date(2026, 12, 31)),
    ]
    assert all(day.weekday() < 5 for _, day in first(DEFAULT_SCHEDULE, date(2026, 12, 25), 30))


def test_escalation_from_three_working_days_overdue():
    assert [DEFAULT_SCHEDULE.escalates(step) for step in (-5, -1, 0, 1, 2, 3, 6)] == [
        False,
        False,
        False,
        False,
        False,
        True,
        True,
    ]


def test_latest_step_only_when_sweeps_were_missed():
    due = date(2026, 12, 30)
    # The sweep did not run from 21 Dec until 31 Dec: it sends "1 working day overdue", not four reminders.
    assert DEFAULT_SCHEDULE.latest_on_or_before(due, date(2026, 12, 31), from_step=-5) == (1, date(2026, 12, 31))
    assert DEFAULT_SCHEDULE.after(due, date(2026, 12, 31)) == (3, date(2027, 1, 5))


def test_step_labels():
    assert [step_label(s) for s in (-5, -1, 0, 1, 6)] == [
        "due in 5 working days",
        "due in 1 working day",
        "due today",
        "1 working day overdue",
        "6 working days overdue",
    ]


def test_policy_edited_in_the_admin_is_used(db):
    policy = ReminderPolicy.objects.get(kind="contribution_due")  # created by the data migration
    assert schedule_for(policy) == DEFAULT_SCHEDULE
    policy.offsets, policy.repeat_every_working_days, policy.escalate_from_working_days_overdue = [-10, 0], 0, None
    policy.full_clean()
    policy.save()
    schedule = schedules_by_kind()["contribution_due"]
    assert [s for s, _ in schedule.dated_steps(date(2026, 6, 30))] == [-10, 0]


def test_policy_with_nonsense_offsets_is_refused(db):
    policy = ReminderPolicy(kind="action_due", offsets=["five"], repeat_every_working_days=5)
    with pytest.raises(ValidationError, match="whole numbers"):
        policy.clean()


def test_a_partnerships_closure_days_get_no_reminder():
    # Due Wed 30 Dec 2026; the partnership closes 29-31 Dec on top of the bank holidays.
    closed = frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})
    steps = list(islice(DEFAULT_SCHEDULE.dated_steps(date(2026, 12, 30), closed), 4))
    assert steps == [
        (-5, date(2026, 12, 18)),  # back over 29 (closed), 28 and 25 (bank holidays): 24, 23, 22, 21, 18
        (-1, date(2026, 12, 24)),
        # "on the due day": 30 Dec is closed, so it falls back onto 24 Dec, already "1 day before"
        (1, date(2027, 1, 4)),  # 31 Dec closed, 1 Jan a bank holiday, then the weekend
        (3, date(2027, 1, 6)),
    ]
    assert not {day for _, day in islice(DEFAULT_SCHEDULE.dated_steps(date(2026, 12, 30), closed), 30)} & closed
