"""Least privilege in PostgreSQL (`manage.py db_roles`, issue 17): the app role reads and writes rows
through the real services, and is refused DDL and any UPDATE, DELETE or TRUNCATE of the audit tables.

The roles are created in the test database under names of this run's own and removed at the end,
the tables handed back to the role that ran the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from reviews.models import Review, ReviewState
from tests.factories import advance_to
from workflows.audit import audit_record
from workflows.chain import verify_chain
from workflows.models import AuditChainHead, AuditEvent, TransitionLog

PROTECTED = ["reviews_signedfindings", "workflows_auditevent", "workflows_transitionlog"]


def test_print_sql_names_every_protected_table_and_no_password(monkeypatch):
    monkeypatch.setenv("DB_APP_PASSWORD", "s3cret-app-pass")
    out = StringIO()
    call_command("db_roles", "--print-sql", "--owner", "own_x", "--app", "app_x", stdout=out)
    sql = out.getvalue()
    for table in PROTECTED:
        assert f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM app_x;" in sql
    assert "REVOKE DELETE, TRUNCATE ON workflows_auditchainhead FROM app_x;" in sql
    assert "CREATE ROLE own_x LOGIN;" in sql
    assert "s3cret-app-pass" not in sql


def test_a_role_name_that_is_not_plain_is_refused():
    with pytest.raises(CommandError, match=r"--app: 'x; DROP TABLE y' is not a plain role name"):
        call_command("db_roles", "--print-sql", "--app", "x; DROP TABLE y")


def _dsn(role: str) -> str:
    db = connection.settings_dict
    return f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} user={role} password=pw"


@contextmanager
def _django_connects_as(role: str) -> Iterator[None]:
    """Run the application's own code as ``role`` (what DATABASE_URL would name in production)."""
    user, password = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    connection.close()
    connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = role, "pw"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = user, password


