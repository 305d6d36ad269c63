"""The pages across reviews answer on the embedded SQLite default of `make run`, with the demo
seeded (tests/reviews/demo/sqlite_pages.py, in a process of its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

from tests.reviews.demo.sqlite_pages import PAGES


def test_the_demo_s_pages_across_reviews_answer_on_sqlite(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path),
        TWO_FACTOR_REQUIRED="false",
        CELERY_BROKER_URL="memory://",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.reviews.demo.sqlite_pages"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-5000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])["answers"]
    assert len(answers) == len(PAGES)
    failed = [answer for answer in answers if answer["status"] != 200]
    assert not failed, (failed, result.stderr[-5000:])
