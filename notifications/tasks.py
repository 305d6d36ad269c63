"""Celery entry points: thin, take ids, safe to run twice (the services claim rows conditionally).

No deadline is ever a countdown task: deadlines are rows and the periodic sweep finds what is due.
The only countdown is a short back-off before retrying one delivery.
"""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from notifications import services, sweep, webhooks


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_notification(self: Task, notification_id: int) -> str:
    outcome = services.notification_deliver(notification_id=notification_id)
    if outcome.retry_in is not None:
        # The row is READY again with its back-off in available_at; if this retry message is lost,
        # the requeue task still finds the row.
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_webhook(self: Task, webhook_id: str) -> str:
    """One webhook delivery; on failure the row is READY again with its back-off and this task is
    retried after it (if that message is lost, the requeue task finds the row)."""
    outcome = webhooks.webhook_deliver(webhook_id=webhook_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(acks_late=True, ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    """A batch: its rows sent over one SMTP connection. A row that failed for now is published
    again on its own, after its back-off (if that message is lost, the requeue task finds the row)."""
    outcome = services.notifications_deliver_batch(notification_ids=notification_ids)
    for notification_id, delay in outcome.retry:
        deliver_notification.apply_async((notification_id,), countdown=delay, **services.PUBLISH_OPTIONS)
    return outcome.sent


@shared_task(ignore_result=True)
def sweep_deadlines() -> dict[str, int]:
    """Claim today's due reminder steps; expand_due_reminders tasks write their outbox rows."""
    result = sweep.deadlines_sweep()
    return {"claimed": result.deadlines}


@shared_task(acks_late=True, ignore_result=True)
def expand_due_reminders() -> dict[str, int]:
    """Drain the sweep's claims in batches (several of these run at once), then fold digests once
    nothing is left. A worker lost mid-batch leaves that batch's claims for the requeue task."""
    result = sweep.reminders_expand_all()
    digests = 0 if sweep.claims_remain() else sweep.digests_fold(today=timezone.localdate())
    return {"claims": result.claims, "written": result.written, "enqueued": result.enqueued, "digests": digests}


@shared_task(ignore_result=True)
def requeue_stuck_notifications() -> dict[str, int]:
    result = services.notifications_requeue_stuck()
    claims = sweep.reminders_requeue_claims()
    hooks = webhooks.webhooks_requeue_stuck()
    return {
        "requeued": len(result.requeued),
        "failed": len(result.failed),
        "claims": claims,
        "webhooks_requeued": len(hooks.requeued),
        "webhooks_failed": hooks.failed,
    }
