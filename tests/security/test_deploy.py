"""`manage.py check --deploy` is clean with production settings (DEBUG=false and the rest from
the environment), and those settings switch on what the checks cannot see."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def production_env(tmp_path: Path) -> dict[str, str]:
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        # Production refuses SQLite; `check` only names the database, it does not connect.
        database_url = "postgres://postgres@127.0.0.1:5432/reviews"
    else:
        database_url = os.environ.get("DATABASE_URL", "")
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "TWO_FACTOR_REQUIRED")}
    env.update(
        # The project's own settings, not the test run's (tests/settings.py adds a test-only app).
        DJANGO_SETTINGS_MODULE="project.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        AUDIT_CHAIN_KEY=secrets.token_urlsafe(48),
        INTAKE_MATCH_KEY=secrets.token_urlsafe(48),
        CACHE_URL="redis://127.0.0.1:6379/1",  # only named: `check` does not connect
        ALLOWED_HOSTS="reviews.example.org",
        DATABASE_URL=database_url,
        VAR_DIR=str(tmp_path),
    )
    return env


def manage(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def demo_env(tmp_path: Path) -> dict[str, str]:
    """The embedded defaults as `make run` has them: no DEBUG, no SECRET_KEY in the environment."""
    env = production_env(tmp_path)
    del env["DEBUG"], env["SECRET_KEY"], env["ALLOWED_HOSTS"], env["CACHE_URL"]
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("key", [None, "", "demo"], ids=["unset", "empty", "the-demo-key"])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    env = production_env(tmp_path)
    if key is None:
        del env["SECRET_KEY"]
    else:
        env["SECRET_KEY"] = settings.DEMO_SECRET_KEY if key == "demo" else key
    for arguments in (("check",), ("migrate", "--no-input")):
        result = manage(env, *arguments)
        assert result.returncode != 0, result.stdout + result.stderr
        assert "ImproperlyConfigured: SECRET_KEY is not set: with DEBUG=false the service refuses to start" in (
            result.stderr
        )


def test_check_deploy_reports_the_demo_key(tmp_path):
    result = manage(demo_env(tmp_path), "check", "--deploy")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "(project.E001) SECRET_KEY is the embedded demo key" in result.stderr
    # Django's own check sees it too, by the key's "django-insecure-" prefix.
    assert "(security.W009)" in result.stderr


def test_the_demo_still_starts_on_its_embedded_key(tmp_path):
    result = manage(demo_env(tmp_path), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    # The two silenced: django-ratelimit's warnings that the demo's in-memory cache is not shared
    # between processes (the demo runs one; production must set CACHE_URL, below).
    assert "System check identified no issues (2 silenced)." in result.stdout


@pytest.mark.parametrize("cache_url", [None, "locmem://"])
def test_production_refuses_to_start_without_a_shared_cache(tmp_path, cache_url):
    env = production_env(tmp_path)
    if cache_url is None:
        del env["CACHE_URL"]
    else:
        env["CACHE_URL"] = cache_url
    result = manage(env, "check")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "ImproperlyConfigured: Set CACHE_URL to a Redis URL" in result.stderr


def test_production_settings_switch_on_cookies_tls_and_two_factors(tmp_path):
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "TWO_FACTOR_REQUIRED",
        "AXES_ENABLED",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    ]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = manage(production_env(tmp_path), "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "TWO_FACTOR_REQUIRED": True,
        "AXES_ENABLED": True,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
    }


@pytest.mark.parametrize("key", [None, "", "too-short-a-key"], ids=["unset", "empty", "short"])
def test_production_refuses_to_start_without_an_audit_chain_key(tmp_path, key):
    env = production_env(tmp_path)
    del env["AUDIT_CHAIN_KEY"]
    if key is not None:
        env["AUDIT_CHAIN_KEY"] = key
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Set AUDIT_CHAIN_KEY to a secret of at least 32 characters (DEBUG is off)." in result.stderr


def test_media_files_are_never_served_by_url(client, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "chronology.csv").write_text("Child A, secret detail")
    client.force_login(coordinator)
    for url in ("/media/uploads/chronology.csv", "/uploads/chronology.csv", "/static/uploads/chronology.csv"):
        response = client.get(url)
        assert response.status_code == 404
        assert b"secret detail" not in b"".join(getattr(response, "streaming_content", [response.content]))
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    # Above the largest upload (a 20 MB document, docs/SECURITY.md), so no upload goes to a temporary file.
    assert settings.DOCUMENT_MAX_BYTES < settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 24 * 1024 * 1024


@pytest.mark.parametrize("hosts", [None, "", "*", "reviews.example.org,*"], ids=["unset", "empty", "star", "with-star"])
def test_production_refuses_to_start_without_real_allowed_hosts(tmp_path, hosts):
    env = production_env(tmp_path)
    if hosts is None:
        del env["ALLOWED_HOSTS"]
    else:
        env["ALLOWED_HOSTS"] = hosts
    result = manage(env, "check")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "ImproperlyConfigured: ALLOWED_HOSTS is not set: with DEBUG=false the service refuses to start" in (
        result.stderr
    )


@pytest.mark.parametrize("database_url", [None, "sqlite:///{tmp}/db.sqlite3"], ids=["unset", "sqlite"])
def test_production_refuses_to_start_on_sqlite(tmp_path, database_url):
    env = production_env(tmp_path)
    if database_url is None:
        del env["DATABASE_URL"]  # the embedded default is SQLite
    else:
        env["DATABASE_URL"] = database_url.format(tmp=tmp_path)
    for arguments in (("check",), ("migrate", "--no-input")):
        result = manage(env, *arguments)
        assert result.returncode != 0, result.stdout + result.stderr
        assert "ImproperlyConfigured: DATABASE_URL is not set to PostgreSQL: with DEBUG=false" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


def read_settings(env: dict[str, str], *names: str) -> dict[str, object]:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    result = manage(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_serves_hashed_compressed_static_files_and_the_demo_plain_ones(tmp_path):
    production = read_settings(production_env(tmp_path), "STORAGES", "MIDDLEWARE", "WHITENOISE_USE_FINDERS")
    assert production["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # WhiteNoise right after SecurityMiddleware, as it asks (only the request id and the request
    # metrics come before them, to cover everything after).
    middleware = production["MIDDLEWARE"]
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert middleware[:security] == ["ops.logs.RequestIdMiddleware", "ops.metrics.RequestMetricsMiddleware"]
    assert production["WHITENOISE_USE_FINDERS"] is False
    demo = read_settings(demo_env(tmp_path), "STORAGES", "WHITENOISE_USE_FINDERS")
    assert demo["STORAGES"]["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert demo["WHITENOISE_USE_FINDERS"] is True


def test_persistent_connections_and_their_health_checks_come_from_the_environment(tmp_path):
    env = production_env(tmp_path)
    env["DATABASE_URL"] = "postgres://reviews@db.internal:5432/reviews"
    assert read_settings(env, "DATABASES")["DATABASES"]["default"]["CONN_MAX_AGE"] == 60
    assert read_settings(env, "DATABASES")["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True
    env.update(CONN_MAX_AGE="0", CONN_HEALTH_CHECKS="false")
    default = read_settings(env, "DATABASES")["DATABASES"]["default"]
    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == (0, False)


def test_celery_production_settings_come_from_the_environment(tmp_path):
    names = (
        "CELERY_TASK_ACKS_LATE",
        "CELERY_WORKER_PREFETCH_MULTIPLIER",
        "CELERY_TASK_SOFT_TIME_LIMIT",
        "CELERY_TASK_TIME_LIMIT",
        "CELERY_WORKER_MAX_TASKS_PER_CHILD",
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        "NOTIFICATIONS_RETRY_MAX_SECONDS",
    )
    env = production_env(tmp_path)
    env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/0"
    values = read_settings(env, *names)
    assert values["CELERY_TASK_ACKS_LATE"] is True
    assert values["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1
    assert values["CELERY_TASK_SOFT_TIME_LIMIT"] < values["CELERY_TASK_TIME_LIMIT"]
    # Redis hands an unacknowledged task to another worker after the visibility timeout: it must
    # outlast the longest task and the longest retry back-off, or a slow task runs twice.
    timeout = values["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    assert timeout > values["CELERY_TASK_TIME_LIMIT"] and timeout > values["NOTIFICATIONS_RETRY_MAX_SECONDS"]
    env.update(
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        CELERY_WORKER_PREFETCH_MULTIPLIER="4",
        CELERY_TASK_SOFT_TIME_LIMIT="50",
        CELERY_TASK_TIME_LIMIT="60",
        CELERY_WORKER_MAX_TASKS_PER_CHILD="10",
    )
    values = read_settings(env, *names)
    assert values["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 4
    assert (values["CELERY_TASK_SOFT_TIME_LIMIT"], values["CELERY_TASK_TIME_LIMIT"]) == (50, 60)
    assert values["CELERY_WORKER_MAX_TASKS_PER_CHILD"] == 10
    # RabbitMQ acknowledges for real: no visibility timeout to set.
    assert "visibility_timeout" not in (values["CELERY_BROKER_TRANSPORT_OPTIONS"] or {})
