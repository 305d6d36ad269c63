"""reviews/migrations/0017_child_death.py: the CDR meeting and CDOP clocks that a stage had stopped keep
that day as their recorded date, so no clock changes outcome without a date to justify it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.reviews.clocks.test_migrations import Migrator, migrator, old_clock, old_review  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reviews", "0016_agency_forms")]
AFTER = [("reviews", "0017_child_death")]


def test_a_clock_stopped_by_its_stage_keeps_that_day_as_its_recorded_date(migrator):  # noqa: F811
    apps = migrator.migrate(BEFORE)
    reached = old_review(apps, kind="child_death", state="action_tracking", incident_on=date(2026, 1, 10))
    withdrawn = old_review(
        apps, kind="child_death", state="withdrawn", incident_on=date(2026, 1, 10), withdrawal_rationale="No review"
    )
    running = old_review(apps, kind="child_death", state="panel", incident_on=date(2026, 1, 10))
    common = {"basis": "practice", "start_event": "incident_on", "unit": "months", "calendar": "local"}
    old_clock(
        apps, reached, "cdr_review_meeting", stop_state="findings", stopped_on=date(2026, 4, 2), duration=3, **common
    )
    old_clock(
        apps, reached, "cdop_review", stop_state="action_tracking", stopped_on=date(2026, 6, 30), duration=6, **common
    )
    old_clock(
        apps,
        withdrawn,
        "cdr_review_meeting",
        stop_state="findings",
        stopped_on=date(2026, 2, 1),
        abandoned=True,
        duration=3,
        **common,
    )
    old_clock(apps, running, "cdr_review_meeting", stop_state="findings", duration=3, **common)

    apps = migrator.migrate(AFTER)
    Review = apps.get_model("reviews", "Review")
    ReviewClock = apps.get_model("reviews", "ReviewClock")
    after = Review.objects.get(pk=reached.pk)
    assert (after.cdr_meeting_on, after.cdop_reviewed_on) == (date(2026, 4, 2), date(2026, 6, 30))
    assert ReviewClock.objects.get(review_id=reached.pk, key="cdr_review_meeting").stop_event == "cdr_meeting_on"
    # Withdrawal ended it with no outcome: no meeting date is invented for it.
    assert Review.objects.get(pk=withdrawn.pk).cdr_meeting_on is None
    assert Review.objects.get(pk=running.pk).cdr_meeting_on is None

    # And back: the columns go, nothing else is undone.
    migrator.migrate(BEFORE)
