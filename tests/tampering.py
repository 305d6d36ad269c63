"""What someone with only database access (even a superuser) can do to the audit tables behind the
application's back: lift the append-only triggers and rewrite, remove or truncate rows. For the
audit chain's tests (docs/SECURITY.md, "Audit chain"); PostgreSQL only."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection


def tamper(table: str, sql: str, params: list[object] | tuple[object, ...] = ()) -> None:
    """Run ``sql`` on ``table`` with all its triggers disabled, as the postgres superuser can.
    Inside the test's transaction: the deferred foreign-key checks already queued are run first
    (ALTER TABLE refuses to run with pending trigger events), and everything is rolled back after."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")


def verify_audit() -> tuple[bool, str]:
    """``manage.py verify_audit``: (whether it passed, what it printed)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()
