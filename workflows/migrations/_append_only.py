"""Lifting and restoring an audit table's append-only triggers, for the migrations that must
rewrite its rows once (bringing in the audit chain) and for SQLite, where Django rebuilds a table
to add a column and the rebuilt table has lost its triggers.

The trigger names and messages are those of workflows 0002 and reviews 0004.
"""

from __future__ import annotations

from typing import Any


def lift(schema_editor: Any, table: str, postgres_trigger: str) -> None:
    """Let this transaction update ``table``'s rows (PostgreSQL: the trigger is back when
    ``restore`` runs; the ALTER TABLE lock keeps everyone else out meanwhile)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {postgres_trigger};")
    elif vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};")


def restore(schema_editor: Any, table: str, postgres_trigger: str, word: str) -> None:
    """Put the triggers back; ``word`` is the refusal's ("append-only", "immutable")."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {postgres_trigger};")
    elif vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op.lower()};")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is {word}: {op} refused'); END;"
            )
