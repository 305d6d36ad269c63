"""Delivery in batches (issue 12): one task and one SMTP connection per batch, each row still
claimed once and sent once. Real components: an aiosmtpd server on loopback that counts its
connections, Redis, and a real Celery worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from notifications.models import Notification
from notifications.services import FAN_OUT_ABOVE, notifications_deliver_batch, notifications_publish
from tests.notifications.conftest import SmtpHandler, free_port
from tests.notifications.polling import wait_for

pytestmark = [pytest.mark.postgres]

Status = Notification.Status


class CountingHandler(SmtpHandler):
    """Also counts connections: smtplib greets once (EHLO) on each connection it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.connections = 0
        self.greeting_lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 -- aiosmtpd's hook name
        with self.greeting_lock:
            self.connections += 1
        session.host_name = hostname
        return responses


@pytest.fixture
def smtp() -> Iterator[tuple[CountingHandler, int]]:
    """Replaces the notification tests' server (start_worker sends to this one)."""
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release.set()
        controller.stop()


def ready_rows(n: int) -> list[int]:
    Notification.objects.bulk_create(
        Notification(
            idempotency_key=f"batch-test-{i}",
            kind=Notification.Kind.REMINDER,
            channel=Notification.Channel.EMAIL,
            email=f"lead{i}@agency.example.org",
            due_date=date(2026, 12, 30),
            step=-5,
            context={"reference": "NSCP-RR-2026-001", "what": f"Action {i}", "link": "/"},
        )
        for i in range(n)
    )
    return list(Notification.objects.order_by("id").values_list("id", flat=True))


@pytest.mark.django_db
def test_a_batch_is_sent_over_one_connection_and_each_row_once(smtp_settings):
    handler = smtp_settings
    ids = ready_rows(30)

    outcome = notifications_deliver_batch(notification_ids=ids)

    assert (outcome.sent, outcome.skipped, outcome.retry) == (30, 0, [])
    assert handler.connections == 1
    assert sorted(address for m in handler.messages for address in m.rcpt_tos) == sorted(
        f"lead{i}@agency.example.org" for i in range(30)
    )
    assert set(Notification.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
    # Published twice (a lost acknowledgement, the requeue task): claimed and sent once.
    again = notifications_deliver_batch(notification_ids=ids)
    assert (again.sent, again.skipped) == (0, 30)
    assert len(handler.messages) == 30


@pytest.mark.django_db
def test_a_refused_recipient_fails_alone_and_the_batch_goes_on(smtp_settings):
    handler = smtp_settings
    ids = ready_rows(5)
    handler.refuse.add("lead2@agency.example.org")

    outcome = notifications_deliver_batch(notification_ids=ids)

    assert (outcome.sent, outcome.failed) == (4, 1)
    refused = Notification.objects.get(email="lead2@agency.example.org")
    assert refused.status == Status.FAILED and "550" in refused.last_error
    assert len(handler.messages) == 4 and handler.connections == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_a_published_batch_over_one_connection(smtp, broker_url, start_worker):
    handler, _ = smtp
    start_worker(broker_url)
    ids = ready_rows(FAN_OUT_ABOVE + 20)

    notifications_publish(ids)

    wait_for(lambda: Notification.objects.filter(status=Status.SENT).count() == len(ids), what="the batch sent")
    time.sleep(0.5)  # any duplicate would have been sent by now
    assert len(handler.messages) == len(ids)
    assert len({m.rcpt_tos[0] for m in handler.messages}) == len(ids)
    assert handler.connections == 1
