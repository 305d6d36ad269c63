"""The project's settings for the test run, plus the test-only app the engine's tests drive
(tests/workflows/fsm_app). pyproject.toml's pytest options name this module; everything else
(manage.py, Celery, the benchmarks, the subprocesses some tests start) keeps project.settings."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid

from project.settings import *  # noqa: F403 -- the project's settings, every one of them unchanged
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.workflows.fsm_app"]

# The rate-limit counts of the public notification form (django-ratelimit) in the real Redis when
# the run has one, as in production, under a prefix of this run's own so runs never share counts.
if CELERY_BROKER_URL.startswith("redis://"):  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CELERY_BROKER_URL,  # noqa: F405
            "KEY_PREFIX": f"tests-{uuid.uuid4().hex[:12]}",
        }
    }
# Only the rate-limit test (tests/reviews/intake) holds the form to the production limit.
INTAKE_RATE_LIMIT = "1000/m"

# Documents go to a folder of this run's own, removed at the end, never to var/documents.
_DOCUMENTS_DIR = tempfile.mkdtemp(prefix="test-documents-")
atexit.register(shutil.rmtree, _DOCUMENTS_DIR, ignore_errors=True)
STORAGES = {
    **STORAGES,  # noqa: F405
    "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": _DOCUMENTS_DIR}},
}
# No virus scanner in the tests unless a test starts its own (tests/reviews/documents/test_clamd.py).
CLAMAV_ADDRESS = ""

# A second alias for the read replica's tests (tests/security/test_db_router.py): the test database
# itself, seen through a connection of its own. Reads go to it only where a test turns REPLICA_READS on.
DATABASES = {**DATABASES, "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}}}  # noqa: F405
REPLICA_READS = False
