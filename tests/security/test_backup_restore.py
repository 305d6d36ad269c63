"""The backup and restore drill (`make backup`, `make restore`: scripts/backup.sh, scripts/restore.sh;
issue 17): the demo, dumped with pg_dump -Fc and restored into a new database, has every row of every
table, and its audit chains verify there (`manage.py verify_audit`, run against the restored copy)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)


def _url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _run(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- our own scripts
        [str(ROOT / "scripts" / script)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        tables = [row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in sorted(tables)}


@pytest.fixture
def restored_name():
    name = f"restore_drill_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(_url("postgres").replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_of_the_demo_restores_into_a_new_database_whole_and_verified(tmp_path, restored_name):
    call_command("seed_demo", stdout=StringIO())
    source = _url(connection.settings_dict["NAME"])
    dump = tmp_path / "demo.dump"

    backup = _run("backup.sh", DATABASE_URL=source, FILE=str(dump))
    assert backup.returncode == 0, backup.stderr
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert not list(tmp_path.glob("*.part"))

    target = _url(restored_name)
    restore = _run("restore.sh", DATABASE_URL=target, FILE=str(dump))
    assert restore.returncode == 0, restore.stderr
    assert f"Restored {dump} into {restored_name}" in restore.stdout

    expected = _row_counts(source)
    assert expected["reviews_review"] > 0 and expected["workflows_auditevent"] > 0
    assert _row_counts(target) == expected

    # verify_audit in a process of its own, on the restored database (the chains' key as the tests').
    verify = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": target, "DJANGO_SETTINGS_MODULE": "project.settings"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    for table in ("reviews_signedfindings", "workflows_auditevent", "workflows_transitionlog"):
        assert f"{table}: OK: {expected[table]} rows" in verify.stdout, verify.stdout

    # A second restore into the now full database is refused, and changes nothing.
    again = _run("restore.sh", DATABASE_URL=target, FILE=str(dump))
    assert again.returncode == 1
    assert f"The database {restored_name} already holds" in again.stderr
    assert _row_counts(target) == expected


def test_restore_names_what_is_missing():
    missing = _run("restore.sh", DATABASE_URL=_url("anything"), FILE="/nonexistent.dump")
    assert missing.returncode == 1
    assert "FILE: /nonexistent.dump does not exist." in missing.stderr
    no_url = _run("backup.sh", DATABASE_URL="")
    assert no_url.returncode != 0
    assert "Set DATABASE_URL to the database to back up" in no_url.stderr
