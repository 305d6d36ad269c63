"""The heartbeat, run every minute by beat (ops/migrations/0002_schedule_heartbeat.py)."""

from __future__ import annotations

from datetime import timedelta

from celery import Task, shared_task
from django.utils import timezone

from ops.models import WorkerHeartbeat

# Rows of workers not seen for this long are dropped: host names change as machines come and go.
FORGET_AFTER = timedelta(days=7)


@shared_task(bind=True, ignore_result=True)
def heartbeat(self: Task) -> str:
    now = timezone.now()
    worker = self.request.hostname or "unknown"
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    return worker
