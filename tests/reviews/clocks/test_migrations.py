"""The data migrations that moved existing clocks to the rules of docs/DOMAIN.md, Clocks: run on rows
written under the old rules, through the migration framework, on the real PostgreSQL.

Taking the schema back costs minutes (Django renders every intermediate state of 28 migrations), so
the history is walked once: back to the oldest state any case needs, then forward, each case
writing its rows at the state it was written under (each in its own partnership) and checked once
the schema is current again. A case is a class: ``write`` at ``BEFORE``, ``check`` at the end."""

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


class RecountedWithoutClosureDays:
    """0008: statutory clocks are counted again without closure days; their deadlines move, and a
    reminder written for the old date is cancelled. Rescheduled as of Mon 21 Dec 2026."""

    BEFORE = [("reviews", "0007_reviewclock_calendar")]

    def write(self, apps: Any) -> None:
        review = old_review(apps, code="CALS", became_aware_on=date(2026, 12, 14), notified_on=date(2026, 12, 16))
        ClosureDay = apps.get_model("reviews", "ClosureDay")
        for day in (29, 30):
            ClosureDay.objects.create(partnership=review.partnership, date=date(2026, 12, day), reason="Closure")
        statute = {"basis": "statute", "start_event": "notified_on", "duration": 15, "unit": "working_days"}
        # Written when closure days counted in every clock: due Wed 13 Jan 2027 instead of Mon 11 Jan.
        self.rapid = old_clock(
            apps, review, "rapid_review", start_date=date(2026, 12, 16), due_date=date(2027, 1, 13), **statute
        )
        self.deadline = clock_deadline(apps, self.rapid, date(2027, 1, 13))
        Notification = apps.get_model("notifications", "Notification")
        self.pending = Notification.objects.create(
            idempotency_key="old-reminder",
            kind="reminder",
            channel="email",
            deadline=self.deadline,
            scope=review.reference,
            step=-1,
            due_date=date(2027, 1, 13),
            status="ready",
        )
        self.practice = old_clock(
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

    def check(self, apps: Any) -> None:
        ReviewClock = apps.get_model("reviews", "ReviewClock")
        rapid = ReviewClock.objects.get(pk=self.rapid.pk)
        assert (rapid.due_date, rapid.calendar) == (date(2027, 1, 11), "bank_holidays")
        practice = ReviewClock.objects.get(pk=self.practice.pk)
        assert (practice.due_date, practice.calendar) == (date(2026, 12, 31), "local")  # closures still count
        deadline = apps.get_model("notifications", "Deadline").objects.get(pk=self.deadline.pk)
        # Rescheduled as of Mon 21 Dec: "5 working days before" Mon 11 Jan is Mon 4 Jan (29 and 30 Dec,
        # closure days, and the bank holidays skipped on the way back do not come into it).
        assert (deadline.due_date, deadline.next_step, deadline.next_reminder_on) == (
            date(2027, 1, 11),
            -5,
            date(2027, 1, 4),
        )
        pending = apps.get_model("notifications", "Notification").objects.get(pk=self.pending.pk)
        assert (pending.status, pending.last_error) == (
            "cancelled",
            "Not sent: the deadline was moved to 11 January 2027 first.",
        )


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


class StopDatesCarriedOver:
    """0010: clocks stopped on a step keep their outcome, the stop date carried over (audited)."""

    BEFORE = [("reviews", "0009_review_published_on_review_sent_to_panel_on_and_more")]

    def write(self, apps: Any) -> None:
        dates = {"code": "STOP", "became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)}
        # Converted on 20 April: the clock stopped then ("breached" for ever).
        self.converted = old_review(apps, state="closed", decision_on=date(2026, 3, 20), **dates)
        self.rapid = stopped_clock(
            apps, self.converted, "rapid_review", stop_state="findings", stopped_on=date(2026, 4, 20)
        )
        # Moved to findings on 20 March, in time.
        self.in_time = old_review(apps, state="findings", **dates)
        stopped_clock(apps, self.in_time, "rapid_review", stop_state="findings", stopped_on=date(2026, 3, 20))
        # Still at panel: nothing to carry, and reaching findings must no longer stop it.
        self.at_panel = old_review(apps, state="panel", **dates)
        self.running = stopped_clock(apps, self.at_panel, "rapid_review", stop_state="findings", stopped_on=None)
        # Withdrawn before the change: the clock ended with no outcome, and keeps none.
        self.withdrawn = old_review(apps, state="withdrawn", withdrawal_rationale="No review", **dates)
        self.ended = stopped_clock(
            apps, self.withdrawn, "rapid_review", stop_state="findings", stopped_on=date(2026, 3, 10), abandoned=True
        )
        # A nursery investigation closed without the date Ofsted was notified: closing stopped that clock.
        self.nursery = old_review(apps, kind="institutional", state="closed", **dates)
        self.ofsted = stopped_clock(
            apps,
            self.nursery,
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
        self.cspr = old_review(apps, code="STOP", kind="cspr", state="action_tracking", decision_on=date(2026, 3, 20))
        stopped_clock(
            apps,
            self.cspr,
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
        self.never = old_review(apps, code="STOP", kind="institutional", state="closed")
        stopped_clock(
            apps,
            self.never,
            "lado_referral",
            stop_event="lado_referred_on",
            start_date=None,
            due_date=None,
            stopped_on=date(2026, 4, 1),
        )

    def check(self, apps: Any) -> None:
        from reviews.models import Review, ReviewClock
        from reviews.selectors.clocks import clock_reading
        from reviews.services.clocks import review_clocks_refresh
        from workflows.audit import AuditEvent
        from workflows.clocks import ClockStatus

        assert Review.objects.get(pk=self.converted.pk).sent_to_panel_on == date(2026, 4, 20)
        assert Review.objects.get(pk=self.in_time.pk).sent_to_panel_on == date(2026, 3, 20)
        assert Review.objects.get(pk=self.at_panel.pk).sent_to_panel_on is None
        assert Review.objects.get(pk=self.withdrawn.pk).sent_to_panel_on is None
        assert Review.objects.get(pk=self.nursery.pk).ofsted_notified_on == date(2026, 3, 12)
        assert Review.objects.get(pk=self.cspr.pk).published_on == date(2026, 10, 1)
        assert Review.objects.get(pk=self.never.pk).lado_referred_on is None
        rows = ReviewClock.objects.filter(review__partnership__code="STOP", key__in=["rapid_review", "cspr_completion"])
        assert set(rows.values_list("stop_event", "stop_state")) == {("sent_to_panel_on", ""), ("published_on", "")}
        event = AuditEvent.objects.get(verb="review.stop_dates_carried_over", object_id=self.converted.pk)
        assert event.actor is None
        assert event.detail["changes"] == {"sent_to_panel_on": [None, "2026-04-20"]}
        reviews = Review.objects.filter(partnership__code="STOP").values_list("pk", flat=True)
        assert (
            AuditEvent.objects.filter(verb="review.stop_dates_carried_over", object_id__in=list(reviews)).count() == 4
        )

        # Every clock reads as it did, now from a recorded date, after a refresh by today's rules.
        def status(clock_id: int) -> str:
            clock = ReviewClock.objects.select_related("review__partnership").get(pk=clock_id)
            review_clocks_refresh(review=clock.review)
            clock.refresh_from_db()
            return clock_reading(clock, clock.review.partnership, date(2026, 12, 1)).status

        assert status(self.rapid.pk) == ClockStatus.MET_LATE  # was "breached"
        assert status(self.ofsted.pk) == ClockStatus.MET
        assert status(self.ended.pk) == ClockStatus.WITHDRAWN  # was "stopped", and still no outcome
        assert status(self.running.pk) == ClockStatus.OVERDUE

        # The withdrawn one is judged once its date is recorded.
        Review.objects.filter(pk=self.withdrawn.pk).update(sent_to_panel_on=date(2026, 3, 20))
        assert status(self.ended.pk) == ClockStatus.MET


class NationalClocks:
    """0011: national clocks become statutory and lose a partnership's own duration."""

    BEFORE = [("reviews", "0010_record_clock_stop_dates")]

    def write(self, apps: Any) -> None:
        cspr = old_review(apps, code="NATL", kind="cspr", decision_on=date(2026, 8, 31))
        ClockSetting = apps.get_model("reviews", "ClockSetting")
        ClockSetting.objects.create(
            partnership=cspr.partnership, clock_key="cspr_completion", duration=9, unit="months"
        )
        # Written when the partnership's 9 months counted: due 31 May 2027.
        self.completion = old_clock(
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
        self.deadline = clock_deadline(apps, self.completion, date(2027, 5, 31))

    def check(self, apps: Any) -> None:
        completion = apps.get_model("reviews", "ReviewClock").objects.get(pk=self.completion.pk)
        # National guidance: 6 months from 31 Aug 2026 is 28 Feb 2027 (no 31 February).
        assert (completion.basis, completion.calendar, completion.duration, completion.unit, completion.due_date) == (
            "statute",
            "bank_holidays",
            6,
            "months",
            date(2027, 2, 28),
        )
        Deadline = apps.get_model("notifications", "Deadline")
        assert Deadline.objects.get(pk=self.deadline.pk).due_date == date(2027, 2, 28)
        assert not apps.get_model("reviews", "ClockSetting").objects.exists()


class NotificationFromAwareness:
    """0011: a child death notification runs from when the professional became aware."""

    BEFORE = [("reviews", "0010_record_clock_stop_dates")]

    def write(self, apps: Any) -> None:
        hours = {"basis": "practice", "calendar": "local", "duration": 48, "unit": "hours", "stop_event": "notified_on"}
        # Aware recorded: the clock moves to it (Tue 3 Mar 2026 + 48 hours = Thu 5 Mar).
        recorded = old_review(
            apps, code="AWARE", kind="child_death", incident_on=date(2026, 3, 1), became_aware_on=date(2026, 3, 3)
        )
        self.moved = old_clock(
            apps,
            recorded,
            "cdr_notification",
            start_event="incident_on",
            start_date=date(2026, 3, 1),
            due_date=date(2026, 3, 3),
            **hours,
        )
        # Never recorded: the date of death is carried over into it (audited), so the due date stays.
        self.unrecorded = old_review(apps, code="AWARE", kind="child_death", incident_on=date(2026, 3, 7))
        self.kept = old_clock(
            apps,
            self.unrecorded,
            "cdr_notification",
            start_event="incident_on",
            start_date=date(2026, 3, 7),
            due_date=date(2026, 3, 9),
            **hours,
        )

    def check(self, apps: Any) -> None:
        ReviewClock = apps.get_model("reviews", "ReviewClock")
        moved = ReviewClock.objects.get(pk=self.moved.pk)
        assert (moved.start_event, moved.start_date, moved.due_date) == (
            "became_aware_on",
            date(2026, 3, 3),
            date(2026, 3, 5),
        )
        kept = ReviewClock.objects.get(pk=self.kept.pk)
        assert (kept.start_event, kept.start_date, kept.due_date) == (
            "became_aware_on",
            date(2026, 3, 7),
            date(2026, 3, 9),
        )
        Review = apps.get_model("reviews", "Review")
        assert Review.objects.get(pk=self.unrecorded.pk).became_aware_on == date(2026, 3, 7)
        AuditEvent = apps.get_model("workflows", "AuditEvent")
        [carried] = AuditEvent.objects.filter(verb="review.awareness_carried_over")
        assert (carried.object_id, carried.detail) == (
            self.unrecorded.pk,
            {"became_aware_on": "2026-03-07", "from": "incident_on"},
        )


class ChildDeathStageStops:
    """0017: the CDR meeting and CDOP clocks that a stage had stopped keep that day as their
    recorded date, so no clock changes outcome without a date to justify it; and back, the
    columns go and nothing else is undone."""

    BEFORE = [("reviews", "0016_agency_forms")]
    AFTER = [("reviews", "0017_child_death")]

    def write(self, apps: Any) -> None:
        death = {"code": "CDOP", "kind": "child_death", "incident_on": date(2026, 1, 10)}
        self.reached = old_review(apps, state="action_tracking", **death)
        self.withdrawn = old_review(apps, state="withdrawn", withdrawal_rationale="No review", **death)
        self.running = old_review(apps, state="panel", **death)
        common = {"basis": "practice", "start_event": "incident_on", "unit": "months", "calendar": "local"}
        meeting = {"stop_state": "findings", "duration": 3, **common}
        old_clock(apps, self.reached, "cdr_review_meeting", stopped_on=date(2026, 4, 2), **meeting)
        old_clock(
            apps,
            self.reached,
            "cdop_review",
            stop_state="action_tracking",
            stopped_on=date(2026, 6, 30),
            duration=6,
            **common,
        )
        old_clock(apps, self.withdrawn, "cdr_review_meeting", stopped_on=date(2026, 2, 1), abandoned=True, **meeting)
        old_clock(apps, self.running, "cdr_review_meeting", **meeting)

    def check(self, apps: Any) -> None:
        Review = apps.get_model("reviews", "Review")
        ReviewClock = apps.get_model("reviews", "ReviewClock")
        after = Review.objects.get(pk=self.reached.pk)
        assert (after.cdr_meeting_on, after.cdop_reviewed_on) == (date(2026, 4, 2), date(2026, 6, 30))
        meeting = ReviewClock.objects.get(review_id=self.reached.pk, key="cdr_review_meeting")
        assert meeting.stop_event == "cdr_meeting_on"
        # Withdrawal ended it with no outcome: no meeting date is invented for it.
        assert Review.objects.get(pk=self.withdrawn.pk).cdr_meeting_on is None
        assert Review.objects.get(pk=self.running.pk).cdr_meeting_on is None


def test_the_data_migrations_carry_rows_written_under_old_rules_to_todays(migrator, today):
    # Every rescheduling migration reads "today"; Mon 21 Dec 2026 is the day the first case's
    # reminders are worked out for (the later cases' dates do not depend on it).
    today.set(date(2026, 12, 21))
    cases = [RecountedWithoutClosureDays(), StopDatesCarriedOver(), NationalClocks(), NotificationFromAwareness()]
    for case in cases:  # in the order of their states: the schema only goes forward from here
        case.write(migrator.migrate(case.BEFORE))

    child_death = ChildDeathStageStops()
    child_death.write(migrator.migrate(child_death.BEFORE))
    child_death.check(migrator.migrate(child_death.AFTER))
    # And back one step: its columns go, nothing else is undone.
    migrator.migrate(child_death.BEFORE)
    assert "cdr_meeting_on" not in {
        column.name for column in connection.introspection.get_table_description(connection.cursor(), "reviews_review")
    }

    apps = migrator.latest()
    for case in cases:
        case.check(apps)
    child_death.check(apps)
