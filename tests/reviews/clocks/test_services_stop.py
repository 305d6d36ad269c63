"""A step onto a stage that stops a clock (a rapid review reaching findings) stops it, meets its
deadline and cancels the reminders not yet sent, with a few UPDATEs instead of the full refresh;
and an everyday step costs one query for its permission and conditions together."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from notifications.models import Deadline, DeadlineKind, DeadlineState, Notification
from reviews.models import Review, ReviewClock, ReviewState
from reviews.services.clocks import review_clocks_refresh
from reviews.services.review import review_advance
from tests.factories import advance_to

Status = Notification.Status


def clock_deadline(review: Review, key: str) -> Deadline:
    clock = ReviewClock.objects.get(review=review, key=key)
    return Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(ReviewClock), object_id=clock.pk, kind=DeadlineKind.CLOCK_DUE
    )


def a_reminder(deadline: Deadline, status: str, channel: str = Notification.Channel.EMAIL) -> Notification:
    return Notification.objects.create(
        idempotency_key=f"test:{deadline.pk}:{status}:{channel}",
        kind=Notification.Kind.REMINDER,
        channel=channel,
        email="coordinator@example.org",
        deadline=deadline,
        scope=deadline.scope,
        step=0,
        due_date=deadline.due_date,
        status=status,
    )


def everything_about_the_clocks(review: Review) -> dict[str, Any]:
    """The clock rows and their deadlines as the full refresh would write them."""
    clock_type = ContentType.objects.get_for_model(ReviewClock)
    clocks = list(ReviewClock.objects.filter(review=review).order_by("key").values())
    deadlines = {
        deadline.object_id: (
            deadline.state,
            deadline.due_date,
            deadline.next_step,
            deadline.next_reminder_on,
            deadline.owner_label,
            deadline.scope,
            deadline.context,
            sorted(deadline.recipients.values_list("pk", flat=True)),
            sorted(deadline.escalation_recipients.values_list("pk", flat=True)),
        )
        for deadline in Deadline.objects.filter(content_type=clock_type, object_id__in=[c["id"] for c in clocks])
    }
    pending = list(Notification.objects.filter(status__in=[Status.READY, Status.HELD]).values_list("pk", flat=True))
    return {"clocks": clocks, "deadlines": deadlines, "pending": pending}


def test_reaching_findings_meets_the_clock_deadline_and_cancels_its_pending_reminders(review, coordinator):
    advance_to(review, ReviewState.PANEL, coordinator)
    deadline = clock_deadline(review, "rapid_review")
    # Due 25 March 2026 and still running: it is being chased.
    assert deadline.state == DeadlineState.OPEN
    assert deadline.next_reminder_on is not None
    ready = a_reminder(deadline, Status.READY)
    held = a_reminder(deadline, Status.HELD)
    sent = a_reminder(deadline, Status.SENT, Notification.Channel.IN_APP)

    review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")

    assert ReviewClock.objects.get(review=review, key="rapid_review").stopped_on == timezone.localdate()
    deadline.refresh_from_db()
    assert (deadline.state, deadline.next_step, deadline.next_reminder_on) == (DeadlineState.MET, None, None)
    for row in (ready, held):
        row.refresh_from_db()
        assert (row.status, row.last_error) == (Status.CANCELLED, "Not sent: the deadline was met first.")
    sent.refresh_from_db()
    assert (sent.status, sent.last_error) == (Status.SENT, "")


def test_the_quick_stop_leaves_nothing_for_the_full_refresh_to_do(review, coordinator):
    advance_to(review, ReviewState.PANEL, coordinator)
    a_reminder(clock_deadline(review, "rapid_review"), Status.READY)
    review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    after_the_step = everything_about_the_clocks(review)

    review_clocks_refresh(review=Review.objects.select_related("partnership").get(pk=review.pk))

    assert everything_about_the_clocks(review) == after_the_step


def test_a_deadline_already_met_is_left_alone(review, coordinator):
    advance_to(review, ReviewState.PANEL, coordinator)
    deadline = clock_deadline(review, "rapid_review")
    Deadline.objects.filter(pk=deadline.pk).update(state=DeadlineState.MET, next_step=None, next_reminder_on=None)
    before = Deadline.objects.get(pk=deadline.pk).updated_at

    review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")

    assert Deadline.objects.get(pk=deadline.pk).updated_at == before


def test_a_step_that_stops_no_clock_touches_no_clock_or_deadline(review, coordinator):
    clocks = everything_about_the_clocks(review)
    deadline = clock_deadline(review, "rapid_review")

    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")

    assert everything_about_the_clocks(review) == clocks
    assert Deadline.objects.get(pk=deadline.pk).updated_at == deadline.updated_at


def test_an_everyday_step_reads_its_permission_and_conditions_in_one_query(
    review, coordinator, django_assert_max_num_queries
):
    # SAVEPOINT (the test's transaction is outside), lock, permission and conditions, UPDATE,
    # INSERT of the log, RELEASE. A separate query for the permission or for a condition makes 7.
    with django_assert_max_num_queries(6):
        review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    assert Review.objects.get(pk=review.pk).state == ReviewState.SCOPING


def test_a_clock_stopping_step_adds_three_updates(review, coordinator, django_assert_max_num_queries):
    advance_to(review, ReviewState.PANEL, coordinator)
    a_reminder(clock_deadline(review, "rapid_review"), Status.READY)
    # The everyday six, then the clock, its deadline and the deadline's pending reminders.
    with django_assert_max_num_queries(9):
        review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    assert clock_deadline(review, "rapid_review").state == DeadlineState.MET


def test_closing_still_takes_the_full_refresh(review, coordinator):
    advance_to(review, ReviewState.CLOSED, coordinator)
    assert clock_deadline(review, "rapid_review").state == DeadlineState.MET
    assert not Deadline.objects.filter(scope=review.reference, state=DeadlineState.OPEN).exists()


@pytest.mark.parametrize("source", [ReviewState.NOTIFICATION, ReviewState.PANEL])
def test_withdrawal_still_cancels_the_running_clock_s_deadline(source, review, coordinator):
    advance_to(review, source, coordinator)
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="Not proceeding")
    assert ReviewClock.objects.get(review=review, key="rapid_review").abandoned
    assert clock_deadline(review, "rapid_review").state == DeadlineState.CANCELLED
