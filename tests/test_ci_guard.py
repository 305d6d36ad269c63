"""Under CI=true the suite must refuse to run (fail, not skip) without PostgreSQL and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_suite_collection(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CI": "true", **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/test_ci_guard.py"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "sqlite:////tmp/not-postgres.sqlite3"}, "not PostgreSQL"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:1/reviews"}, "PostgreSQL is unreachable"),
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}, "Redis is unreachable"),
        ({"CELERY_BROKER_URL": "filesystem://"}, "not Redis"),
    ],
)
def test_ci_run_fails_without_the_real_services(env, message):
    if "DATABASE_URL" not in env:
        env = {"DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reviews"), **env}
    if "CELERY_BROKER_URL" not in env:
        env = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", **env}
    result = run_suite_collection(**env)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
