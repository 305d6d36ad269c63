"""Delivery in batches (issue 12): one task and one SMTP connection per batch, each row still
claimed once and sent once, marked SENT soon after the server accepts it. Real components: an
aiosmtpd server on loopback that counts its connections, Redis, and real Celery workers."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from django.test.signals import template_rendered

from notifications.models import Notification
from notifications.services import (
    FAN_OUT_ABOVE,
    notifications_deliver_batch,
    notifications_publish,
    notifications_requeue_stuck,
)
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
        self.data_seen = 0
        self.stall_at: int | None = None  # stall in the DATA of this message (1-based), answer 451

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 -- aiosmtpd's hook name
        with self.greeting_lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        self.data_seen += 1
        if self.data_seen == self.stall_at:
            self.stall_next_data = True
        return await super().handle_DATA(server, session, envelope)


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


def ready_rows(n: int, what: str = "Action {i}") -> list[int]:
    Notification.objects.bulk_create(
        Notification(
            idempotency_key=f"batch-test-{i}",
            kind=Notification.Kind.REMINDER,
            channel=Notification.Channel.EMAIL,
            email=f"lead{i}@agency.example.org",
            due_date=date(2026, 12, 30),
            step=-5,
            context={"reference": "NSCP-RR-2026-001", "what": what.format(i=i), "link": "/"},
        )
        for i in range(n)
    )
    return list(Notification.objects.order_by("id").values_list("id", flat=True))


def parsed(envelope):
    return message_from_bytes(envelope.original_content, policy=email_policy.default)


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


@pytest.mark.django_db
def test_rows_that_read_the_same_are_rendered_once_per_batch(smtp_settings):
    """Three people reminded of one deadline: one rendering (text and HTML), three e-mails, each to
    its own address with its own Message-ID; a reminder of another deadline is rendered for itself."""
    handler = smtp_settings
    ids = ready_rows(3, what="Agency chronology")
    Notification.objects.filter(pk=ids[-1]).update(context={"reference": "NSCP-RR-2026-002", "what": "Report"})
    templates: list[str] = []

    def rendered(sender, template, context, **kwargs):
        templates.append(template.name)

    template_rendered.connect(rendered)
    try:
        assert notifications_deliver_batch(notification_ids=ids).sent == 3
    finally:
        template_rendered.disconnect(rendered)

    assert Counter(templates) == {"notifications/email/reminder.txt": 2, "notifications/email/reminder.html": 2}
    messages = sorted((parsed(m) for m in handler.messages), key=lambda m: m["To"])
    assert [m["To"] for m in messages] == [f"lead{i}@agency.example.org" for i in range(3)]
    assert len({m["Message-ID"] for m in messages}) == 3
    first, second, other = messages
    assert first["Subject"] == second["Subject"] and "NSCP-RR-2026-001: Agency chronology" in first["Subject"]
    assert first.get_body(("plain",)).get_content() == second.get_body(("plain",)).get_content()
    assert "NSCP-RR-2026-002: Report" in other["Subject"]
    assert "Report" in other.get_body(("plain",)).get_content()
    assert "Wednesday 30 December 2026" in other.get_body(("html",)).get_content()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_lost_mid_batch_leaves_only_a_few_accepted_emails_to_send_again(smtp, broker_url, start_worker):
    """The worker dies (SIGKILL) while the server holds the 35th e-mail of a batch of 60 in DATA.
    The 30 accepted before the last chunk of ten are SENT already; after the requeue task, the 4
    accepted since go out a second time with the same Message-ID (at least once: documented), the
    one in flight and the 25 never tried go out once. Before, sent rows were marked 100 at a time,
    so all 34 stayed SENDING and went out twice."""
    handler, _ = smtp
    handler.stall_at = 35
    first = start_worker(broker_url)
    ids = ready_rows(60)

    notifications_publish(ids)
    wait_for(handler.in_data.is_set, what="the worker to be in the DATA of the 35th e-mail")
    first.kill()
    handler.release.set()
    time.sleep(0.2)

    assert len(handler.messages) == 34
    assert Notification.objects.filter(status=Status.SENT).count() == 30
    assert Notification.objects.filter(status=Status.SENDING).count() == 30

    start_worker(broker_url)
    assert len(notifications_requeue_stuck(older_than=timedelta(0)).requeued) == 30
    wait_for(lambda: Notification.objects.filter(status=Status.SENT).count() == 60, what="the rest sent")
    time.sleep(0.5)  # any further copy would have been sent by now
    copies = Counter(envelope.rcpt_tos[0] for envelope in handler.messages)
    assert set(copies) == {f"lead{i}@agency.example.org" for i in range(60)}
    twice = sorted(address for address, count in copies.items() if count > 1)
    assert len(twice) == 4 and max(copies.values()) == 2
    for address in twice:
        [one, other] = [parsed(m)["Message-ID"] for m in handler.to(address)]
        assert one == other
