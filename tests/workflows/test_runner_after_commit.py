"""Side effects of a step (the ``transitioned`` signal) happen only once the step has committed."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.workflows.fsm_app.models import Document, DocumentState
from tests.workflows.fsm_app.services import document_step
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused

pytestmark = pytest.mark.django_db


def test_the_signal_waits_for_the_commit(document, editor, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document_step(actor=editor, document_id=document.pk, transition="send_for_review")
        assert received == []  # the step is written but not yet committed: nothing has been told

    assert len(callbacks) == 1
    assert len(received) == 1
    assert received[0]["sender"] is Document
    assert received[0]["state"] == DocumentState.IN_REVIEW
    assert received[0]["log"] == TransitionLog.objects.get(object_id=document.pk)


def test_no_signal_when_the_surrounding_transaction_rolls_back(
    document, editor, received, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        document_step(actor=editor, document_id=document.pk, transition="send_for_review")
        raise RuntimeError("the caller failed after the step")

    assert callbacks == []
    assert received == []
    assert Document.objects.get(pk=document.pk).state == DocumentState.DRAFT
    assert not TransitionLog.objects.filter(object_id=document.pk).exists()


def test_no_signal_for_a_refused_step(document, editor, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(TransitionRefused):
        document_step(actor=editor, document_id=document.pk, transition="publish")
    assert callbacks == []
    assert received == []


def test_each_step_signals_once_after_its_own_commit(document, editor, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document_step(actor=editor, document_id=document.pk, transition="send_for_review")
        document_step(actor=editor, document_id=document.pk, transition="publish")
        assert received == []

    assert len(callbacks) == 2
    assert [(call["state"], call["log"].transition) for call in received] == [
        (DocumentState.IN_REVIEW, "send_for_review"),
        (DocumentState.PUBLISHED, "publish"),
    ]
