"""Rows an outbox left behind, put back: one rule for the e-mail outbox
(services.notifications_requeue_stuck) and the webhook deliveries (webhooks.webhooks_requeue_stuck).

- SENDING rows claimed before the cut-off: their worker died mid-delivery. Back to READY, or FAILED
  once they have used every attempt.
- READY rows waiting since before the cut-off: their task never ran (the broker was down, the
  message was lost). Made available now, so a long backlog is not re-published at every run.
Publishing a row twice is harmless: delivery claims a row only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from notifications.models import Notification
from notifications.webhooks_models import WebhookDelivery


@dataclass(frozen=True)
class Stuck:
    gave_up: list[int]  # SENDING rows now FAILED
    again: list[int]  # SENDING rows now READY
    waiting: list[int]  # READY rows whose task never ran

    @property
    def to_publish(self) -> list[int]:
        return self.again + self.waiting


def requeue_stuck(
    model: type[Notification] | type[WebhookDelivery],
    *,
    now: datetime,
    cutoff: datetime,
    attempts_allowed: int,
    ready: Q,
    limit: int,
) -> Stuck:
    """Within the caller's transaction; ``ready`` narrows the READY rows this outbox publishes.
    Locked rows are skipped: a worker is busy with them."""
    status = model.Status
    stuck = list(
        model.objects.select_for_update(skip_locked=True)
        .filter(status=status.SENDING, claimed_at__lt=cutoff)
        .values_list("id", "attempts")[:limit]
    )
    gave_up = [pk for pk, attempts in stuck if attempts >= attempts_allowed]
    again = [pk for pk, attempts in stuck if attempts < attempts_allowed]
    if gave_up:
        model.objects.filter(id__in=gave_up, status=status.SENDING).update(
            status=status.FAILED,
            last_error=f"Delivery was interrupted {attempts_allowed} times (worker lost); gave up.",
        )
    if again:
        model.objects.filter(id__in=again, status=status.SENDING).update(
            status=status.READY, available_at=now, last_error="Delivery was interrupted (worker lost); re-queued."
        )
    waiting = list(
        model.objects.select_for_update(skip_locked=True)
        .filter(ready, status=status.READY, available_at__lt=cutoff)
        .values_list("id", flat=True)[:limit]
    )
    model.objects.filter(id__in=waiting, status=status.READY).update(available_at=now)
    return Stuck(gave_up=gave_up, again=again, waiting=waiting)
