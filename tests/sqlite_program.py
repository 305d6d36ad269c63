"""Running a program of the test suite on the embedded SQLite default of `make run`: a process of
its own whose settings are the project's own (project.settings, as `make run` has them) and whose
DATABASE_URL names a fresh SQLite file, since the suite itself runs on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def run_on_sqlite(module: str, tmp_path: Path, *, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """``python -m module`` on a fresh SQLite file in ``tmp_path``; its output as text."""
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path),
        TWO_FACTOR_REQUIRED="false",
        # E-mails are not under test there; nothing must reach another run's broker.
        CELERY_BROKER_URL="memory://",
    )
    return subprocess.run(
        [sys.executable, "-m", module],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
