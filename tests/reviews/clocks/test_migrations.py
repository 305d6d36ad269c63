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
