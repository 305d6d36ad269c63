"""A real Celery worker (a subprocess on Redis) delivers webhooks to a real receiver on loopback."""

from __future__ import annotations

import time

import pytest

from notifications.webhooks_models import WebhookAttempt, WebhookDelivery
from reviews.services.review import review_advance
from tests.notifications.polling import wait_for
from tests.notifications.webhooks.receiver import verify

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

Status = WebhookDelivery.Status


def sent() -> WebhookDelivery | None:
    return WebhookDelivery.objects.filter(status=Status.SENT).first()


def test_a_worker_delivers_a_stage_change_once_with_a_verifiable_signature(
    review, coordinator, subscription, receiver, broker_url, start_worker
):
    start_worker(broker_url, WEBHOOKS_ALLOW_LOOPBACK_HTTP="true")
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")  # publishes on commit
    row = wait_for(sent, what="the webhook sent")
    time.sleep(1)  # anything sent twice would arrive by now
    (received,) = receiver.got()
    payload = verify(received, subscription.secret)
    assert received.headers["Webhook-Id"] == str(row.webhook_id)
    assert (payload["event"], payload["review"]["reference"]) == ("review.stage_changed", review.reference)
    assert row.attempts == 1


def test_a_worker_retries_a_500_after_its_back_off_and_then_succeeds(
    review, coordinator, subscription, receiver, broker_url, start_worker
):
    receiver.answers = [500]
    start_worker(broker_url, WEBHOOKS_ALLOW_LOOPBACK_HTTP="true", WEBHOOKS_RETRY_DELAYS="0.5,0.5")
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    row = wait_for(sent, what="the webhook sent on its second attempt")
    time.sleep(1)
    first, second = receiver.got()
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"]
    verify(second, subscription.secret)
    attempts = list(WebhookAttempt.objects.filter(delivery=row).values_list("number", "status_code"))
    assert attempts == [(1, 500), (2, 200)]
