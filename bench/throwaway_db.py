"""A throwaway PostgreSQL database for one benchmark run, dropped afterwards.

Every benchmark runs against a fresh ``<name>_<pid>`` database next to the one DATABASE_URL
names, so figures never depend on what an earlier run or the test suite left behind.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def run_in_throwaway_database(default_url: str, run: Callable[[str], int], *, keep: bool = False) -> int:
    """Create the database, point Django at it (DEBUG off: no query log), call ``run(db_name)``."""
    base_url = os.environ.get("DATABASE_URL", default_url)
    if not base_url.startswith(("postgres://", "postgresql://")):
        print(f"DATABASE_URL must point at PostgreSQL, not {base_url}", file=sys.stderr)
        return 2
    db_name = f"{urlsplit(base_url).path.lstrip('/') or 'reviews_bench'}_{os.getpid()}"
    with _admin_connection(base_url) as admin:
        admin.execute(f'CREATE DATABASE "{db_name}"')
    os.environ["DATABASE_URL"] = _with_db(base_url, db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    # As in production: no query log kept in memory (it would swamp time and memory figures).
    os.environ["DEBUG"] = "false"
    # DEBUG=false refuses the demo key (project/settings.py): a throwaway key for a throwaway database.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("AUDIT_CHAIN_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("INTAKE_MATCH_KEY", secrets.token_urlsafe(48))
    # DEBUG=false wants a shared cache named (only the public notification form's rate limit uses it).
    os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    # DEBUG=false also wants the host names served: the benchmarks' client asks for these.
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
    # Plain static names, as in the demo: the pages a benchmark renders need no collectstatic first.
    os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
    try:
        return run(db_name)
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"kept database {db_name}")
        else:
            with _admin_connection(base_url) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
