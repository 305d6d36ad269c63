"""The audit chain: every row of an audit table carries a keyed MAC over its content and the MAC
of the row before it, so history cannot be rewritten, removed or truncated without it showing.

Why: the append-only triggers stop the application and careless hands, but the role that owns the
tables (or a database superuser) can disable them, or TRUNCATE. It cannot forge a MAC, because the
key (``settings.AUDIT_CHAIN_KEY``, from the environment) never reaches the database.

How (docs/SECURITY.md, "Audit chain"):
- One chain per table. Its head row (``AuditChainHead``: rows, last id, last MAC, and a MAC of
  its own over those) is the serialisation point: ``chain_append`` locks it with an UPDATE, which
  waits for any other writer of that table on PostgreSQL and takes SQLite's write lock; the lock
  lasts until the writing transaction ends.
- Under that lock the same statement reads the database's clock (the row's timestamp) and takes
  the next ids, so the MAC covers every column but itself: ids and timestamps included, with
  nothing set by the application's clock. Ids are taken under the lock, so id order is chain order.
- Then the rows are inserted with their MACs in one INSERT (no UPDATE ever follows, so the
  triggers stay absolute) and the head moves on.
- ``verify_chain`` walks the rows in id order, recomputes every MAC and compares the end with the
  head: a changed row breaks its own link, a removed row breaks the next one, a removed tail
  leaves the head pointing past the end.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction

from workflows.models import AuditChainHead, Chained

C = TypeVar("C", bound=Chained)

GENESIS = ""  # the "previous MAC" of a chain's first row


class ChainHeadMissing(RuntimeError):
    """A chained table has no head row: it was deleted, so nothing more can be vouched for."""


def _key() -> bytes:
    key: str = settings.AUDIT_CHAIN_KEY
    return key.encode("utf-8")


def _canonical(payload: object) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _mac(payload: object) -> str:
    return hmac.new(_key(), _canonical(payload), hashlib.sha256).hexdigest()


def _column_value(field: models.Field[Any, Any], value: Any) -> Any:
    """One column's value in the form the MAC covers: the same whether it comes from the Python
    object about to be inserted or from the row read back (JSON as parsed, times in UTC)."""
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.DateTimeField):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(field, models.DateField):
        return value.isoformat()
    return field.to_python(value)


def content_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Every column the MAC covers: all of them but the MAC itself (historical models too)."""
    return [field for field in model._meta.concrete_fields if field.attname != "mac"]


def row_mac(
    chain: str, position: int, previous: str, row: dict[str, Any], fields: Sequence[models.Field[Any, Any]]
) -> str:
    """The MAC of the ``position``-th row of ``chain`` (1-based), after the row whose MAC is ``previous``.
    ``row`` maps attnames to values. The chain's name is covered, so a row cannot move tables."""
    # NULL columns are left out, so a nullable column added to the table later leaves the MACs of
    # the rows written before it valid; a value later set or cleared still changes the content.
    content = {
        field.column: _column_value(field, row[field.attname]) for field in fields if row[field.attname] is not None
    }
    return _mac({"chain": chain, "position": position, "previous": previous, "row": content})


def head_mac(chain: str, rows: int, last_id: int | None, last_mac: str) -> str:
    """The head's own MAC: without the key, a head cannot be moved back to match a truncated table."""
    return _mac({"head": chain, "rows": rows, "last_id": last_id, "last_mac": last_mac})


def chained_models() -> list[type[Chained]]:
    return [model for model in apps.get_models() if issubclass(model, Chained)]


# --- writing -------------------------------------------------------------------------------------


def _lock_head(model: type[Chained], count: int) -> tuple[int, str, datetime, list[int]]:
    """Lock the chain's head for the rest of the transaction; return its rows and last MAC, the
    database's clock and ``count`` fresh ids, all read once the lock is held (an UPDATE's RETURNING
    is computed after it has waited for the row, unlike a SELECT's own expressions)."""
    table = model._meta.db_table
    head = AuditChainHead._meta.db_table
    connection = connections[router.db_for_write(model)]
    lock = f"UPDATE {head} SET row_count = row_count WHERE chain = %s RETURNING row_count, last_mac"  # noqa: S608 -- table name from _meta
    if connection.vendor == "postgresql":
        fresh_ids = "ARRAY(SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s))"
        sql = f"{lock}, clock_timestamp(), {fresh_ids}"
        params: list[str | int] = [table, table, count]
    else:
        # SQLite: the UPDATE takes the database's write lock, so no other writer runs until commit.
        sql = f"{lock}, strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now'), (SELECT COALESCE(MAX(id), 0) FROM {table})"  # noqa: S608 -- table name from _meta
        params = [table]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        raise ChainHeadMissing(
            f"The audit chain of {table} has no head row: it was deleted. Nothing more can be added to "
            "the chain; run `manage.py verify_audit` and see docs/SECURITY.md, 'Audit chain'."
        )
    rows, last_mac, now, ids = found
    if isinstance(now, str):  # SQLite: UTC, to the millisecond
        now = datetime.fromisoformat(now).replace(tzinfo=UTC)
    if not isinstance(ids, list):  # SQLite: the highest id so far
        ids = list(range(ids + 1, ids + 1 + count))
    return rows, last_mac, now, ids