@pytest.fixture
def roles(monkeypatch):
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"test_owner_{suffix}", f"test_app_{suffix}"
    monkeypatch.setenv("DB_OWNER_PASSWORD", "pw")
    monkeypatch.setenv("DB_APP_PASSWORD", "pw")
    runner = connection.settings_dict["USER"]
    try:
        yield owner, app
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)", [owner, app])
            for (role,) in cursor.fetchall():
                cursor.execute(f"REASSIGN OWNED BY {role} TO {runner}")
                cursor.execute(f"DROP OWNED BY {role}")
                cursor.execute(f"DROP ROLE {role}")
            cursor.execute(f"GRANT TEMPORARY ON DATABASE {connection.settings_dict['NAME']} TO PUBLIC")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_app_role_writes_rows_but_is_refused_ddl_and_changes_to_the_audit(roles, review, coordinator):
    owner, app = roles
    advance_to(review, ReviewState.SCOPING, coordinator)  # audit rows in every chained table but findings
    out = StringIO()
    call_command("db_roles", "--apply", "--owner", owner, "--app", app, stdout=out)
    call_command("db_roles", "--apply", "--owner", owner, "--app", app, stdout=StringIO())  # idempotent
    assert "may not run DDL" in out.getvalue()

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> %s", [owner])
        assert cursor.fetchone()[0] == 0

    # Normal work, through the services, as the app role: a step (UPDATE the review, INSERT the
    # transition log and audit rows, UPDATE the chains' heads) and an audit record of its own.
    with _django_connects_as(app):
        advance_to(review, ReviewState.AGENCY_SUBMISSIONS, coordinator)
        audit_record(actor=coordinator, verb="test.as_app_role", target=review)
        Review.objects.filter(pk=review.pk).update(title="Renamed by the app role")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == app
    assert Review.objects.get(pk=review.pk).state == ReviewState.AGENCY_SUBMISSIONS
    assert AuditEvent.objects.filter(verb="test.as_app_role").exists()
    assert verify_chain(TransitionLog).ok and verify_chain(AuditEvent).ok
    logs, events, heads = TransitionLog.objects.count(), AuditEvent.objects.count(), AuditChainHead.objects.count()
    assert logs >= 2 and heads == 3

    refused = [
        *(f"UPDATE {table} SET id = id" for table in PROTECTED),
        *(f"DELETE FROM {table}" for table in PROTECTED),
        *(f"TRUNCATE {table}" for table in PROTECTED),
        "DELETE FROM workflows_auditchainhead",
        "TRUNCATE workflows_auditchainhead",
        "TRUNCATE reviews_review CASCADE",
        "CREATE TABLE intruder (id int)",
        "CREATE TEMPORARY TABLE intruder (id int)",
        "ALTER TABLE reviews_review ADD COLUMN intruder int",
        "ALTER TABLE workflows_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER workflows_auditevent_append_only ON workflows_auditevent",
        "CREATE INDEX intruder ON reviews_review (title)",
        "DROP TABLE workflows_transitionlog",
        "CREATE SCHEMA intruder",
        f"SET ROLE {owner}",
    ]
    with psycopg.connect(_dsn(app), autocommit=True) as app_connection:
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied|must be owner"):
                app_connection.execute(statement)
        # And the ordinary writes the refusals are not about still work on this connection.
        app_connection.execute("UPDATE reviews_review SET title = title WHERE id = %s", [review.pk])
        app_connection.execute("UPDATE workflows_auditchainhead SET row_count = row_count")
        assert app_connection.execute("SELECT count(*) FROM workflows_transitionlog").fetchone()[0] == logs

    assert (TransitionLog.objects.count(), AuditEvent.objects.count(), AuditChainHead.objects.count()) == (
        logs,
        events,
        heads,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_grants_only_can_be_run_by_the_owner_after_a_migration(roles):
    owner, app = roles
    call_command("db_roles", "--apply", "--owner", owner, "--app", app, stdout=StringIO())
    with _django_connects_as(owner):
        call_command("db_roles", "--apply", "--grants-only", "--owner", owner, "--app", app, stdout=StringIO())
        with connection.cursor() as cursor:
            cursor.execute("SELECT has_table_privilege(%s, 'workflows_auditevent', 'TRUNCATE')", [app])
            assert cursor.fetchone()[0] is False
            cursor.execute("SELECT has_table_privilege(%s, 'workflows_auditevent', 'INSERT')", [app])
            assert cursor.fetchone()[0] is True


def _url(role: str, name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{role}:pw@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database(roles):
    """An empty database of its own, dropped before the roles are (they hold rights in it)."""
    name = f"roles_drill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        _dsn(connection.settings_dict["USER"]).replace(connection.settings_dict["NAME"], "postgres"), autocommit=True
    ) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(
        _dsn(connection.settings_dict["USER"]).replace(connection.settings_dict["NAME"], "postgres"), autocommit=True
    ) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_migrations_run_as_the_owner_through_migrate_database_url_and_the_app_cannot(roles, fresh_database):
    owner, app = roles
    superuser = connection.settings_dict["USER"]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DB_OWNER_PASSWORD": "pw",
        "DB_APP_PASSWORD": "pw",
    }

    def run(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            list(command),
            cwd=settings.BASE_DIR,
            env={**environment, **env},
            capture_output=True,
            text=True,
            timeout=600,
        )

    python = sys.executable
    setup = run(
        python,
        "manage.py",
        "db_roles",
        "--apply",
        "--owner",
        owner,
        "--app",
        app,
        DATABASE_URL=_url(superuser, fresh_database),
    )
    assert setup.returncode == 0, setup.stderr

    # The app role alone cannot migrate: it may not create a table.
    alone = run(python, "manage.py", "migrate", "--noinput", DATABASE_URL=_url(app, fresh_database))
    assert alone.returncode != 0
    assert "permission denied for schema public" in alone.stderr

    migrated = run(
        "scripts/migrate.sh",
        DATABASE_URL=_url(app, fresh_database),
        MIGRATE_DATABASE_URL=_url(owner, fresh_database),
        DB_OWNER_ROLE=owner,
        DB_APP_ROLE=app,
        PY=python,
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    with psycopg.connect(_dsn(superuser).replace(connection.settings_dict["NAME"], fresh_database)) as db:
        owners = {row[0] for row in db.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")}
        assert owners == {owner}
        for table in PROTECTED:
            for privilege, allowed in (("INSERT", True), ("SELECT", True), ("UPDATE", False), ("TRUNCATE", False)):
                granted = db.execute("SELECT has_table_privilege(%s, %s, %s)", [app, table, privilege]).fetchone()[0]
                assert granted is allowed, (table, privilege)
        assert db.execute("SELECT has_table_privilege(%s, 'reviews_review', 'UPDATE')", [app]).fetchone()[0]
