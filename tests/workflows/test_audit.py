"""The transition log and the audit trail are append-only in PostgreSQL itself (migration 0002)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from tests.workflows.fsm_app.services import document_step
from workflows.audit import audit_record
from workflows.chain import verify_chain
from workflows.models import AuditEvent, TransitionLog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def log(document, editor):
    document_step(actor=editor, document_id=document.pk, transition="send_for_review", reason="Ready")
    return TransitionLog.objects.get(object_id=document.pk)


@pytest.fixture
def event(document, editor):
    return audit_record(actor=editor, verb="document.viewed", target=document, note="original")


def row(model, pk):
    return model.objects.filter(pk=pk).values().get()


@pytest.fixture(params=["log", "event"])
def target(request):
    """(model, its table, one committed row, a column to tamper with, a value to tamper with it)."""
    if request.param == "log":
        obj = request.getfixturevalue("log")
        return TransitionLog, "workflows_transitionlog", obj, "reason", "Nothing to see"
    obj = request.getfixturevalue("event")
    return AuditEvent, "workflows_auditevent", obj, "verb", "document.never_happened"


def test_an_orm_update_is_refused(target):
    model, table, obj, column, value = target
    before = row(model, obj.pk)
    with pytest.raises(DatabaseError, match=f"{table} is append-only: UPDATE refused"):
        model.objects.filter(pk=obj.pk).update(**{column: value})
    assert row(model, obj.pk) == before


def test_saving_a_changed_instance_is_refused(target):
    model, table, obj, column, value = target
    before = row(model, obj.pk)
    setattr(obj, column, value)
    with pytest.raises(DatabaseError, match=f"{table} is append-only: UPDATE refused"):
        obj.save()
    assert row(model, obj.pk) == before


def test_an_orm_delete_is_refused(target):
    model, table, obj, _, _ = target
    before = row(model, obj.pk)
    with pytest.raises(DatabaseError, match=f"{table} is append-only: DELETE refused"):
        obj.delete()
    with pytest.raises(DatabaseError, match=f"{table} is append-only: DELETE refused"):
        model.objects.all().delete()
    assert row(model, obj.pk) == before


def test_raw_sql_update_and_delete_are_refused(target):
    model, table, obj, column, value = target
    before, rows = row(model, obj.pk), model.objects.count()
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="UPDATE refused"):
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, obj.pk])
        with pytest.raises(DatabaseError, match="DELETE refused"):
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [obj.pk])
        with pytest.raises(DatabaseError, match="UPDATE refused"):
            cursor.execute(f"UPDATE {table} SET at = at - interval '1 day'")
    assert row(model, obj.pk) == before
    assert model.objects.count() == rows


def test_inserting_still_works(document, editor, log, event):
    document_step(actor=editor, document_id=document.pk, transition="publish")
    audit_record(actor=editor, verb="document.viewed", target=document)
    assert verify_chain(AuditEvent).ok
    with connection.cursor() as cursor:
        # The timestamp is the database's default; a row written outside chain_append has no valid
        # MAC, so the chain shows it (tests/workflows/test_chain.py).
        cursor.execute(
            "INSERT INTO workflows_auditevent (verb, object_label, actor_id, detail, mac)"
            " VALUES (%s, '', %s, '{}', '')",
            ["raw.insert", editor.pk],
        )
    raw = AuditEvent.objects.get(verb="raw.insert")
    assert raw.at is not None
    assert verify_chain(AuditEvent).broken_id == raw.pk
    assert TransitionLog.objects.count() == 2
    verbs = ["document.viewed", "raw.insert"]
    assert list(AuditEvent.objects.filter(verb__in=verbs).values_list("verb", flat=True)) == [
        "document.viewed",
        "document.viewed",
        "raw.insert",
    ]
