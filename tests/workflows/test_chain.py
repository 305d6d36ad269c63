"""The audit chain (workflows.chain): every transition log and audit event row carries a keyed MAC
over its content and the previous row's MAC, so rewriting, removing or truncating rows behind the
application's back (triggers disabled, as a database superuser can) shows in `verify_audit`, which
names the first broken row and the last one it can vouch for. PostgreSQL: the real triggers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tests.concurrency import race
from tests.tampering import tamper, verify_audit
from tests.workflows.fsm_app.services import document_step
from workflows.audit import audit_record
from workflows.chain import ChainHeadMissing, chain_append, verify_chain
from workflows.models import AuditChainHead, AuditEvent, TransitionLog

pytestmark = [pytest.mark.postgres]

EVENTS = "workflows_auditevent"
LOGS = "workflows_transitionlog"


@pytest.fixture
def history(db, document, editor):
    """Three transitions and six audit events, written the ordinary way."""
    for step in ("send_for_review", "publish", "withdraw"):
        document_step(actor=editor, document_id=document.pk, transition=step, reason="Because")
    for number in range(6):
        audit_record(actor=editor, verb="document.viewed", target=document, number=number, note="é ✓")
    return list(AuditEvent.objects.order_by("id")), list(TransitionLog.objects.order_by("id"))


def lines_of(output: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in output.splitlines())


def test_a_normal_history_verifies(history):
    events, logs = history

    passed, output = verify_audit()

    assert passed, output
    assert lines_of(output)[EVENTS] == f"OK: {len(events)} rows"
    assert lines_of(output)[LOGS] == f"OK: {len(logs)} rows"
    assert len(events) == 6
    assert len(logs) == 3


def test_the_mac_is_keyed(history):
    with override_settings(AUDIT_CHAIN_KEY="another-key-that-is-long-enough-0123456789"):
        report = verify_chain(AuditEvent)
    assert report.broken_id == history[0][0].pk
    assert report.vouched == 0


@pytest.mark.parametrize(
    ("table", "rows", "change"),
    [
        (EVENTS, 0, "verb = 'document.never_viewed'"),
        (EVENTS, 0, 'detail = \'{"number": 3, "note": "changed"}\''),
        (EVENTS, 0, "at = at - interval '1 day'"),
        (EVENTS, 0, "actor_id = NULL"),
        (LOGS, 1, "reason = 'Nothing to see'"),
        (LOGS, 1, "to_state = 'withdrawn'"),
    ],
    ids=["event-verb", "event-detail", "event-backdated", "event-actor", "log-reason", "log-state"],
)
def test_a_row_rewritten_with_the_triggers_disabled_is_named(history, table, rows, change):
    changed = history[rows][len(history[rows]) // 2]
    before = history[rows][len(history[rows]) // 2 - 1]

    tamper(table, f"UPDATE {table} SET {change} WHERE id = %s", [changed.pk])
    passed, output = verify_audit()

    assert not passed
    assert lines_of(output)[table] == (
        f"BROKEN at row id {changed.pk}: its MAC does not match its content and the row before it: it was "
        "changed, or a row before it was removed or inserted. The last row it can vouch for is id "
        f"{before.pk} (row {len(history[rows]) // 2} of the chain)."
    )
    other = LOGS if table == EVENTS else EVENTS
    assert lines_of(output)[other].startswith("OK: ")


def test_a_row_deleted_in_the_middle_breaks_the_next_link(history):
    events, _ = history

    tamper(EVENTS, f"DELETE FROM {EVENTS} WHERE id = %s", [events[2].pk])
    report = verify_chain(AuditEvent)

    assert (report.broken_id, report.last_vouched, report.vouched) == (events[3].pk, events[1].pk, 2)


def test_the_tail_deleted_shows_against_the_head(history):
    events, _ = history

    tamper(EVENTS, f"DELETE FROM {EVENTS} WHERE id >= %s", [events[4].pk])
    passed, output = verify_audit()

    assert not passed
    assert lines_of(output)[EVENTS] == (
        f"BROKEN: the head records 6 rows ending at id {events[5].pk}, but the table's chain ends after 4 rows "
        f"at id {events[3].pk}: rows were removed from the end (or the table truncated). The last row it can "
        f"vouch for is id {events[3].pk} (row 4 of the chain)."
    )


def test_a_truncated_table_shows_against_the_head(history):
    tamper(LOGS, f"TRUNCATE {LOGS}")
    passed, output = verify_audit()

    assert not passed
    assert lines_of(output)[LOGS].startswith("BROKEN: the head records 3 rows ending at id ")
    assert lines_of(output)[LOGS].endswith(
        "but the table's chain ends after 0 rows at id None: rows were removed from the end (or the table "
        "truncated). It can vouch for no row."
    )


def test_a_head_moved_back_to_match_a_truncated_tail_shows(history):
    """Without the key the head cannot be made to agree with the shortened table."""
    events, _ = history
    tamper(EVENTS, f"DELETE FROM {EVENTS} WHERE id >= %s", [events[4].pk])
    AuditChainHead.objects.filter(chain=EVENTS).update(row_count=4, last_id=events[3].pk, last_mac=events[3].mac)

    report = verify_chain(AuditEvent)

    assert report.why == "the chain's head was altered: its MAC does not match"
    assert (report.vouched, report.last_vouched) == (4, events[3].pk)


def test_a_deleted_head_shows_and_stops_further_writes(history, document, editor):
    AuditChainHead.objects.filter(chain=EVENTS).delete()

    assert verify_chain(AuditEvent).why == "the chain's head row is missing: it was deleted"
    with pytest.raises(ChainHeadMissing, match="The audit chain of workflows_auditevent has no head row"):
        audit_record(actor=editor, verb="document.viewed", target=document)


def test_rows_written_after_a_tampering_do_not_hide_it(history, document, editor):
    events, _ = history
    tamper(EVENTS, f"DELETE FROM {EVENTS} WHERE id >= %s", [events[4].pk])

    later = audit_record(actor=editor, verb="document.viewed", target=document)

    report = verify_chain(AuditEvent)
    assert (report.broken_id, report.last_vouched) == (later.pk, events[3].pk)


def test_timestamps_come_from_the_database_clock(db, document, editor, monkeypatch):
    """The application's clock is never used: a server whose clock is wrong cannot misdate history."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2001, 1, 1, tzinfo=UTC))
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        (database_now,) = cursor.fetchone()

    event = audit_record(actor=editor, verb="document.viewed", target=document)
    document_step(actor=editor, document_id=document.pk, transition="send_for_review")

    log = TransitionLog.objects.get()
    for at in (event.at, AuditEvent.objects.get(pk=event.pk).at, log.at):
        assert 0 <= (at - database_now).total_seconds() < 60


