"""Reports read from the replica (issue 17; docs/DEPLOY_DATABASE.md, "Read replica").

The annual report, the oversight dashboard, the figures over the API and the national export read a
lot and write nothing that the next read needs, so with REPLICA_DATABASE_URL set they read from a
PostgreSQL streaming replica and leave the primary to the work of the reviews. Nothing else does:
every other read, and every write anywhere, goes to the primary.

Which reads go is decided by code, not by model: the same tables are read by a coordinator who has
just written them (who must see the write) and by a report (which can be a second behind). So a
view or command wraps its report-reading part in ``with reading_from_replica():``, a context
variable this router consults for each query, with no queryset threaded by hand. Permission checks
run before it, on the primary (a role taken away is gone at once). Inside a transaction on the
primary, reads stay there too: they must see that transaction's own writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads in this block go to the replica, when one is configured (writes never do)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def replica_in_use() -> bool:
    return (
        _reading_from_replica.get()
        and bool(getattr(settings, "REPLICA_READS", False))
        and REPLICA in settings.DATABASES
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    )


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return REPLICA if replica_in_use() else DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # One database seen twice: an object read from the replica may be linked to one from the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        # The replica follows the primary's migrations by replication.
        return False if db == REPLICA else None
