"""A document sent for review and published, with the parts of a workflow the engine must handle:
a protected state field, a permission read from the database (as a plain callable, whose refusal can
only be generic, and as a ``Permission`` that names the role it needs), conditions that say why they
are unmet (and one plain django-fsm condition that cannot), a step that needs a reason, and a step
from any other state ("+")."""

from __future__ import annotations

from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from workflows.conditions import Permission, condition
from workflows.types import AnyUser


class Folder(models.Model):
    """Joined in by the runner's queryset (select_related), so a test can see that only the
    document's own row is locked, never its folder's."""

    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class DocumentState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RoleKind(models.TextChoices):
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"


def may_edit(document: Document, user: AnyUser) -> bool:
    """Asked of the database each time, so a role removed meanwhile is seen."""
    return document.roles.filter(kind=RoleKind.EDITOR, username=user.get_username()).exists()


def _needs_an_editor(document: Document, doing: str) -> str:
    return f"You need an editor's role on {document} to {doing}."


# The same check, saying whose role a refused user lacks.
editor_only: Permission[Document] = Permission(may_edit, name="editor_only", refusal=_needs_an_editor)


@condition
def has_summary(document: Document) -> str | None:
    return None if document.summary.strip() else "Write a summary before sending it for review."


@condition
def has_reviewer(document: Document) -> str | None:
    return None if document.roles.filter(kind=RoleKind.REVIEWER).exists() else "Name a reviewer before publishing."


def not_embargoed(document: Document) -> bool:
    return not document.embargoed


class Document(FSMModelMixin, models.Model):
    title = models.CharField(max_length=100)
    folder = models.ForeignKey(Folder, on_delete=models.PROTECT, related_name="documents")
    summary = models.TextField(blank=True)
    embargoed = models.BooleanField(default=False)
    withdrawal_reason = models.TextField(blank=True)
    state = FSMField(default=DocumentState.DRAFT, choices=DocumentState.choices, protected=True)

    def __str__(self) -> str:
        return self.title

    @transition(
        field=state,
        source=DocumentState.DRAFT,
        target=DocumentState.IN_REVIEW,
        conditions=[has_summary],
        permission=may_edit,
        custom={"label": "Send for review"},
    )
    def send_for_review(self) -> None:
        pass

    @transition(
        field=state,
        source=DocumentState.IN_REVIEW,
        target=DocumentState.PUBLISHED,
        conditions=[has_reviewer, not_embargoed],
        permission=editor_only,
        custom={"doing": "publish the document"},
    )
    def publish(self) -> None:
        pass

    @transition(
        field=state,
        source="+",
        target=DocumentState.WITHDRAWN,
        permission=editor_only,
        custom={"label": "Withdraw", "needs_reason": True},
    )
    def withdraw(self, reason: str) -> None:
        # The runner hands a step that needs a reason its reason first; the step records it.
        self.withdrawal_reason = reason


class DocumentRole(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="roles")
    username = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=RoleKind.choices)

    def __str__(self) -> str:
        return f"{self.username}: {self.get_kind_display()} of {self.document}"
