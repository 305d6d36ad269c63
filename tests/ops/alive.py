"""A worker and beat seen just now, as in a running service, so /readyz can answer 200."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from ops.models import WorkerHeartbeat

HEARTBEAT_TASK = "ops: worker heartbeat"  # ops/migrations/0002_schedule_heartbeat.py


def worker_seen(at: datetime | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(worker="celery@test", defaults={"seen_at": at or timezone.now()})


def beat_ran(at: datetime | None = None) -> PeriodicTask:
    """The heartbeat's beat row with its last run (the migration's row, or a new one where a
    transactional test flushed it)."""
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    task, _ = PeriodicTask.objects.update_or_create(
        name=HEARTBEAT_TASK,
        defaults={"task": "ops.tasks.heartbeat", "interval": every_minute, "last_run_at": at or timezone.now()},
    )
    # Only this row counts: the other tasks' rows keep whatever the migrations gave them.
    PeriodicTask.objects.exclude(pk=task.pk).update(last_run_at=None)
    return task


def service_running() -> None:
    worker_seen()
    beat_ran()
