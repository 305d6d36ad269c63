"""The engine's records in the admin: listed, shown read-only, never added, changed or deleted."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.workflows.fsm_app.services import document_step
from workflows.audit import audit_record
from workflows.models import AuditEvent, TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(document, editor):
    """A document with a transition and an audit event behind it."""
    document_step(actor=editor, document_id=document.pk, transition="send_for_review")
    audit_record(actor=editor, verb="document.viewed", target=document)
    return document


@pytest.mark.parametrize("model", ["transitionlog", "auditevent"])
def test_changelist_loads_for_the_admin(admin_client, history, model):
    response = admin_client.get(reverse(f"admin:workflows_{model}_changelist"))
    assert response.status_code == 200
    assert str(history) in response.content.decode()


@pytest.mark.parametrize("model", [TransitionLog, AuditEvent])
def test_rows_are_shown_read_only(admin_client, history, model):
    row = model.objects.filter(object_id=history.pk).first()
    name = model._meta.model_name
    response = admin_client.get(reverse(f"admin:workflows_{name}_change", args=[row.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert admin_client.get(reverse(f"admin:workflows_{name}_add")).status_code == 403
    assert (
        admin_client.post(reverse(f"admin:workflows_{name}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    )
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", [TransitionLog, AuditEvent])
def test_no_add_change_or_delete_permission_even_for_a_superuser(admin_user, rf, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
