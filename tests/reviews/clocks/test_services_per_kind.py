"""Each kind of review runs the clocks docs/DOMAIN.md gives it, from the start event written on the row."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reviews.models import ClockSetting, ClosureDay, Review, ReviewClock, ReviewKind, ReviewState, Role
from reviews.models.clocks import CLOCKS_BY_KIND, spec_by_key
from reviews.models.partnerships import RapidReviewStart
from reviews.services.child_death import CdopReviewData, MeetingData, cdop_review_record, cdr_meeting_record
from reviews.services.clocks import review_clocks_refresh
from reviews.services.review import review_advance, review_record_key_dates
from reviews.services.roles import review_role_grant
from tests.factories import advance_to, make_review, settle_contributions
from workflows.clocks import ClockStatus, DurationUnit, read_clock


def clock(review: Review, key: str) -> ReviewClock:
    return ReviewClock.objects.get(review=review, key=key)


def status(row: ReviewClock, today: date) -> ClockStatus:
    return read_clock(
        start_date=row.start_date,
        due_date=row.due_date,
        stopped_on=row.stopped_on,
        abandoned=row.abandoned,
        today=today,
    ).status


def open_kind(coordinator, partnership, kind, **key_dates):
    return make_review(coordinator=coordinator, partnership=partnership, kind=kind, key_dates=key_dates)


def test_the_rapid_review_clock_runs_from_the_notification_by_default(review):
    row = clock(review, "rapid_review")
    # Notified Wed 4 March 2026: 15 working days later is Wed 25 March.
    assert (row.start_event, row.start_date, row.due_date) == ("notified_on", date(2026, 3, 4), date(2026, 3, 25))
    assert (row.duration, row.unit, row.basis) == (15, DurationUnit.WORKING_DAYS, "statute")


def test_a_partnership_on_the_older_guidance_runs_it_from_becoming_aware(partnership, coordinator):
    partnership.rapid_review_clock_start = RapidReviewStart.BECAME_AWARE
    partnership.save()
    review = open_kind(
        coordinator, partnership, ReviewKind.RAPID, became_aware_on=date(2026, 3, 2), notified_on=date(2026, 3, 4)
    )
    row = clock(review, "rapid_review")
    assert (row.start_event, row.start_date, row.due_date) == ("became_aware_on", date(2026, 3, 2), date(2026, 3, 23))


def test_the_rapid_review_clock_over_easter_2026(partnership, coordinator):
    review = open_kind(
        coordinator, partnership, ReviewKind.RAPID, became_aware_on=date(2026, 3, 20), notified_on=date(2026, 3, 25)
    )
    # Good Friday 3 April and Easter Monday 6 April are skipped.
    assert clock(review, "rapid_review").due_date == date(2026, 4, 17)
    assert clock(review, "si_notification").due_date == date(2026, 3, 27)


def test_the_rapid_review_clock_waits_for_its_start_event(partnership, coordinator):
    review = open_kind(coordinator, partnership, ReviewKind.RAPID, became_aware_on=date(2026, 3, 2))
    row = clock(review, "rapid_review")
    assert (row.start_event, row.start_date, row.due_date) == ("notified_on", None, None)
    assert status(row, date(2026, 3, 10)) == ClockStatus.NOT_STARTED


def test_the_notification_sent_in_time_meets_the_five_day_clock(review):
    row = clock(review, "si_notification")
    # Aware Mon 2 March, due Mon 9 March, notified Wed 4 March.
    assert (row.start_event, row.start_date, row.due_date) == ("became_aware_on", date(2026, 3, 2), date(2026, 3, 9))
    assert row.stop_event == "notified_on"
    assert row.stopped_on == date(2026, 3, 4)
    assert status(row, date(2026, 6, 1)) == ClockStatus.MET


def test_a_late_notification_meets_the_five_day_clock_late(review, coordinator):
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"notified_on": date(2026, 3, 10)})
    row = clock(review, "si_notification")
    assert row.stopped_on == date(2026, 3, 10)
    assert status(row, date(2026, 6, 1)) == ClockStatus.MET_LATE


def test_the_notification_clock_runs_until_the_notification_is_recorded(partnership, coordinator):
    review = open_kind(coordinator, partnership, ReviewKind.RAPID, became_aware_on=date(2026, 3, 2))
    row = clock(review, "si_notification")
    assert row.stopped_on is None
    assert status(row, date(2026, 3, 3)) == ClockStatus.RUNNING
    assert status(row, date(2026, 3, 5)) == ClockStatus.DUE_SOON
    assert status(row, date(2026, 3, 10)) == ClockStatus.OVERDUE


def test_closure_days_move_a_practice_deadline_but_not_the_notification(partnership, coordinator):
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 3, 5), reason="Office move")
    review = open_kind(coordinator, partnership, ReviewKind.RAPID, became_aware_on=date(2026, 3, 2))
    # Statute: 5 working days from Mon 2 March is Mon 9 March, closure or not.
    assert clock(review, "si_notification").due_date == date(2026, 3, 9)
    # Practice: the LADO referral's 1 working day from Wed 4 March skips the closure on Thu 5 March.
    nursery = open_kind(coordinator, partnership, ReviewKind.INSTITUTIONAL, became_aware_on=date(2026, 3, 4))
    assert clock(nursery, "lado_referral").due_date == date(2026, 3, 6)


def test_a_cspr_has_six_months_from_the_decision(partnership, coordinator):
    review = open_kind(coordinator, partnership, ReviewKind.CSPR, decision_on=date(2026, 8, 31))
    row = clock(review, "cspr_completion")
    assert (row.start_event, row.start_date) == ("decision_on", date(2026, 8, 31))
    assert row.due_date == date(2027, 2, 28)  # clamped: there is no 31 February
    # National guidance: not a partnership's to change, and closure days never move it.
    assert (row.stop_event, row.stop_state, row.basis, row.calendar) == ("published_on", "", "statute", "bank_holidays")


def test_a_partnership_setting_changes_a_practice_clock_s_due_date(partnership, coordinator):
    ClockSetting.objects.create(partnership=partnership, clock_key="scr_completion", duration=9, unit="months")
    review = open_kind(coordinator, partnership, ReviewKind.SCR, decision_on=date(2026, 8, 31))
    row = clock(review, "scr_completion")
    assert (row.duration, row.unit, row.due_date) == (9, "months", date(2027, 5, 31))


@pytest.mark.parametrize("key", ["cspr_completion", "dhr_decision", "dhr_completion"])
def test_a_national_clock_cannot_be_set_by_a_partnership(partnership, key):
    setting = ClockSetting(partnership=partnership, clock_key=key, duration=9, unit="months")
    with pytest.raises(ValidationError) as refused:
        setting.full_clean()
    assert "is set by statute" in refused.value.message_dict["duration"][0]
    assert not ClockSetting.objects.exists()


def test_a_national_clock_ignores_a_setting_left_from_before(partnership, coordinator):
    # A row saved before CSPR completion became national guidance (bypassing clean) changes nothing.
    ClockSetting.objects.create(partnership=partnership, clock_key="cspr_completion", duration=9, unit="months")
    review = open_kind(coordinator, partnership, ReviewKind.CSPR, decision_on=date(2026, 8, 31))
    row = clock(review, "cspr_completion")
    assert (row.duration, row.unit, row.due_date) == (6, "months", date(2027, 2, 28))


def test_a_setting_may_change_the_unit_too(partnership, coordinator):
    ClockSetting.objects.create(partnership=partnership, clock_key="cdr_notification", duration=3, unit="calendar_days")
    cdr = open_kind(
        coordinator, partnership, ReviewKind.CHILD_DEATH, incident_on=date(2026, 4, 1), became_aware_on=date(2026, 4, 2)
    )
    assert clock(cdr, "cdr_notification").due_date == date(2026, 4, 5)


def test_a_setting_changed_later_applies_when_the_clocks_are_next_refreshed(partnership, coordinator):
    review = open_kind(coordinator, partnership, ReviewKind.SCR, decision_on=date(2026, 8, 31))
    ClockSetting.objects.create(partnership=partnership, clock_key="scr_completion", duration=12, unit="months")
    review_clocks_refresh(review=Review.objects.get(pk=review.pk))
    assert clock(review, "scr_completion").due_date == date(2027, 8, 31)


def test_a_setting_for_a_statute_clock_is_refused(partnership):
    setting = ClockSetting(partnership=partnership, clock_key="rapid_review", duration=20, unit="working_days")
    with pytest.raises(ValidationError) as error:
        setting.clean()
    assert error.value.message_dict == {
        "duration": [
            "'Rapid review completed and sent to the Panel' is set by statute (Child Safeguarding Practice Review "
            "Panel guidance: 15 working days) and cannot be changed."
        ]
    }


def test_a_statute_setting_that_slipped_into_the_database_is_ignored(review, partnership):
    # Written past clean() (e.g. raw SQL): the statutory 15 working days still apply.
    ClockSetting.objects.create(partnership=partnership, clock_key="rapid_review", duration=20, unit="working_days")
    review_clocks_refresh(review=Review.objects.get(pk=review.pk))
    assert clock(review, "rapid_review").due_date == date(2026, 3, 25)


def test_a_setting_for_an_unknown_clock_or_of_zero_is_refused(partnership):
    with pytest.raises(ValidationError) as error:
        ClockSetting(partnership=partnership, clock_key="coffee", duration=2, unit="months").clean()
    assert error.value.message_dict == {"clock_key": ["There is no clock called 'coffee'."]}
    with pytest.raises(ValidationError) as error:
        ClockSetting(partnership=partnership, clock_key="scr_completion", duration=0, unit="months").clean()
    assert error.value.message_dict == {"duration": ["A clock needs a duration of at least 1."]}


@pytest.mark.parametrize(
    ("kind", "key_dates", "expected"),
    [
        (
            ReviewKind.CHILD_DEATH,
            # The death on Fri 6 March; the notifying professional learnt of it on Sat 7 March.
            {"incident_on": date(2026, 3, 6), "became_aware_on": date(2026, 3, 7)},
            {
                "cdr_notification": ("became_aware_on", date(2026, 3, 9)),  # 48 hours from a Saturday
                "cdr_review_meeting": ("incident_on", date(2026, 6, 6)),
                "cdop_review": ("incident_on", date(2026, 9, 6)),
            },
        ),
        (
            ReviewKind.INSTITUTIONAL,
            {"became_aware_on": date(2026, 4, 2)},
            {
                "si_notification": ("became_aware_on", date(2026, 4, 13)),  # Easter: 7, 8, 9, 10, 13 April
                "ofsted_notification": ("became_aware_on", date(2026, 4, 16)),
                "lado_referral": ("became_aware_on", date(2026, 4, 7)),  # after Easter
            },
        ),
        (
            ReviewKind.DHR,
            {"became_aware_on": date(2026, 1, 31), "decision_on": date(2026, 2, 20)},
            {
                "dhr_decision": ("became_aware_on", date(2026, 2, 28)),
                "dhr_completion": ("decision_on", date(2026, 8, 20)),
                # Fri 20 Feb + 5 working days: 23, 24, 25, 26, 27 Feb (a default the partnership may change).
                "home_office_decision": ("decision_on", date(2026, 2, 27)),
            },
        ),
        (
            ReviewKind.SAR,
            {"became_aware_on": date(2026, 5, 1), "decision_on": date(2026, 5, 6)},
            {
                "sar_decision": ("became_aware_on", date(2026, 5, 11)),  # over the early May bank holiday
                "sar_completion": ("decision_on", date(2026, 11, 6)),
            },
        ),
        (
            ReviewKind.SCR,
            {"became_aware_on": date(2026, 5, 1), "decision_on": date(2026, 5, 6)},
            {
                "si_notification": ("became_aware_on", date(2026, 5, 11)),
                "scr_completion": ("decision_on", date(2026, 11, 6)),
            },
        ),
    ],
)
def test_each_kind_runs_its_own_clocks(kind, key_dates, expected, partnership, coordinator):
    review = open_kind(coordinator, partnership, kind, **key_dates)
    rows = {row.key: (row.start_event, row.due_date) for row in ReviewClock.objects.filter(review=review)}
    assert rows == expected


def test_every_kind_has_clocks_and_every_clock_names_real_key_dates():
    for kind in ReviewKind.values:
        assert CLOCKS_BY_KIND[kind], kind
        for spec in CLOCKS_BY_KIND[kind]:
            for event in (*spec.start_events, spec.stop_event):
                if event:
                    Review._meta.get_field(event)
            assert spec_by_key(spec.key) is spec


def test_a_clock_stops_when_its_stage_is_reached_and_keeps_its_stop_date(scr, coordinator):
    review = scr
    today = timezone.localdate()
    advance_to(review, ReviewState.FINDINGS, coordinator)
    assert clock(review, "scr_completion").stopped_on is None

    advance_to(review, ReviewState.ACTION_TRACKING, coordinator)
    assert clock(review, "scr_completion").stopped_on == today

    # Backdate the stop as if action tracking had been reached on 20 May; later steps must not move it.
    ReviewClock.objects.filter(review=review, key="scr_completion").update(stopped_on=date(2026, 5, 20))
    advance_to(review, ReviewState.CLOSED, coordinator)
    row = clock(review, "scr_completion")
    assert row.stopped_on == date(2026, 5, 20)
    assert not row.abandoned
    assert status(row, today) == ClockStatus.MET


def test_reaching_the_stage_after_the_due_date_meets_the_clock_late(scr, coordinator):
    advance_to(scr, ReviewState.ACTION_TRACKING, coordinator)
    row = clock(scr, "scr_completion")
    assert row.due_date == date(2026, 9, 7)
    assert status(row, timezone.localdate()) == ClockStatus.MET_LATE


def test_the_cdr_meeting_and_cdop_clocks_stop_on_their_recorded_dates_not_on_a_stage(child_death, coordinator):
    """Reaching the panel stage stops neither; each stops on the date its step records (Tue 2 June
    for the meeting, Fri 4 September for the CDOP), not on the day it was recorded."""
    advance_to(child_death, ReviewState.AGENCY_SUBMISSIONS, coordinator)
    settle_contributions(child_death, coordinator)
    review_advance(actor=coordinator, review_id=child_death.pk, transition="convene_panel")
    for key in ("cdr_review_meeting", "cdop_review"):
        assert clock(child_death, key).stopped_on is None
    cdr_meeting_record(
        actor=coordinator,
        review_id=child_death.pk,
        data=MeetingData(
            held_on=date(2026, 6, 2), notice_given_on=date(2026, 4, 1), post_mortem_received_on=date(2026, 5, 20)
        ),
    )
    cdop_review_record(actor=coordinator, review_id=child_death.pk, data=CdopReviewData(reviewed_on=date(2026, 9, 4)))
    assert clock(child_death, "cdr_review_meeting").stopped_on == date(2026, 6, 2)
    assert clock(child_death, "cdop_review").stopped_on == date(2026, 9, 4)


def test_withdrawal_ends_the_clocks_that_end_with_the_review_without_a_verdict(partnership, coordinator):
    review = open_kind(
        coordinator, partnership, ReviewKind.CHILD_DEATH, incident_on=date(2026, 3, 7), became_aware_on=date(2026, 3, 7)
    )
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="Not proceeding")

    for key in ("cdr_review_meeting", "cdop_review"):
        row = clock(review, key)
        assert row.stopped_on == timezone.localdate()
        assert row.abandoned
        assert status(row, timezone.localdate()) == ClockStatus.WITHDRAWN
    # The death is still to be notified, whatever became of the review: that clock runs on.
    notification = clock(review, "cdr_notification")
    assert (notification.stopped_on, notification.abandoned) == (None, False)
    assert status(notification, date(2026, 3, 12)) == ClockStatus.OVERDUE


def test_withdrawal_leaves_a_clock_owed_whatever_the_outcome_running(partnership, coordinator):
    review = open_kind(coordinator, partnership, ReviewKind.RAPID, became_aware_on=date(2026, 3, 2))
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="Not proceeding")

    for key in ("si_notification", "rapid_review"):
        row = clock(review, key)
        assert (row.stopped_on, row.abandoned) == (None, False)
    assert status(clock(review, "si_notification"), date(2026, 3, 10)) == ClockStatus.OVERDUE
    assert status(clock(review, "rapid_review"), date(2026, 3, 10)) == ClockStatus.NOT_STARTED


def test_withdrawal_keeps_the_verdict_of_a_clock_already_met(review, coordinator):
    advance_to(review, ReviewState.WITHDRAWN, coordinator)
    notification = clock(review, "si_notification")
    rapid = clock(review, "rapid_review")
    assert status(notification, timezone.localdate()) == ClockStatus.MET
    # Not sent to the Panel yet: withdrawing stopped nothing, and the 15 days ran out on 25 March.
    assert status(rapid, timezone.localdate()) == ClockStatus.OVERDUE


def test_a_cspr_clock_stops_on_its_publication_not_at_action_tracking(partnership, coordinator, chair):
    review = open_kind(
        coordinator,
        partnership,
        ReviewKind.CSPR,
        became_aware_on=date(2026, 3, 2),
        decision_on=date(2026, 3, 20),
    )
    review_role_grant(actor=coordinator, review_id=review.pk, user=chair, role=Role.CHAIR)
    advance_to(review, ReviewState.FINDINGS, coordinator)
    assert clock(review, "cspr_completion").stopped_on is None
    advance_to(review, ReviewState.ACTION_TRACKING, coordinator)
    assert clock(review, "cspr_completion").stopped_on is None
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"published_on": date(2026, 9, 18)})
    row = clock(review, "cspr_completion")
    assert row.stopped_on == date(2026, 9, 18)
    assert status(row, date(2026, 12, 1)) == ClockStatus.MET  # due 20 September 2026
