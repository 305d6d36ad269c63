"""The project's settings for the test run, plus the test-only app the engine's tests drive
(tests/workflows/fsm_app). pyproject.toml's pytest options name this module; everything else
(manage.py, Celery, the benchmarks, the subprocesses some tests start) keeps project.settings."""

from __future__ import annotations

from project.settings import *  # noqa: F403 -- the project's settings, every one of them unchanged
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.workflows.fsm_app"]
