"""Real components: Celery workers (subprocesses) on Redis, an aiosmtpd server on loopback.

Redis down while a coordinator asks an agency; a worker killed mid-delivery; an SMTP server
refusing one recipient. Each ends with exactly one message delivered, or FAILED with the error.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from notifications.models import Notification
from notifications.selectors import failed_for_coordinator
from notifications.services import notifications_requeue_stuck
from reviews.models import ReviewState
from reviews.models.contributions import AgencyContribution, Ask
from reviews.services.contributions import contribution_request
from tests.factories import advance_to
from tests.notifications.polling import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

Status = Notification.Status


def email_row(user) -> Notification:
    return Notification.objects.get(kind="deadline_set", channel="email", recipient=user)


def status_of(row: Notification) -> str:
    row.refresh_from_db()
    return row.status


@pytest.fixture
def scoping_review(review, coordinator, today):
    today.set(date(2026, 12, 7))
    return advance_to(review, ReviewState.SCOPING, coordinator)


def ask(review, coordinator, agency, lead) -> AgencyContribution:
    return contribution_request(
        actor=coordinator,
        review_id=review.pk,
        agency=agency,
        lead=lead,
        asks=[Ask.CHRONOLOGY],
        due_date=date(2026, 12, 30),
        due_date_reason="Agreed at scoping.",
    )


def test_smtp_refusing_one_recipient_fails_that_row_and_delivers_the_others(
    scoping_review, coordinator, police, gp, police_lead, gp_lead, broker_url, start_worker, smtp
):
    handler, _ = smtp
    handler.refuse.add(gp_lead.email)
    start_worker(broker_url)

    ask(scoping_review, coordinator, police, police_lead)
    ask(scoping_review, coordinator, gp, gp_lead)

    refused, delivered = email_row(gp_lead), email_row(police_lead)
    wait_for(lambda: status_of(refused) == Status.FAILED and status_of(delivered) == Status.SENT, what="delivery")
    assert "550" in refused.last_error and gp_lead.email in refused.last_error
    assert refused.attempts == 1  # a 5xx refusal is permanent: no retries
    assert len(handler.to(police_lead.email)) == 1 and not handler.to(gp_lead.email)
    # The coordinator sees it (selector and page).
    assert [n.pk for n in failed_for_coordinator(coordinator)] == [refused.pk]


def test_worker_killed_mid_delivery_delivers_exactly_once_after_recovery(
    scoping_review, coordinator, police, police_lead, broker_url, start_worker, smtp
):
    handler, _ = smtp
    handler.stall_next_data = True
    first = start_worker(broker_url)

    ask(scoping_review, coordinator, police, police_lead)
    row = email_row(police_lead)
    wait_for(handler.in_data.is_set, what="the worker to be in the middle of SMTP DATA")
    assert status_of(row) == Status.SENDING
    first.kill()  # SIGKILL: no clean-up, the row stays SENDING and the message unacknowledged
    handler.release.set()
    time.sleep(0.2)
    assert status_of(row) == Status.SENDING and not handler.messages

    start_worker(broker_url)
    result = notifications_requeue_stuck(older_than=timedelta(0))
    assert result.requeued == [row.pk]
    wait_for(lambda: status_of(row) == Status.SENT, what="redelivery")
    time.sleep(0.5)  # any duplicate task would have run by now
    assert len(handler.to(police_lead.email)) == 1
    assert row.attempts == 2


def test_worker_lost_too_often_is_marked_failed(scoping_review, coordinator, police, police_lead, settings):
    """After the retry limit a row whose worker keeps dying is FAILED, with why."""
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    ask(scoping_review, coordinator, police, police_lead)
    row = email_row(police_lead)
    Notification.objects.filter(pk=row.pk).update(status=Status.SENDING, attempts=1)
    Notification.objects.filter(pk=row.pk).update(claimed_at=row.created_at - timedelta(minutes=1))
    assert notifications_requeue_stuck(older_than=timedelta(0)).failed == [row.pk]
    assert status_of(row) == Status.FAILED and "worker lost" in row.last_error


def test_redis_outage_the_change_commits_and_the_row_is_delivered_once_redis_is_back(
    scoping_review, coordinator, police, police_lead, own_redis, use_broker, start_worker, smtp
):
    handler, _ = smtp
    use_broker(own_redis.url)
    worker = start_worker(own_redis.url)
    own_redis.kill()

    started = time.monotonic()
    contribution = ask(scoping_review, coordinator, police, police_lead)
    assert time.monotonic() - started < 5  # the coordinator is not kept waiting on the broker
    assert AgencyContribution.objects.filter(pk=contribution.pk).exists()  # committed
    row = email_row(police_lead)
    time.sleep(0.3)
    assert status_of(row) == Status.READY and row.attempts == 0

    own_redis.start()
    result = notifications_requeue_stuck(older_than=timedelta(0))
    assert result.requeued == [row.pk]
    # The worker reconnects to the restarted Redis by itself and takes the message.
    import redis

    print("queue", redis.Redis.from_url(own_redis.url).llen("celery"))
    try:
        wait_for(lambda: status_of(row) == Status.SENT, timeout=15, what="delivery after Redis is back")
    finally:
        print(worker.log.read_text()[-3000:])
    time.sleep(0.5)
    assert len(handler.to(police_lead.email)) == 1 and row.attempts == 1