def test_several_rows_at_once_join_the_chain_in_order(history, document, editor):
    rows = [AuditEvent(actor=editor, verb="document.exported", object_label=str(number)) for number in range(3)]

    saved = chain_append(rows)

    assert [row.pk for row in saved] == sorted(row.pk for row in saved)
    assert saved[0].pk > history[0][-1].pk
    assert verify_chain(AuditEvent).vouched == 9


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_still_make_one_valid_chain(make_document, editor):
    """Eight requests at once, each writing transitions and audit events in its own transaction on
    its own connection: the head's lock puts them one after another, in id order."""
    documents = [make_document(f"Report {number}", summary="Ready.", editors=[editor]) for number in range(8)]

    def write(document):
        def attempt() -> int:
            document_step(actor=editor, document_id=document.pk, transition="send_for_review")
            for _ in range(3):
                audit_record(actor=editor, verb="document.viewed", target=document)
            chain_append([AuditEvent(actor=editor, verb="document.exported") for _ in range(2)])
            return document.pk

        return attempt

    results = race(*((f"writer {number}", write(document)) for number, document in enumerate(documents)))

    assert [result[0] for result in results.values()] == ["ok"] * 8, results
    events, logs = verify_chain(AuditEvent), verify_chain(TransitionLog)
    assert (events.ok, events.vouched) == (True, 40), events
    assert (logs.ok, logs.vouched) == (True, 8), logs
