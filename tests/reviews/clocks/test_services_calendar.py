"""Closure days never move a statutory or national-guidance deadline (docs/DOMAIN.md, Clocks).

Statutory clocks count weekends and England & Wales bank holidays only; a partnership's closure days
lengthen its practice clocks and move when reminders go out. Expected dates are worked out by hand
from the bank holidays (2026: 3 and 6 April, 25 and 28 December; 2027: 1 January).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from notifications.models import Deadline, DeadlineKind
from notifications.services import deadline_reschedule
from reviews.models import ClosureDay, Review, ReviewClock, ReviewKind
from tests.factories import make_review
from tests.reviews.pages import partnership_form
from workflows.calendar import WorkingCalendar


def clock(review: Review, key: str) -> ReviewClock:
    return ReviewClock.objects.get(review=review, key=key)


def closed(partnership, *days: date) -> None:
    for day in days:
        ClosureDay.objects.create(partnership=partnership, date=day, reason="Council closure")


def clock_deadline(row: ReviewClock) -> Deadline:
    return Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(ReviewClock), object_id=row.pk, kind=DeadlineKind.CLOCK_DUE
    )


def test_easter_2026_closure_days_do_not_move_the_serious_incident_notification(partnership, coordinator, today):
    # Aware Wed 1 April (day 0): Thu 2 (1), Good Friday and Easter Monday skipped, Tue 7 (2), Wed 8 (3),
    # Thu 9 (4), Fri 10 (5). Counting the closures on Tue 7 and Wed 8 would give Tue 14 April.
    closed(partnership, date(2026, 4, 7), date(2026, 4, 8))
    review = make_review(
        coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": date(2026, 4, 1)}
    )
    row = clock(review, "si_notification")
    assert row.due_date == date(2026, 4, 10)
    assert row.calendar == WorkingCalendar.BANK_HOLIDAYS


def test_christmas_2026_closure_days_do_not_move_the_rapid_review(partnership, coordinator, today):
    # Notified Wed 16 Dec 2026 (day 0): 17, 18, 21, 22, 23, 24 Dec (1-6), 25 and 28 Dec are bank holidays,
    # 29, 30, 31 Dec (7-9), 1 Jan a bank holiday, 4-8 Jan (10-14), Mon 11 Jan (15). Counting the demo's
    # closures on 29 and 30 December would give Wed 13 January.
    closed(partnership, date(2026, 12, 29), date(2026, 12, 30))
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 12, 14), "notified_on": date(2026, 12, 16)},
    )
    row = clock(review, "rapid_review")
    assert (row.start_date, row.due_date) == (date(2026, 12, 16), date(2027, 1, 11))
    assert row.calendar == WorkingCalendar.BANK_HOLIDAYS
    # Aware Mon 14 Dec: 15, 16, 17, 18, 21 Dec.
    assert clock(review, "si_notification").due_date == date(2026, 12, 21)


def test_each_clock_row_says_which_calendar_it_counted_in(partnership, coordinator, today):
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.INSTITUTIONAL,
        key_dates={"became_aware_on": date(2026, 4, 2)},
    )
    calendars = dict(ReviewClock.objects.filter(review=review).values_list("key", "calendar"))
    assert calendars == {
        "si_notification": "bank_holidays",  # statute
        "ofsted_notification": "bank_holidays",  # statute
        "lado_referral": "local",  # practice
    }


def test_a_closure_day_moves_a_practice_clock_and_a_reminder_but_no_statutory_due_date(partnership, coordinator, today):
    def opened() -> Review:
        return make_review(
            coordinator=coordinator,
            partnership=partnership,
            kind=ReviewKind.INSTITUTIONAL,
            title="Nursery Z",
            key_dates={"became_aware_on": date(2026, 4, 2)},
        )

    # Aware Thu 2 April 2026, before any closure: the LADO referral (1 working day, practice) is due
    # Tue 7 April (Good Friday and Easter Monday skipped); the Panel notification (5 working days,
    # statute) Mon 13 April: Tue 7 (1), Wed 8 (2), Thu 9 (3), Fri 10 (4), Mon 13 (5).
    before = opened()
    assert clock(before, "lado_referral").due_date == date(2026, 4, 7)
    assert clock(before, "si_notification").due_date == date(2026, 4, 13)
    reminder = clock_deadline(clock(before, "si_notification"))
    deadline_reschedule(reminder, today=date(2026, 4, 3))
    # "1 working day before" Mon 13 April is Fri 10 April.
    assert (reminder.next_step, reminder.next_reminder_on) == (-1, date(2026, 4, 10))

    # The council closes on Tue 7 and Fri 10 April.
    closed(partnership, date(2026, 4, 7), date(2026, 4, 10))
    after = opened()
    assert clock(after, "lado_referral").due_date == date(2026, 4, 8)  # the practice clock moves
    assert clock(after, "si_notification").due_date == date(2026, 4, 13)  # the statutory one does not
    reminder = clock_deadline(clock(after, "si_notification"))
    deadline_reschedule(reminder, today=date(2026, 4, 3))
    # No reminder on the closure day: "1 working day before" Mon 13 April is now Thu 9 April.
    assert (reminder.next_step, reminder.next_reminder_on) == (-1, date(2026, 4, 9))


def test_a_closure_day_added_later_moves_only_the_practice_clocks(admin_client, partnership, coordinator, today):
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.INSTITUTIONAL,
        title="Nursery Z",
        key_dates={"became_aware_on": date(2026, 4, 2)},
    )
    data = partnership_form(partnership, closure_days=[{"date": "2026-04-07", "reason": "Council IT outage"}])

    response = admin_client.post(reverse("admin:reviews_partnership_change", args=[partnership.pk]), data)

    assert response.status_code == 302
    assert clock(review, "lado_referral").due_date == date(2026, 4, 8)
    assert clock(review, "si_notification").due_date == date(2026, 4, 13)


@pytest.mark.parametrize(
    ("aware", "closures", "due"),
    [
        # Without closures the reading is the same: 5 working days from Wed 1 April 2026.
        (date(2026, 4, 1), (), date(2026, 4, 10)),
        # Closures over the whole week after Easter move nothing.
        (date(2026, 4, 1), tuple(date(2026, 4, day) for day in (7, 8, 9, 10)), date(2026, 4, 10)),
    ],
)
def test_the_statutory_due_date_ignores_any_closure(aware, closures, due, partnership, coordinator, today):
    closed(partnership, *closures)
    review = make_review(coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": aware})
    assert clock(review, "si_notification").due_date == due
