"""The data migrations that moved existing clocks to the rules of docs/DOMAIN.md, Clocks: run on rows
written under the old rules, through the migration framework, on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_CALENDARS = [("reviews", "0007_reviewclock_calendar")]


class Migrator:
    """Takes the schema back to ``targets`` and forward again, and gives the models of each state."""

    def __init__(self) -> None:
        self.executor = MigrationExecutor(connection)

    def migrate(self, targets: list[tuple[str, str]]) -> Any:
        self.executor.loader.build_graph()
        self.executor.migrate(targets)
        return self.executor.loader.project_state(targets).apps

    def latest(self) -> Any:
        self.executor.loader.build_graph()
        return self.migrate(self.executor.loader.graph.leaf_nodes())


@pytest.fixture
def migrator() -> Iterator[Migrator]:
    migrator = Migrator()
    try:
        yield migrator
    finally:
        migrator.latest()  # the rest of the suite runs on the current schema


def old_review(apps: Any, *, code: str = "NSCP", kind: str = "rapid_review", state: str = "scoping", **dates: Any):
    User = apps.get_model("auth", "User")
    Partnership = apps.get_model("reviews", "Partnership")
    Review = apps.get_model("reviews", "Review")
    partnership, _ = Partnership.objects.get_or_create(code=code, defaults={"name": f"{code} partnership"})
    user, _ = User.objects.get_or_create(username="coordinator")
    sequence = Review.objects.filter(partnership=partnership).count() + 1
    return Review.objects.create(
        partnership=partnership,
        kind=kind,
        reference=f"{code}-RR-2026-{sequence:03d}",
        year=2026,
        sequence=sequence,
        title="Child A",
        state=state,
        created_by=user,
        **dates,
    )


def old_clock(apps: Any, review: Any, key: str, **values: Any) -> Any:
    ReviewClock = apps.get_model("reviews", "ReviewClock")
    return ReviewClock.objects.create(review=review, key=key, label=key, **values)


def clock_deadline(apps: Any, clock: Any, due: date, state: str = "open") -> Any:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Deadline = apps.get_model("notifications", "Deadline")
    clock_type, _ = ContentType.objects.get_or_create(app_label="reviews", model="reviewclock")
    return Deadline.objects.create(
        content_type=clock_type,
        object_id=clock.pk,
        kind="clock_due",
        due_date=due,
        state=state,
        owner_label="Review coordinator",
        scope=clock.review.reference,
        calendar=str(clock.review.partnership_id),
        next_step=-1,
        next_reminder_on=date(2027, 1, 12),
    )


def test_statutory_clocks_are_counted_again_without_closure_days(migrator, today):
    today.set(date(2026, 12, 21))
    apps = migrator.migrate(BEFORE_CALENDARS)
    review = old_review(apps, became_aware_on=date(2026, 12, 14), notified_on=date(2026, 12, 16))
    ClosureDay = apps.get_model("reviews", "ClosureDay")
    for day in (29, 30):
        ClosureDay.objects.create(partnership=review.partnership, date=date(2026, 12, day), reason="Closure")
    statute = {"basis": "statute", "start_event": "notified_on", "duration": 15, "unit": "working_days"}
    # Written when closure days counted in every clock: due Wed 13 Jan 2027 instead of Mon 11 Jan.
    rapid = old_clock(
        apps, review, "rapid_review", start_date=date(2026, 12, 16), due_date=date(2027, 1, 13), **statute
    )
    deadline = clock_deadline(apps, rapid, date(2027, 1, 13))
    Notification = apps.get_model("notifications", "Notification")
    pending = Notification.objects.create(
        idempotency_key="old-reminder",
        kind="reminder",
        channel="email",
        deadline=deadline,
        scope=review.reference,
        step=-1,
        due_date=date(2027, 1, 13),
        status="ready",
    )
    practice = old_clock(
        apps,
        review,
        "lado_referral",
        basis="practice",
        start_event="became_aware_on",
        start_date=date(2026, 12, 28),
        duration=1,
        unit="working_days",
        due_date=date(2026, 12, 31),
    )

    apps = migrator.latest()

    ReviewClock = apps.get_model("reviews", "ReviewClock")
    rapid = ReviewClock.objects.get(pk=rapid.pk)
    assert (rapid.due_date, rapid.calendar) == (date(2027, 1, 11), "bank_holidays")
    practice = ReviewClock.objects.get(pk=practice.pk)
    assert (practice.due_date, practice.calendar) == (date(2026, 12, 31), "local")  # closures still count
    deadline = apps.get_model("notifications", "Deadline").objects.get(pk=deadline.pk)
    # Rescheduled as of Mon 21 Dec: "5 working days before" Mon 11 Jan is Mon 4 Jan (29 and 30 Dec,
    # closure days, and the bank holidays skipped on the way back do not come into it).
    assert (deadline.due_date, deadline.next_step, deadline.next_reminder_on) == (
        date(2027, 1, 11),
        -5,
        date(2027, 1, 4),
    )
    pending = apps.get_model("notifications", "Notification").objects.get(pk=pending.pk)
    assert (pending.status, pending.last_error) == (
        "cancelled",
        "Not sent: the deadline was moved to 11 January 2027 first.",
    )


BEFORE_STOP_DATES = [("reviews", "0009_review_published_on_review_sent_to_panel_on_and_more")]


def stopped_clock(apps: Any, review: Any, key: str, *, stop_state: str = "", stop_event: str = "", **values: Any):
    defaults = {
        "basis": "statute",
        "calendar": "bank_holidays",
        "start_event": "notified_on",
        "start_date": date(2026, 3, 4),
        "duration": 15,
        "unit": "working_days",
        "due_date": date(2026, 3, 25),
    }
    return old_clock(apps, review, key, stop_state=stop_state, stop_event=stop_event, **{**defaults, **values})


def test_clocks_stopped_on_a_step_keep_their_outcome_with_the_stop_date_carried_over(migrator):
    from reviews.models import Review, ReviewClock
    from reviews.selectors.clocks import clock_reading
    from reviews.services.clocks import review_clocks_refresh
    from workflows.audit import AuditEvent
    from workflows.clocks import ClockStatus

    apps = migrator.migrate(BEFORE_STOP_DATES)
    dates = {"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)}
    # Converted on 20 April: the clock stopped then ("breached" for ever).
    converted = old_review(apps, state="closed", decision_on=date(2026, 3, 20), **dates)
    rapid = stopped_clock(apps, converted, "rapid_review", stop_state="findings", stopped_on=date(2026, 4, 20))
    # Moved to findings on 20 March, in time.
    in_time = old_review(apps, state="findings", **dates)
    stopped_clock(apps, in_time, "rapid_review", stop_state="findings", stopped_on=date(2026, 3, 20))
    # Still at panel: nothing to carry, and reaching findings must no longer stop it.
    at_panel = old_review(apps, state="panel", **dates)
    running = stopped_clock(apps, at_panel, "rapid_review", stop_state="findings", stopped_on=None)
    # Withdrawn before the change: the clock ended with no outcome, and keeps none.
    withdrawn = old_review(apps, state="withdrawn", withdrawal_rationale="No review", **dates)
    ended = stopped_clock(
        apps, withdrawn, "rapid_review", stop_state="findings", stopped_on=date(2026, 3, 10), abandoned=True
    )
    # A nursery investigation closed without the date Ofsted was notified: closing stopped that clock.
    nursery = old_review(apps, kind="institutional", state="closed", **dates)
    ofsted = stopped_clock(
        apps,
        nursery,
        "ofsted_notification",
        stop_event="ofsted_notified_on",
        start_event="became_aware_on",
        start_date=date(2026, 3, 2),
        duration=14,
        unit="calendar_days",
        due_date=date(2026, 3, 16),
        stopped_on=date(2026, 3, 12),
    )
    # A CSPR that reached action tracking on 1 October: its completion clock stopped then.
    cspr = old_review(apps, kind="cspr", state="action_tracking", decision_on=date(2026, 3, 20))
    stopped_clock(
        apps,
        cspr,
        "cspr_completion",
        stop_state="action_tracking",
        basis="practice",
        calendar="local",
        start_event="decision_on",
        start_date=date(2026, 3, 20),
        duration=6,
        unit="months",
        due_date=date(2026, 9, 20),
        stopped_on=date(2026, 10, 1),
    )
    # Closed without a start date: it never started, so there is no outcome to keep.
    never = old_review(apps, kind="institutional", state="closed")
    stopped_clock(
        apps,
        never,
        "lado_referral",
        stop_event="lado_referred_on",
        start_date=None,
        due_date=None,
        stopped_on=date(2026, 4, 1),
    )

    migrator.latest()

    assert Review.objects.get(pk=converted.pk).sent_to_panel_on == date(2026, 4, 20)
    assert Review.objects.get(pk=in_time.pk).sent_to_panel_on == date(2026, 3, 20)
    assert Review.objects.get(pk=at_panel.pk).sent_to_panel_on is None
    assert Review.objects.get(pk=withdrawn.pk).sent_to_panel_on is None
    assert Review.objects.get(pk=nursery.pk).ofsted_notified_on == date(2026, 3, 12)
    assert Review.objects.get(pk=cspr.pk).published_on == date(2026, 10, 1)
    assert Review.objects.get(pk=never.pk).lado_referred_on is None
    rows = ReviewClock.objects.filter(key__in=["rapid_review", "cspr_completion"])
    assert set(rows.values_list("stop_event", "stop_state")) == {("sent_to_panel_on", ""), ("published_on", "")}
    event = AuditEvent.objects.get(verb="review.stop_dates_carried_over", object_id=converted.pk)
    assert event.actor is None
    assert event.detail["changes"] == {"sent_to_panel_on": [None, "2026-04-20"]}
    assert AuditEvent.objects.filter(verb="review.stop_dates_carried_over").count() == 4

    # Every clock reads as it did, now from a recorded date, after a refresh by today's rules.
    def status(clock_id: int) -> str:
        clock = ReviewClock.objects.select_related("review__partnership").get(pk=clock_id)
        review_clocks_refresh(review=clock.review)
        clock.refresh_from_db()
        return clock_reading(clock, clock.review.partnership, date(2026, 12, 1)).status

    assert status(rapid.pk) == ClockStatus.MET_LATE  # was "breached"
    assert status(ofsted.pk) == ClockStatus.MET
    assert status(ended.pk) == ClockStatus.WITHDRAWN  # was "stopped", and still no outcome
    assert status(running.pk) == ClockStatus.OVERDUE

    # The withdrawn one is judged once its date is recorded.
    Review.objects.filter(pk=withdrawn.pk).update(sent_to_panel_on=date(2026, 3, 20))
    assert status(ended.pk) == ClockStatus.MET


BEFORE_NATIONAL = [("reviews", "0010_record_clock_stop_dates")]


def test_national_clocks_become_statutory_and_lose_a_partnership_s_own_duration(migrator, today):
    today.set(date(2026, 12, 1))
    apps = migrator.migrate(BEFORE_NATIONAL)
    cspr = old_review(apps, kind="cspr", decision_on=date(2026, 8, 31))
    ClockSetting = apps.get_model("reviews", "ClockSetting")
    ClockSetting.objects.create(partnership=cspr.partnership, clock_key="cspr_completion", duration=9, unit="months")
    # Written when the partnership's 9 months counted: due 31 May 2027.
    completion = old_clock(
        apps,
        cspr,
        "cspr_completion",
        basis="practice",
        calendar="local",
        start_event="decision_on",
        start_date=date(2026, 8, 31),
        duration=9,
        unit="months",
        due_date=date(2027, 5, 31),
        stop_event="published_on",
    )
    deadline = clock_deadline(apps, completion, date(2027, 5, 31))

    apps = migrator.latest()

    completion = apps.get_model("reviews", "ReviewClock").objects.get(pk=completion.pk)
    # National guidance: 6 months from 31 Aug 2026 is 28 Feb 2027 (no 31 February).
    assert (completion.basis, completion.calendar, completion.duration, completion.unit, completion.due_date) == (
        "statute",
        "bank_holidays",
        6,
        "months",
        date(2027, 2, 28),
    )
    assert apps.get_model("notifications", "Deadline").objects.get(pk=deadline.pk).due_date == date(2027, 2, 28)
    assert not apps.get_model("reviews", "ClockSetting").objects.exists()


def test_a_child_death_notification_runs_from_when_the_professional_became_aware(migrator, today):
    today.set(date(2026, 12, 1))
    apps = migrator.migrate(BEFORE_NATIONAL)
    hours = {"basis": "practice", "calendar": "local", "duration": 48, "unit": "hours", "stop_event": "notified_on"}
    # Aware recorded: the clock moves to it (Tue 3 Mar 2026 + 48 hours = Thu 5 Mar).
    recorded = old_review(apps, kind="child_death", incident_on=date(2026, 3, 1), became_aware_on=date(2026, 3, 3))
    moved = old_clock(
        apps,
        recorded,
        "cdr_notification",
        start_event="incident_on",
        start_date=date(2026, 3, 1),
        due_date=date(2026, 3, 3),
        **hours,
    )
    # Never recorded: the date of death is carried over into it (audited), so the due date stays.
    unrecorded = old_review(apps, kind="child_death", incident_on=date(2026, 3, 7))
    kept = old_clock(
        apps,
        unrecorded,
        "cdr_notification",
        start_event="incident_on",
        start_date=date(2026, 3, 7),
        due_date=date(2026, 3, 9),
        **hours,
    )

    apps = migrator.latest()

    ReviewClock = apps.get_model("reviews", "ReviewClock")
    moved = ReviewClock.objects.get(pk=moved.pk)
    assert (moved.start_event, moved.start_date, moved.due_date) == (
        "became_aware_on",
        date(2026, 3, 3),
        date(2026, 3, 5),
    )
    kept = ReviewClock.objects.get(pk=kept.pk)
    assert (kept.start_event, kept.start_date, kept.due_date) == ("became_aware_on", date(2026, 3, 7), date(2026, 3, 9))
    Review = apps.get_model("reviews", "Review")
    assert Review.objects.get(pk=unrecorded.pk).became_aware_on == date(2026, 3, 7)
    AuditEvent = apps.get_model("workflows", "AuditEvent")
    carried = AuditEvent.objects.get(verb="review.awareness_carried_over")
    assert (carried.object_id, carried.detail) == (
        unrecorded.pk,
        {"became_aware_on": "2026-03-07", "from": "incident_on"},
    )
