"""What /healthz and /readyz check (docs/OBSERVABILITY.md).

Each readiness check answers ``None`` when all is well or a short reason when not. A reason names
what failed and never carries an exception's text: a broker or database error can hold a host name,
a user name or a URL with a password, and /readyz is public.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from ops.models import WorkerHeartbeat

# Once every migration is applied it stays so until the code changes, which restarts the process:
# remember it, so a probe every few seconds does not read every migration file each time.
_migrations_all_applied = False


def forget_migrations_applied() -> None:
    """For the tests: check the migrations again on the next probe."""
    global _migrations_all_applied
    _migrations_all_applied = False


def check_database() -> str | None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 -- any failure means not ready; its text is not shown
        return f"the database did not answer ({type(error).__name__})"
    return None


def check_broker() -> str | None:
    from project.celery import app

    timeout = settings.READYZ_BROKER_TIMEOUT_SECONDS
    try:
        with app.connection_for_read(connect_timeout=timeout) as connection:
            # One attempt, no back-off: a probe must answer within its own timeout.
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
    except Exception as error:  # noqa: BLE001 -- as above
        return f"the broker did not answer ({type(error).__name__})"
    return None


def check_migrations() -> str | None:
    global _migrations_all_applied
    if _migrations_all_applied:
        return None
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # noqa: BLE001 -- as above
        return f"the migrations could not be read ({type(error).__name__})"
    if plan:
        return f"{len(plan)} migration(s) not applied"
    _migrations_all_applied = True
    return None


def check_worker() -> str | None:
    window = timedelta(seconds=settings.READYZ_WORKER_WITHIN_SECONDS)
    try:
        last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    except Exception as error:  # noqa: BLE001 -- as above
        return f"the heartbeat could not be read ({type(error).__name__})"
    if last is None:
        return "no worker heartbeat yet"
    if last < timezone.now() - window:
        return f"no worker heartbeat in the last {int(window.total_seconds())} s"
    return None


def check_beat() -> str | None:
    window = timedelta(seconds=settings.READYZ_BEAT_WITHIN_SECONDS)
    try:
        last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
    except Exception as error:  # noqa: BLE001 -- as above
        return f"beat's schedule could not be read ({type(error).__name__})"
    if last is None:
        return "beat has not run a task yet"
    if last < timezone.now() - window:
        return f"beat has run no task in the last {int(window.total_seconds())} s"
    return None


# In order: later checks read the database, so when it is down they fail too, and say so.
CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "broker": check_broker,
    "migrations": check_migrations,
    "worker": check_worker,
    "beat": check_beat,
}


def readiness() -> dict[str, str]:
    """Every check's outcome: "ok" or its reason."""
    return {name: check() or "ok" for name, check in CHECKS.items()}
