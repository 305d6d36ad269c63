"""The engine's tests run on a model of their own (tests/workflows/fsm_app): no fixture here, and
no module of this folder, imports reviews or notifications (tests/workflows/test_imports.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from tests.workflows.fsm_app.models import Document, DocumentRole, Folder, RoleKind
from workflows.types import User


@pytest.fixture
def editor(django_user_model) -> User:
    return django_user_model.objects.create_user(username="editor")


@pytest.fixture
def second_editor(django_user_model) -> User:
    return django_user_model.objects.create_user(username="editor2")


@pytest.fixture
def reviewer(django_user_model) -> User:
    return django_user_model.objects.create_user(username="reviewer")


@pytest.fixture
def stranger(django_user_model) -> User:
    """Signed in, but with no role on any document."""
    return django_user_model.objects.create_user(username="stranger")


@pytest.fixture
def folder(db) -> Folder:
    return Folder.objects.create(name="Annual reports")


@pytest.fixture
def make_document(folder) -> Callable[..., Document]:
    """``make_document(title, editors=[...], reviewers=[...], **fields)``; ``state=`` puts it at any stage."""

    def make(title: str, *, editors: Iterable[User] = (), reviewers: Iterable[User] = (), **fields: Any) -> Document:
        document = Document.objects.create(title=title, folder=folder, **fields)
        for kind, users in ((RoleKind.EDITOR, editors), (RoleKind.REVIEWER, reviewers)):
            for user in users:
                DocumentRole.objects.create(document=document, username=user.get_username(), kind=kind)
        return document

    return make


@pytest.fixture
def document(make_document, editor, second_editor, reviewer) -> Document:
    """A draft with its summary written, two editors and a reviewer: every step's conditions met."""
    return make_document(
        "Annual report 2026",
        summary="What the partnership learnt this year.",
        editors=[editor, second_editor],
        reviewers=[reviewer],
    )
