"""Celery entry points: thin, take ids, safe to run twice (the services claim rows conditionally).

No deadline is ever a countdown task: deadlines are rows and the periodic sweep finds what is due.
The only countdown is a short back-off before retrying one delivery.
"""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:  # noqa: ANN001 -- Celery's bound task
    outcome = services.notification_deliver(notification_id=notification_id)
    if outcome.retry_in is not None:
        # The row is READY again with its back-off in available_at; if this retry message is lost,
        # the requeue task still finds the row.
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(acks_late=True, ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    """Fan-out: one small task per row, published from the worker rather than from the sweep."""
    for notification_id in notification_ids:
        deliver_notification.apply_async((notification_id,), **services.PUBLISH_OPTIONS)
    return len(notification_ids)


@shared_task(ignore_result=True)
def sweep_deadlines() -> dict[str, int]:
    result = services.deadlines_sweep()
    return {"deadlines": result.deadlines, "written": result.written, "digests": result.digests}


@shared_task(ignore_result=True)
def requeue_stuck_notifications() -> dict[str, int]:
    result = services.notifications_requeue_stuck()
    return {"requeued": len(result.requeued), "failed": len(result.failed)}
