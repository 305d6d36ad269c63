"""The runner on a model of its own: a step allowed, refused from the wrong state, on a stale page,
for want of the permission, of a reason or of its conditions (each saying why); and the steps it
offers a user, allowed or with the reasons why not."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from tests.workflows.fsm_app.models import Document, DocumentRole, DocumentState, RoleKind
from tests.workflows.fsm_app.services import document_step
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused, run_transition, transition_options

pytestmark = pytest.mark.django_db


def state_of(document: Document) -> str:
    return Document.objects.get(pk=document.pk).state


def by_name(document: Document, user) -> dict:
    return {option.name: option for option in transition_options(document, user)}


# --- taking a step ---------------------------------------------------------------------------------


def test_a_step_changes_the_state_saves_it_and_logs_who_took_it(document, editor):
    stepped = document_step(actor=editor, document_id=document.pk, transition="send_for_review", reason="  Ready ")

    assert stepped.state == DocumentState.IN_REVIEW
    assert state_of(document) == DocumentState.IN_REVIEW
    log = TransitionLog.objects.get()
    assert (log.content_type, log.object_id, log.object_label) == (
        ContentType.objects.get_for_model(Document),
        document.pk,
        "Annual report 2026",
    )
    assert (log.transition, log.from_state, log.to_state) == ("send_for_review", "draft", "in_review")
    assert log.actor == editor
    assert log.reason == "Ready"  # stripped


def test_the_step_saves_the_state_and_nothing_else(document, editor):
    """The runner saves with update_fields: a change made elsewhere to another column survives."""
    Document.objects.filter(pk=document.pk).update(title="Annual report 2026 (final)")
    document_step(actor=editor, document_id=document.pk, transition="send_for_review")
    fresh = Document.objects.get(pk=document.pk)
    assert (fresh.title, fresh.state) == ("Annual report 2026 (final)", DocumentState.IN_REVIEW)


def test_the_state_cannot_be_set_by_assignment(document):
    with pytest.raises(AttributeError):
        document.state = DocumentState.PUBLISHED


def test_a_step_from_the_wrong_state_is_refused_with_the_state_in_words(document, editor):
    with pytest.raises(TransitionRefused) as refused:
        document_step(actor=editor, document_id=document.pk, transition="publish")
    assert str(refused.value) == "Annual report 2026 is at Draft: this step is not possible from there."
    assert refused.value.reasons == []
    assert state_of(document) == DocumentState.DRAFT
    assert not TransitionLog.objects.exists()


def test_a_stale_page_is_refused_and_nothing_changes(document, editor):
    with pytest.raises(TransitionRefused) as refused:
        document_step(
            actor=editor,
            document_id=document.pk,
            transition="send_for_review",
            expected_state=DocumentState.IN_REVIEW,
        )
    assert str(refused.value) == (
        "Annual report 2026 has already moved to Draft since you loaded the page; nothing was changed. "
        "Reload to see its current stage."
    )
    assert state_of(document) == DocumentState.DRAFT
    assert not TransitionLog.objects.exists()


def test_the_page_the_user_saw_is_still_current_so_the_step_goes_ahead(document, editor):
    document_step(
        actor=editor, document_id=document.pk, transition="send_for_review", expected_state=DocumentState.DRAFT
    )
    assert state_of(document) == DocumentState.IN_REVIEW


@pytest.mark.parametrize("who", ["reviewer", "stranger"])
def test_a_user_without_the_permission_is_refused(document, request, who):
    """A plain callable permission cannot say whose role is needed: the refusal is generic."""
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied) as refused:
        document_step(actor=user, document_id=document.pk, transition="send_for_review")
    assert str(refused.value) == "You do not have the role needed to do this on Annual report 2026."
    assert state_of(document) == DocumentState.DRAFT
    assert not TransitionLog.objects.exists()


@pytest.mark.parametrize(
    ("transition", "state", "message"),
    [
        # The step's words: its label, lower-cased ("Withdraw") ...
        ("withdraw", DocumentState.DRAFT, "You need an editor's role on Draft notes to withdraw."),
        # ... or the transition's custom "doing" where it has one.
        ("publish", DocumentState.IN_REVIEW, "You need an editor's role on Draft notes to publish the document."),
    ],
)
def test_a_permission_that_can_say_whose_role_is_needed_says_so(
    make_document, editor, reviewer, transition, state, message
):
    document = make_document("Draft notes", editors=[editor], reviewers=[reviewer], state=state)
    with pytest.raises(PermissionDenied) as refused:
        document_step(actor=reviewer, document_id=document.pk, transition=transition, reason="Superseded")
    assert str(refused.value) == message
    assert state_of(document) == state
    assert not TransitionLog.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_step_that_needs_a_reason_is_refused_without_one(document, editor, reason):
    with pytest.raises(TransitionRefused) as refused:
        document_step(actor=editor, document_id=document.pk, transition="withdraw", reason=reason)
    assert str(refused.value) == "A reason is required for this step."
    assert refused.value.reasons == ["Give a reason."]
    assert state_of(document) == DocumentState.DRAFT


def test_a_step_that_needs_a_reason_goes_ahead_with_one(document, editor):
    document_step(actor=editor, document_id=document.pk, transition="withdraw", reason="  Superseded ")
    assert state_of(document) == DocumentState.WITHDRAWN
    assert TransitionLog.objects.get().reason == "Superseded"
    # The transition method was given the reason, stripped, and the runner saved the field it set.
    assert Document.objects.get(pk=document.pk).withdrawal_reason == "Superseded"


def test_unmet_conditions_refuse_the_step_with_each_reason(make_document, editor):
    document = make_document("Draft notes", editors=[editor], state=DocumentState.IN_REVIEW, embargoed=True)
    with pytest.raises(TransitionRefused) as refused:
        document_step(actor=editor, document_id=document.pk, transition="publish")
    assert str(refused.value) == "Draft notes cannot move on yet."
    # A condition made with @condition says why; a plain django-fsm condition can only be named.
    assert refused.value.reasons == ["Name a reviewer before publishing.", "Condition not_embargoed is not met."]
    assert state_of(document) == DocumentState.IN_REVIEW
    assert not TransitionLog.objects.exists()


def test_the_conditions_are_read_when_the_step_is_taken(make_document, editor, reviewer):
    document = make_document("Draft notes", editors=[editor], state=DocumentState.IN_REVIEW)
    with pytest.raises(TransitionRefused):
        document_step(actor=editor, document_id=document.pk, transition="publish")
    DocumentRole.objects.create(document=document, username=reviewer.get_username(), kind=RoleKind.REVIEWER)
    document_step(actor=editor, document_id=document.pk, transition="publish")
    assert state_of(document) == DocumentState.PUBLISHED


def test_a_name_that_is_not_a_transition_is_a_programming_error(document, editor):
    with pytest.raises(ValueError, match="Document.delete is not a transition"):
        run_transition(queryset=Document.objects.all(), pk=document.pk, name="delete", actor=editor)


# --- the steps offered ---------------------------------------------------------------------------------


def test_an_editor_sees_the_next_step_blocked_with_its_reasons(make_document, editor):
    document = make_document("Draft notes", editors=[editor])
    options = by_name(document, editor)

    assert set(options) == {"send_for_review", "withdraw"}
    send = options["send_for_review"]
    assert send.permitted
    assert not send.allowed
    assert send.label == "Send for review"
    assert send.target == DocumentState.IN_REVIEW
    assert send.reasons == ["Write a summary before sending it for review."]
    assert not send.needs_reason
    withdraw = options["withdraw"]
    assert withdraw.allowed
    assert withdraw.needs_reason
    assert withdraw.custom == {"label": "Withdraw", "needs_reason": True}


def test_a_user_without_the_permission_sees_the_steps_but_may_not_take_them(document, reviewer):
    options = by_name(document, reviewer)
    assert options["send_for_review"].reasons == []
    assert not options["send_for_review"].permitted
    assert not options["send_for_review"].allowed


def test_the_options_follow_the_state(make_document, editor):
    document = make_document("Draft notes", editors=[editor], state=DocumentState.IN_REVIEW, embargoed=True)
    options = by_name(document, editor)
    assert set(options) == {"publish", "withdraw"}
    assert options["publish"].label == "Publish"  # no label given: the name, in words
    assert options["publish"].reasons == ["Name a reviewer before publishing.", "Condition not_embargoed is not met."]


def test_a_step_from_any_other_state_is_offered_everywhere_but_its_own_target(make_document, editor):
    published = make_document("Published", editors=[editor], state=DocumentState.PUBLISHED)
    withdrawn = make_document("Withdrawn", editors=[editor], state=DocumentState.WITHDRAWN)
    assert set(by_name(published, editor)) == {"withdraw"}
    assert transition_options(withdrawn, editor) == []
