"""The heartbeat end to end: a real Celery worker with beat (DatabaseScheduler) on the test
database and Redis turns /readyz from 503 (no worker, beat not run lately) to 200."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from ops.models import WorkerHeartbeat
from tests.ops.alive import beat_ran

pytestmark = pytest.mark.django_db(transaction=True)

CELERY = str(Path(sys.executable).with_name("celery"))


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_a_worker_with_beat_makes_readyz_pass(client, tmp_path):
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/N")
    import redis

    redis.Redis.from_url(broker).flushdb()  # no message left by another test for this worker
    # Only the heartbeat is scheduled, last run long ago: beat sends it at once.
    task = beat_ran(timezone.now() - timedelta(hours=1))
    PeriodicTask.objects.exclude(pk=task.pk).update(enabled=False)
    WorkerHeartbeat.objects.all().delete()
    before = client.get("/readyz").json()
    assert set(before["failing"]) == {"worker", "beat"}

    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "LOG_LEVEL": "INFO",
    }
    worker = subprocess.Popen(
        [
            CELERY,
            "-A",
            "project",
            "worker",
            "--beat",
            "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=ops-test-{os.getpid()}@%h",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        answer = before
        while time.monotonic() < deadline and worker.poll() is None:
            answer = client.get("/readyz").json()
            if answer["status"] == "ok":
                break
            time.sleep(0.5)
        assert answer["status"] == "ok", (answer, log.read_text()[-3000:])
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
    assert WorkerHeartbeat.objects.get().worker == f"ops-test-{os.getpid()}@{os.uname().nodename}"
