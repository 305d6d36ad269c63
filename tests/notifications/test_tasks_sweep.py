"""The sweep's two halves with real parts: the sweep claims and publishes, a real Celery worker on
Redis expands the claims into outbox rows and delivers them to aiosmtpd on loopback."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from notifications.models import Deadline, Notification, PendingReminder, ReminderPolicy
from notifications.sweep import deadlines_sweep, reminders_requeue_claims
from tests.notifications.polling import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 12, 21)  # "5 working days before" 30 Dec 2026


@pytest.fixture(autouse=True)
def contribution_reminders_only(db):
    # The fixture review's statutory clocks are long overdue and would be reminded of too.
    ReminderPolicy.objects.filter(kind="clock_due").update(active=False)


def reminder_emails():
    return Notification.objects.filter(kind="reminder", channel="email", deadline__kind="contribution_due")


@pytest.fixture(params=["redis", "rabbitmq"])
def any_broker(request) -> str:
    """The flow runs on either broker the service supports (docs/DEPLOY.md, "Broker"): Redis, the
    test run's own database (CELERY_BROKER_URL), and RabbitMQ (TEST_RABBITMQ_URL)."""
    return request.getfixturevalue("broker_url" if request.param == "redis" else "rabbitmq_url")


def test_the_worker_expands_the_sweeps_claims_and_delivers_each_reminder_once(
    today, ask_police, police_lead, any_broker, start_worker, smtp
):
    handler, _ = smtp
    contribution = ask_police(date(2026, 12, 30))
    worker = start_worker(any_broker)
    assert any_broker.split("://")[0] in worker.log.read_text()  # the worker is on that broker

    today.set(DAY)
    assert deadlines_sweep(today=DAY).deadlines >= 1  # claims, and publishes after commit
    wait_for(lambda: reminder_emails().filter(status="sent").exists(), what="the reminder delivered")
    row = reminder_emails().get()
    assert row.recipient == police_lead and row.step == -5
    assert Notification.objects.filter(kind="reminder", channel="in_app", recipient=police_lead).count() == 1
    assert not PendingReminder.objects.exists()
    deadline = Deadline.objects.get(object_id=contribution.pk, kind="contribution_due")
    assert (deadline.next_step, deadline.next_reminder_on) == (-1, date(2026, 12, 29))
    reminders = [m for m in handler.to(police_lead.email) if b"due in 5 working days" in m.content]
    assert len(reminders) == 1
    # A second sweep the same day claims nothing: the deadline has moved on.
    assert deadlines_sweep(today=DAY).deadlines == 0
    time.sleep(0.5)
    assert reminder_emails().count() == 1


def test_claims_wait_out_a_broker_outage_and_the_requeue_task_sends_them(
    today, ask_police, police_lead, own_redis, use_broker, start_worker, smtp
):
    handler, _ = smtp
    contribution = ask_police(date(2026, 12, 30))
    use_broker(own_redis.url)
    start_worker(own_redis.url)
    own_redis.kill()

    today.set(DAY)
    started = time.monotonic()
    claimed = deadlines_sweep(today=DAY).deadlines  # commits; the publish fails and is logged
    assert time.monotonic() - started < 5
    time.sleep(0.3)
    claims = PendingReminder.objects.filter(deadline__object_id=contribution.pk, deadline__kind="contribution_due")
    assert claims.exists()
    assert not reminder_emails().exists()

    own_redis.start()
    assert reminders_requeue_claims(older_than=timedelta(0)) == claimed
    wait_for(lambda: reminder_emails().filter(status="sent").exists(), timeout=20, what="delivery after Redis is back")
    assert not PendingReminder.objects.exists()
    assert len([m for m in handler.to(police_lead.email) if b"due in 5 working days" in m.content]) == 1