def chain_append(rows: Sequence[C], *, keep_timestamps: bool = False) -> list[C]:
    """Insert ``rows`` (unsaved, all of one chained model) at the end of its chain, in one INSERT.

    Each row's id and, if the model names one (``chain_timestamp``), its timestamp are set here from
    the database; the caller sets everything else. ``keep_timestamps`` keeps the timestamps the
    caller set instead: for writing a demo's made-up history only (reviews/demo_year.py); every row
    of real use takes the database's clock (docs/SECURITY.md). Runs in the caller's transaction if there is
    one (the head stays locked until it ends: write audit rows late in a transaction), else in its
    own. Returns the rows, saved.
    """
    if not rows:
        return []
    model = type(rows[0])
    if any(type(row) is not model for row in rows):
        raise TypeError("chain_append takes rows of one model at a time.")
    table = model._meta.db_table
    fields = content_fields(model)
    # No savepoint: a failure here must abort the whole writing transaction anyway, and a
    # savepoint would cost two more statements on every audited request.
    with transaction.atomic(using=router.db_for_write(model), savepoint=False):
        position, previous, now, ids = _lock_head(model, len(rows))
        for row, row_id in zip(rows, ids, strict=True):
            row.pk = row_id
            if model.chain_timestamp and not keep_timestamps:
                setattr(row, model.chain_timestamp, now)
            position += 1
            row.mac = row_mac(table, position, previous, row.__dict__, fields)
            previous = row.mac
        saved = model._default_manager.bulk_create(rows)
        AuditChainHead.objects.filter(chain=table).update(
            row_count=position,
            last_id=ids[-1],
            last_mac=previous,
            mac=head_mac(table, position, ids[-1], previous),
        )
    return saved


# --- starting and sealing (migrations, and the test run's flush) ---------------------------------


def start_chain(head_model: type[AuditChainHead], table: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create ``table``'s head with no rows yet, unless it has one."""
    head_model._default_manager.using(using).get_or_create(
        chain=table,
        defaults={"row_count": 0, "last_id": None, "last_mac": GENESIS, "mac": head_mac(table, 0, None, GENESIS)},
    )


def seal_unchained(model: type[Chained], head_model: type[AuditChainHead]) -> int:
    """Chain, in id order after the head, the rows that have no MAC yet: the rows written before the
    chain existed. For the migrations that bring the chain in (they run them once, with the
    append-only triggers lifted), never for anything else. Returns how many rows it sealed."""
    table = model._meta.db_table
    start_chain(head_model, table)
    head = head_model._default_manager.select_for_update().get(chain=table)
    fields = content_fields(model)
    manager = model._default_manager
    sealed: list[Chained] = []
    position, previous, last_id = head.row_count, head.last_mac, head.last_id
    for row in manager.filter(mac="").order_by("pk").iterator(chunk_size=2000):
        if last_id is not None and row.pk <= last_id:
            raise RuntimeError(f"{table} row {row.pk} has no MAC but comes before the chain's end.")
        position += 1
        row.mac = row_mac(table, position, previous, row.__dict__, fields)
        previous, last_id = row.mac, row.pk
        sealed.append(row)
        if len(sealed) >= 2000:
            manager.bulk_update(sealed, ["mac"])
            sealed.clear()
    manager.bulk_update(sealed, ["mac"])
    sealed_count: int = position - head.row_count
    head.row_count, head.last_id, head.last_mac = position, last_id, previous
    head.mac = head_mac(table, position, last_id, previous)
    head.save()
    return sealed_count


# --- verifying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found for one table. ``vouched``: how many rows, from the first, are
    proven unchanged and in place; ``last_vouched``: the id of the last of them."""

    chain: str
    vouched: int
    last_vouched: int | None
    broken_id: int | None = None
    why: str = ""

    @property
    def ok(self) -> bool:
        return not self.why

    def describe(self) -> str:
        if self.ok:
            return f"{self.chain}: OK: {self.vouched} rows"
        where = f" at row id {self.broken_id}" if self.broken_id is not None else ""
        vouched = (
            f"the last row it can vouch for is id {self.last_vouched} (row {self.vouched} of the chain)"
            if self.last_vouched is not None
            else "it can vouch for no row"
        )
        return f"{self.chain}: BROKEN{where}: {self.why}. {vouched.capitalize()}."


def verify_chain(model: type[Chained]) -> ChainReport:
    """Walk ``model``'s rows in id order, recomputing each MAC, then check the end against the head."""
    table = model._meta.db_table
    fields = content_fields(model)
    attnames = [field.attname for field in fields]
    head = AuditChainHead.objects.filter(chain=table).first()
    position, previous, last_id = 0, GENESIS, None
    rows: Iterable[tuple[Any, ...]] = (
        model._default_manager.order_by("pk").values_list(*attnames, "mac").iterator(chunk_size=2000)
    )
    for values in rows:
        row = dict(zip(attnames, values[:-1], strict=True))
        expected = row_mac(table, position + 1, previous, row, fields)
        if not hmac.compare_digest(expected, values[-1] or ""):
            return ChainReport(
                table,
                position,
                last_id,
                row["id"],
                "its MAC does not match its content and the row before it: it was changed, or a row "
                "before it was removed or inserted",
            )
        position, previous, last_id = position + 1, expected, row["id"]
    if head is None:
        return ChainReport(table, position, last_id, None, "the chain's head row is missing: it was deleted")
    if not hmac.compare_digest(head.mac, head_mac(table, head.row_count, head.last_id, head.last_mac)):
        return ChainReport(table, position, last_id, None, "the chain's head was altered: its MAC does not match")
    if (head.row_count, head.last_id, head.last_mac) != (position, last_id, previous):
        removed = head.row_count > position or (head.row_count == position and head.last_id != last_id)
        why = (
            "rows were removed from the end (or the table truncated)"
            if removed
            else "the table has rows after the head's last one, chained without moving the head"
        )
        return ChainReport(
            table,
            position,
            last_id,
            None,
            f"the head records {head.row_count} rows ending at id {head.last_id}, but the table's chain ends "
            f"after {position} rows at id {last_id}: {why}",
        )
    return ChainReport(table, position, last_id)
