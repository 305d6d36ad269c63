"""The outbox: written with the change, enqueued after commit, claimed once, retried, re-queued."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.services import notification_deliver, notifications_requeue_stuck

Status = Notification.Status


@pytest.fixture
def announcement(today, ask_police, police_lead):
    """Asking the police writes "you have been asked" rows for the lead: the e-mail one is READY."""
    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 30))
    return Notification.objects.get(kind="deadline_set", channel="email", recipient=police_lead), contribution


def test_rows_are_written_with_the_change_and_enqueued_only_after_commit(
    today, ask_police, police_lead, django_capture_on_commit_callbacks
):
    today.set(date(2026, 12, 7))
    with mock.patch("notifications.tasks.deliver_notification.apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ask_police(date(2026, 12, 30))
            row = Notification.objects.get(kind="deadline_set", channel="email", recipient=police_lead)
            assert row.status == Status.READY
        assert not publish.called  # nothing reaches the broker before the commit
        for callback in callbacks:
            callback()
    publish.assert_called_once()
    assert publish.call_args.args[0] == (row.pk,)
    assert Notification.objects.get(kind="deadline_set", channel="in_app", recipient=police_lead).status == Status.SENT


def test_a_rolled_back_change_leaves_no_row(today, ask_police, police_lead):
    from django.db import transaction

    today.set(date(2026, 12, 7))
    with pytest.raises(RuntimeError), transaction.atomic():
        ask_police(date(2026, 12, 30))
        raise RuntimeError("the coordinator's request failed later")
    assert not Notification.objects.exists()


def test_delivered_once_even_when_the_task_runs_twice(announcement, scoping):
    row, _ = announcement
    assert notification_deliver(notification_id=row.pk).status == Status.SENT
    assert notification_deliver(notification_id=row.pk).status == "skipped"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [row.email]
    assert scoping.reference in message.subject and "30 December 2026" in message.subject
    assert f"/reviews/{scoping.reference}/contributions/" in message.body
    html = message.alternatives[0][0]
    assert "<a href=" in html and "Wednesday 30 December 2026" in html
    assert "Child A" not in message.body + html + message.subject
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1) and row.sent_at


def test_transient_failure_retries_with_back_off_then_fails_after_the_limit(announcement, settings):
    row, _ = announcement
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens
    settings.NOTIFICATIONS_MAX_ATTEMPTS, settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 3, 10
    first = notification_deliver(notification_id=row.pk)
    assert first.status == Status.READY and first.retry_in == 10
    row.refresh_from_db()
    assert row.attempts == 1 and "Could not reach the mail server" in row.last_error
    assert row.available_at > timezone.now() + timedelta(seconds=8)
    # Too early: the back-off holds, a stray duplicate task does nothing.
    assert notification_deliver(notification_id=row.pk).status == "skipped"
    Notification.objects.filter(pk=row.pk).update(available_at=timezone.now())
    assert notification_deliver(notification_id=row.pk).retry_in == 20  # doubled
    Notification.objects.filter(pk=row.pk).update(available_at=timezone.now())
    last = notification_deliver(notification_id=row.pk)
    assert last.status == Status.FAILED
    row.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 3 and row.last_error.startswith("Gave up after 3 attempts")


def test_smtp_refusal_fails_at_once_with_the_error(announcement, smtp_settings):
    row, _ = announcement
    smtp_settings.refuse.add(row.email)
    outcome = notification_deliver(notification_id=row.pk)
    assert outcome.status == Status.FAILED
    row.refresh_from_db()
    assert row.attempts == 1 and "550" in row.last_error and row.email in row.last_error
    assert not smtp_settings.messages


def test_real_smtp_server_receives_text_and_html(announcement, smtp_settings):
    row, _ = announcement
    assert notification_deliver(notification_id=row.pk).status == Status.SENT
    [envelope] = smtp_settings.to(row.email)
    content = envelope.content.decode()
    assert "multipart/alternative" in content and "text/html" in content
    assert "Message-ID: <" in content


def test_requeue_gives_back_rows_stuck_sending_and_publishes_rows_stuck_ready(announcement, settings):
    row, _ = announcement
    long_ago = timezone.now() - timedelta(hours=1)
    # A worker claimed it and died.
    Notification.objects.filter(pk=row.pk).update(status=Status.SENDING, attempts=1, claimed_at=long_ago)
    with mock.patch("notifications.services.notifications_publish") as publish:
        result = notifications_requeue_stuck()
    assert result.requeued == [row.pk]
    publish.assert_called_once_with([row.pk])
    row.refresh_from_db()
    assert row.status == Status.READY and "interrupted" in row.last_error
    # Still READY an hour later (its task was lost): published again.
    Notification.objects.filter(pk=row.pk).update(available_at=long_ago)
    with mock.patch("notifications.services.notifications_publish") as publish:
        assert notifications_requeue_stuck().requeued == [row.pk]
    # Not again straight away: a long backlog is not re-published on every run.
    with mock.patch("notifications.services.notifications_publish"):
        assert notifications_requeue_stuck().requeued == []
    # Out of attempts: FAILED, with why.
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    Notification.objects.filter(pk=row.pk).update(status=Status.SENDING, attempts=2, claimed_at=long_ago)
    with mock.patch("notifications.services.notifications_publish"):
        assert notifications_requeue_stuck().failed == [row.pk]
    row.refresh_from_db()
    assert row.status == Status.FAILED and "gave up" in row.last_error


def test_broker_down_does_not_fail_the_change(announcement):
    row, _ = announcement
    with mock.patch("notifications.tasks.deliver_notification.apply_async", side_effect=OSError("refused")):
        assert services.notifications_publish([row.pk]) == 0
    row.refresh_from_db()
    assert row.status == Status.READY


def test_gov_uk_notify_is_used_when_a_key_is_set(announcement, settings):
    row, _ = announcement
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    with mock.patch("notifications_python_client.notifications.NotificationsAPIClient") as client_class:
        assert notification_deliver(notification_id=row.pk).status == Status.SENT
    client_class.assert_called_once_with("test-key")
    kwargs = client_class.return_value.send_email_notification.call_args.kwargs
    assert kwargs["email_address"] == row.email
    assert kwargs["template_id"] == settings.NOTIFY_TEMPLATE_ID
    assert kwargs["reference"] == row.idempotency_key
    assert "30 December 2026" in kwargs["personalisation"]["subject"]
    assert not mail.outbox


def test_gov_uk_notify_refusal_is_permanent(announcement, settings):
    from notifications_python_client.errors import HTTPError

    row, _ = announcement
    settings.NOTIFY_API_KEY, settings.NOTIFY_TEMPLATE_ID = "test-key", "template"
    response = mock.Mock(status_code=400)
    response.json.return_value = {
        "errors": [{"error": "ValidationError", "message": "email_address Not a valid email address"}]
    }
    error = HTTPError(response=response)
    with mock.patch("notifications_python_client.notifications.NotificationsAPIClient") as client_class:
        client_class.return_value.send_email_notification.side_effect = error
        assert notification_deliver(notification_id=row.pk).status == Status.FAILED
    row.refresh_from_db()
    assert "400" in row.last_error
