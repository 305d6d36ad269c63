"""The one writer of the test model's state, shaped like a product service: keyword-only, and
nothing but the runner between the caller and the row."""

from __future__ import annotations

from tests.workflows.fsm_app.models import Document
from workflows.runner import run_transition
from workflows.types import User


def document_step(
    *, actor: User, document_id: int, transition: str, reason: str = "", expected_state: str | None = None
) -> Document:
    # The folder is joined in, as a review's partnership is, so the tests can see it is not locked.
    return run_transition(
        queryset=Document.objects.select_related("folder"),
        pk=document_id,
        name=transition,
        actor=actor,
        reason=reason,
        expected_state=expected_state,
    )
