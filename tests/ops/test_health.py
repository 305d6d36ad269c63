"""/healthz and /readyz (ops/health.py): alive without the database; ready only when the database,
the broker, the migrations, a worker and beat all answer, else 503 naming the failing part and
nothing more."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ops import health
from ops.models import WorkerHeartbeat
from project.celery import app as celery_app
from tests.ops.alive import beat_ran, service_running, worker_seen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_migration_check():
    health.forget_migrations_applied()
    yield
    health.forget_migrations_applied()


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_probes_answer_get_and_head_only(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


def test_readyz_is_200_when_everything_answers(client):
    service_running()
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": dict.fromkeys(["database", "broker", "migrations", "worker", "beat"], "ok"),
    }


def test_a_worker_not_seen_for_two_minutes_is_named(client):
    service_running()
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(seconds=121))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"] == "no worker heartbeat in the last 120 s"
    # The worker's host name is not given away.
    assert "celery@test" not in response.content.decode()


def test_no_heartbeat_at_all_is_named(client):
    beat_ran()
    WorkerHeartbeat.objects.all().delete()
    body = client.get("/readyz").json()
    assert body["failing"] == ["worker"] and body["checks"]["worker"] == "no worker heartbeat yet"


def test_beat_not_run_lately_is_named(client):
    worker_seen()
    beat_ran(timezone.now() - timedelta(seconds=settings.READYZ_BEAT_WITHIN_SECONDS + 1))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]


def test_the_heartbeat_task_writes_what_readyz_reads(client):
    beat_ran()
    WorkerHeartbeat.objects.all().delete()
    assert client.get("/readyz").status_code == 503
    # Run as a worker runs it (the task's body, in this process), then ready.
    from ops.tasks import heartbeat

    heartbeat.apply()
    assert WorkerHeartbeat.objects.count() == 1
    assert client.get("/readyz").status_code == 200


def test_the_heartbeat_is_scheduled_every_minute():
    from django_celery_beat.models import PeriodicTask

    # The migration's row (pytest-django runs the transactional tests, which flush it, last).
    task = PeriodicTask.objects.select_related("interval").get(task="ops.tasks.heartbeat")
    assert task.enabled and task.expire_seconds == 55 and (task.interval.every, task.interval.period) == (1, "minutes")


def test_an_unapplied_migration_is_named(client):
    service_running()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'ops' AND name = '0002_schedule_heartbeat'")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"] == "1 migration(s) not applied"


def test_an_unreachable_broker_is_named(client, monkeypatch):
    service_running()
    # A port nothing listens on (the check reads the broker's read URL, as a worker does).
    for name in ("broker_url", "broker_read_url"):
        monkeypatch.setattr(celery_app.conf, name, "redis://:broker-secret@127.0.0.1:1/0")
    monkeypatch.setattr(settings, "READYZ_BROKER_TIMEOUT_SECONDS", 1)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert "broker-secret" not in response.content.decode()


def test_an_unreachable_database_is_named_without_its_address():
    """In a process of its own, pointed at a database that is not there (a password and a port the
    page must not repeat)."""
    program = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/readyz')\n"
        "print(json.dumps({'status': response.status_code, 'body': response.content.decode()}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": "postgres://someone:db-secret@127.0.0.1:1/nowhere",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "filesystem://"),
    }
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    body = json.loads(result["body"])
    assert "database" in body["failing"] and body["checks"]["database"].startswith("the database did not answer")
    for secret in ("db-secret", "someone", "nowhere"):
        assert secret not in result["body"]
