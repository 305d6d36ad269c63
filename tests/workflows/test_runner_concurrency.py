"""Two people acting on the same document at the same moment, each on their own connection.

The runner locks the document's row (SELECT ... FOR UPDATE OF): the second request waits for the
first to commit, then sees the new state and is refused with a message, so exactly one step
happens; and it reads the permission and the conditions only once it holds the lock, so what the
first transaction changed is what the second one is judged on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tests.concurrency import race
from tests.workflows.fsm_app.models import Document, DocumentRole, DocumentState, Folder, RoleKind
from tests.workflows.fsm_app.services import document_step
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLD_SECONDS = 1.0


def step_and_hold(actor: Any, document: Document, transition: str, **options: Any) -> Callable[[], str]:
    """Take the step, then keep its transaction (and so the row lock) open a while before committing,
    so a request arriving meanwhile really waits on the lock."""

    def step() -> str:
        with transaction.atomic():
            stepped = document_step(actor=actor, document_id=document.pk, transition=transition, **options)
            time.sleep(HOLD_SECONDS)
        return stepped.state

    return step


def state_of(document: Document) -> str:
    return Document.objects.get(pk=document.pk).state


@pytest.mark.parametrize("with_expected_state", [False, True], ids=["plain", "from-the-page-they-saw"])
def test_two_editors_step_the_same_document_at_once(document, editor, second_editor, with_expected_state):
    expected = {"expected_state": DocumentState.DRAFT} if with_expected_state else {}

    results = race(
        ("first", step_and_hold(editor, document, "send_for_review", **expected)),
        ("second", step_and_hold(second_editor, document, "send_for_review", **expected)),
    )

    outcomes = sorted(result[0] for result in results.values())
    assert outcomes == ["error", "ok"], results
    loser = next(result for result in results.values() if result[0] == "error")
    error = loser[1]
    assert isinstance(error, TransitionRefused), error
    if with_expected_state:
        assert str(error) == (
            "Annual report 2026 has already moved to In review since you loaded the page; nothing was changed. "
            "Reload to see its current stage."
        )
    else:
        assert str(error) == "Annual report 2026 is at In review: this step is not possible from there."
    assert loser[2] >= HOLD_SECONDS * 0.5, "the second request did not wait for the first one's lock"

    assert state_of(document) == DocumentState.IN_REVIEW
    logs = TransitionLog.objects.filter(object_id=document.pk)
    assert logs.count() == 1
    winner = next(name for name, result in results.items() if result[0] == "ok")
    assert logs.get().actor == {"first": editor, "second": second_editor}[winner]


def test_a_withdrawal_racing_a_step_forward_only_one_happens_first(document, editor, second_editor):
    results = race(
        ("send", step_and_hold(editor, document, "send_for_review")),
        ("withdraw", step_and_hold(second_editor, document, "withdraw", reason="Superseded")),
    )

    # Withdrawal is allowed from review too, so if sending wins, the withdrawal may follow it; the
    # reverse order must refuse sending. Either way the log tells exactly what happened, in order.
    steps = list(
        TransitionLog.objects.filter(object_id=document.pk).values_list("transition", "from_state", "to_state")
    )
    if results["withdraw"][0] == "ok" and results["send"][0] == "ok":
        assert steps == [("send_for_review", "draft", "in_review"), ("withdraw", "in_review", "withdrawn")]
    else:
        assert results["send"][0] == "error", results
        assert isinstance(results["send"][1], TransitionRefused)
        assert str(results["send"][1]) == "Annual report 2026 is at Withdrawn: this step is not possible from there."
        assert steps == [("withdraw", "draft", "withdrawn")]
    assert state_of(document) == DocumentState.WITHDRAWN


def test_a_step_does_not_lock_the_documents_folder(document, editor):
    """Only the document's own row is locked (FOR UPDATE OF), not its folder's, which the service's
    select_related joins in. (A step on another document does wait for this one to commit now, on
    the transition log's chain head: docs/SECURITY.md, "Audit chain". So the folder's row is tried
    directly, without waiting, while the step's transaction is held open.)"""

    def lock_the_folder_a_moment_later() -> str:
        time.sleep(HOLD_SECONDS * 0.3)  # the step is under way and holding its locks
        with transaction.atomic():
            Folder.objects.select_for_update(nowait=True).get(pk=document.folder_id)
        return "free"

    results = race(
        ("step", step_and_hold(editor, document, "send_for_review")),
        ("folder", lock_the_folder_a_moment_later),
    )

    assert results["step"][:2] == ("ok", DocumentState.IN_REVIEW), results
    assert results["folder"][:2] == ("ok", "free"), results


def _remove_role_and_hold(document: Document, role: DocumentRole) -> Callable[[], None]:
    """Remove a role under the document's row lock, and keep the lock a while before committing."""

    def remove() -> None:
        with transaction.atomic():
            Document.objects.select_for_update().get(pk=document.pk)
            DocumentRole.objects.filter(pk=role.pk).delete()
            time.sleep(HOLD_SECONDS)

    return remove


def _step_a_moment_later(actor: Any, document: Document, transition: str) -> Callable[[], str]:
    def later() -> str:
        time.sleep(HOLD_SECONDS * 0.3)  # the removal takes the lock first
        return document_step(actor=actor, document_id=document.pk, transition=transition).state

    return later


def test_a_step_waiting_behind_the_removal_of_its_role_is_refused(document, editor, second_editor):
    """The permission is read after the lock is held: a step that waited for a removal sees it.
    (Read in the locking SELECT itself, it would come from before the wait and let the step through.)"""
    role = DocumentRole.objects.get(document=document, username=second_editor.get_username())

    results = race(
        ("remove", _remove_role_and_hold(document, role)),
        ("step", _step_a_moment_later(second_editor, document, "send_for_review")),
    )

    assert results["remove"][0] == "ok", results
    assert results["step"][0] == "error", results
    assert isinstance(results["step"][1], PermissionDenied), results
    assert results["step"][2] >= HOLD_SECONDS * 0.5, "the step did not wait for the removal's lock"
    assert state_of(document) == DocumentState.DRAFT
    assert not TransitionLog.objects.filter(object_id=document.pk).exists()


def test_a_step_waiting_behind_the_removal_of_the_reviewer_is_refused_for_want_of_one(make_document, editor, reviewer):
    """The conditions too are read after the lock: the reviewer removed meanwhile is missed."""
    document = make_document(
        "Annual report 2026", editors=[editor], reviewers=[reviewer], state=DocumentState.IN_REVIEW
    )
    role = DocumentRole.objects.get(document=document, kind=RoleKind.REVIEWER)

    results = race(
        ("remove", _remove_role_and_hold(document, role)),
        ("step", _step_a_moment_later(editor, document, "publish")),
    )

    assert results["remove"][0] == "ok", results
    assert results["step"][0] == "error", results
    refused = results["step"][1]
    assert isinstance(refused, TransitionRefused), refused
    assert refused.reasons == ["Name a reviewer before publishing."]
    assert results["step"][2] >= HOLD_SECONDS * 0.5, "the step did not wait for the removal's lock"
    assert state_of(document) == DocumentState.IN_REVIEW
