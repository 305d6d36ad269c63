"""The benchmarks still run: each at a tiny size, in a subprocess, on its own throwaway database.

Not a measurement (the figures at this size mean nothing); a guard that a model or service change
has not broken a benchmark that nobody runs every day. Its checks (every due deadline claimed, every
step taken) run too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, *args: str) -> str:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/bench_smoke"
    own_broker = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/15"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        # A Redis database of its own: the sweep bench empties its broker's database before timing.
        env={
            **os.environ,
            # The project's own settings, not the test run's (tests/settings.py adds a test-only app).
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": own_broker,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_the_transitions_bench_runs():
    out = run_bench("transitions.py", "--n", "16")
    assert "ratio service cost / raw" in out and "queries per transition" in out


def test_the_sweep_bench_runs():
    out = run_bench("sweep.py", "--deadlines", "3000", "--due", "200", "--repeat", "1", "--skip-delivery")
    assert "ratio sweep / SELECT" in out and "200 claims -> 400 outbox rows" in out


def test_the_chronology_bench_runs():
    out = run_bench("chronology.py", "--agencies", "3", "--entries", "300", "--runs", "1")
    assert "queries per page" in out and "CSV export" in out


def test_the_national_bench_runs():
    out = run_bench("national.py", "--scale", "0.001", "--runs", "1")
    assert "slowest median" in out and "action tracker CSV" in out
    assert (
        "coordinator  action tracker" in out and "police lead  my actions" in out and "chair        chair's page" in out
    )


def test_the_annual_report_bench_runs():
    out = run_bench("annual_report.py", "--scale", "0.001", "--runs", "1", "--no-pdf")
    assert "queries for the figures" in out and "whole report" in out
    assert "charts drawn" in out and "charts from the cache" in out


def test_the_oversight_bench_runs():
    out = run_bench("oversight.py", "--scale", "0.001", "--runs", "1")
    assert "oversight dashboard" in out


def test_the_load_bench_runs():
    # Its own Redis database for broker and cache, as run_bench gives the others (/15).
    own_redis = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/15"
    out = run_bench(
        "load.py", "--scale", "0.001", "--seconds", "3", "--sessions", "4", "--workers", "2", "--redis", own_redis
    )
    assert "requests/s" in out and "coordinator: step (POST)" in out and "lead: add entry (POST)" in out
    # Every write the server acknowledged is in the database, once (load.py exits 1 otherwise).
    assert "0 lost, 0 duplicated, 0 present but not acknowledged" in out
    assert "errors: 0" in out
    assert "topology stopped" in out
