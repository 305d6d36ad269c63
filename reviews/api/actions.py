"""Actions over the API: the actions the user may open, one action (its progress, evidence files and
the steps the user may take), a progress update, an evidence file, and a step. Each action goes
through ``action_for`` as the action's page does (404 to anyone who neither coordinates the review
nor leads the owning agency on it, the other agency's lead included); the writes call the page's
forms (reviews/forms/actions.py) and services (reviews/services/actions.py), with the same upload
checks (content type by content, size limit) for evidence."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import Scope
from api.problems import BLOCKED, Problem
from api.views import ApiListView, ApiView
from reviews.api.forms import FormSerializer, form_serializer, identity_warnings, service_errors
from reviews.api.review import StepSerializer
from reviews.api.steps import step_refused
from reviews.forms.actions import ActionStepForm, EvidenceFileForm, ProgressForm
from reviews.models.actions import ACTIVE_ACTION_STATES, Action, ActionState, ActionUpdate
from reviews.permissions import ActionAccess, action_for
from reviews.selectors.actions import action_rows, action_updates, actions_for_user, iter_action_rows
from reviews.services.actions import STEPS, action_add_update, action_advance, action_evidence_attach
from reviews.services.subjects import IdentityCheck
from workflows.runner import TransitionRefused, transition_options
from workflows.types import User

# The steps the owning agency takes; the others (verify, return, close) are the coordinator's.
OWNER_STEPS = ("start", "complete")


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # TokenScope let only a token's user through
    return user


def _person(user: Any) -> str:
    # As the page names who did it: the full name, else the username (staff, never a subject).
    return (user.get_full_name() or user.get_username()) if user is not None else ""


class ActionSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="action.pk")
    code = serializers.CharField(source="action.code", help_text="R<recommendation>.<action>, as the pages show it.")
    reference = serializers.CharField(source="action.review.reference", help_text="The review's reference.")
    description = serializers.CharField(source="action.description")
    owner_agency = serializers.CharField(source="action.owner_agency.name")
    owner_role = serializers.CharField(source="action.owner_role")
    due_date = serializers.DateField(source="action.due_date")
    state = serializers.ChoiceField(source="action.state", choices=ActionState.choices)
    state_label = serializers.CharField(source="action.get_state_display")
    rag = serializers.CharField(help_text="red, amber or green; empty for an action closed as not implemented.")
    overdue = serializers.BooleanField()


class ProgressUpdateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    progress_on = serializers.DateField()
    note = serializers.CharField()
    by = serializers.SerializerMethodField()

    def get_by(self, update: ActionUpdate) -> str:
        return _person(update.author)


class EvidenceFileSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    uploaded_at = serializers.DateTimeField()


class ActionDetailSerializer(ActionSummarySerializer):
    recommendation = serializers.CharField(help_text="R<number>: what the recommendation says.")
    success_measure = serializers.CharField()
    evidence = serializers.CharField(help_text="The evidence of completion (empty until completed).")
    completed = serializers.CharField(help_text="Who completed it and when, as the page says; empty if not.")
    verified = serializers.CharField(help_text="Who verified it and when; empty if not.")
    return_reason = serializers.CharField(help_text="Why it was returned to the owner (while in progress).")
    not_implemented_reason = serializers.CharField()
    may_update = serializers.BooleanField(help_text="Whether progress and evidence may still be added.")
    updates = ProgressUpdateSerializer(many=True, help_text="Progress updates, oldest first.")
    evidence_files = EvidenceFileSerializer(many=True)
    steps = StepSerializer(many=True, help_text="The steps the user may take now.")
    blocked_steps = StepSerializer(many=True, help_text="Steps the user may take, blocked now, with why.")


def _done_by(user: Any, moment: Any) -> str:
    if user is None or moment is None:
        return ""
    return f"{_person(user)}, {timezone.localtime(moment):%-d %b %Y}"


def _detail(access: ActionAccess, user: User) -> dict[str, Any]:
    """What the action's page shows (reviews/templates/reviews/actions/detail.html)."""
    action = access.action
    row = action_rows([action])[0]
    # The steps the page offers: the action's steps this user's role permits, blocked ones with why.
    offered = [o for o in transition_options(action, user) if o.name in STEPS and o.permitted]
    return {
        **ActionSummarySerializer(row).data,
        "recommendation": f"R{action.recommendation.number}: {action.recommendation.what}",
        "success_measure": action.success_measure,
        "evidence": action.evidence,
        "completed": _done_by(action.completed_by, action.completed_at),
        "verified": _done_by(action.verified_by, action.verified_at),
        "return_reason": action.return_reason if action.state == ActionState.IN_PROGRESS else "",
        "not_implemented_reason": action.not_implemented_reason,
        "may_update": action.state in ACTIVE_ACTION_STATES,
        "updates": ProgressUpdateSerializer(action_updates(action), many=True).data,
        "evidence_files": EvidenceFileSerializer(action.evidence_files.all(), many=True).data,
        "steps": [StepSerializer(o).data for o in offered if not o.reasons],
        "blocked_steps": [StepSerializer(o).data for o in offered if o.reasons],
    }


class ActionList(ApiListView):
    serializer_class = ActionSummarySerializer

    def get_queryset(self) -> QuerySet[Action]:
        actions = actions_for_user(self.request.user)
        if state := self.request.query_params.get("state"):
            if state not in ActionState.values:
                raise serializers.ValidationError(
                    {"state": [f"Unknown state {state!r}: one of {', '.join(ActionState.values)}."]}
                )
            actions = actions.filter(state=state)
        if reference := self.request.query_params.get("review"):
            actions = actions.filter(review__reference=reference)
        return actions

    @extend_schema(
        operation_id="actions_list",
        responses=ActionSummarySerializer(many=True),
        summary="The actions the user may open: their agency's (an agency lead), their reviews' (a coordinator)",
        parameters=[
            OpenApiParameter("state", enum=ActionState.values, required=False),
            OpenApiParameter("review", str, required=False, description="Only this review's (its reference)."),
        ],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        # RAG and overdue as the tracker works them out: the page's rows, one partnership's
        # working days worked out once (the closure days come prefetched).
        rows = list(iter_action_rows(page or []))
        return self.get_paginated_response(ActionSummarySerializer(rows, many=True).data)


class ActionDetail(ApiView):
    @extend_schema(
        summary="One action: its progress, evidence files and the steps the user may take",
        responses=ActionDetailSerializer,
    )
    def get(self, request: Request, reference: str, action_id: int) -> Response:
        access = action_for(request.user, reference, action_id)
        return Response(_detail(access, _user(request)))


ProgressSerializer = form_serializer(ProgressForm, "ActionProgress", save_anyway=True)


class ActionProgress(ApiView):
    # Progress is the owning agency's to record (the coordinator may too, with the same scope).
    write_scope = Scope.CONTRIBUTE

    @extend_schema(
        summary="Add a progress update (the first one starts the action)",
        request=ProgressSerializer,
        responses={201: ActionDetailSerializer},
    )
    def post(self, request: Request, reference: str, action_id: int) -> Response:
        access = action_for(request.user, reference, action_id)  # the 404 first, as the page
        user = _user(request)
        sent = ProgressSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        data = sent.validated_data
        check = IdentityCheck(actor=user, target=access.review, fields=("note",), what="action progress")
        warnings = identity_warnings(check, sent.form)
        try:
            action_add_update(
                actor=user, action_id=access.action.pk, progress_on=data["progress_on"], note=data["note"]
            )
        except ValidationError as error:
            raise service_errors(sent.form, error) from None
        except TransitionRefused as refusal:
            raise Problem(409, refusal.message, type=BLOCKED, title="Progress not taken") from None
        if warnings:
            check.saved_anyway(warnings)
        now = action_for(user, reference, action_id)
        return Response(_detail(now, user), status=201)


class EvidenceUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="PDF, Word, Excel, PNG, JPEG, text or CSV; checked by its content, not its name."
    )


class ActionEvidence(ApiView):
    # Evidence is the owning agency's (the service refuses the coordinator, as on the page).
    write_scope = Scope.CONTRIBUTE
    # multipart/form-data with the file in "file"; a JSON body is read too, to be told the file is missing.
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        summary="Attach an evidence file (multipart/form-data, the file in 'file')",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceFileSerializer},
    )
    def post(self, request: Request, reference: str, action_id: int) -> Response:
        access = action_for(request.user, reference, action_id)  # the 404 first, as the page
        # The page's form and the service's checks: type by content, size limit, not empty.
        form = EvidenceFileForm(data={}, files=request.FILES)
        if not form.is_valid():
            raise serializers.ValidationError({"file": [str(m) for m in form.errors["file"]]})
        try:
            attached = action_evidence_attach(
                actor=_user(request), action_id=access.action.pk, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            raise serializers.ValidationError({"file": error.message_dict.get("file", error.messages)}) from None
        except TransitionRefused as refusal:
            raise Problem(409, refusal.message, type=BLOCKED, title="Evidence not taken") from None
        return Response(EvidenceFileSerializer(attached).data, status=201)


class ActionStepRequest(FormSerializer):
    """The page's step form (ActionStepForm), told which step it is for (the context's ``step``)."""

    def make_form(self, data: dict[str, str]) -> ActionStepForm:
        return ActionStepForm(data, step=self.context["step"])


StepRequestSerializer = form_serializer(ActionStepForm, "ActionStepSent", base=ActionStepRequest, save_anyway=True)


class ActionStep(ApiView):
    @property
    def write_scope(self) -> str:
        # Starting and completing are the owning agency's writes; verifying, returning and
        # closing the coordinator's.
        return Scope.CONTRIBUTE if self.kwargs.get("name") in OWNER_STEPS else Scope.COORDINATE

    @extend_schema(
        summary="Take a step of the action: start, complete (with evidence), verify, return_to_owner, "
        "close_not_implemented (with a reason)",
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(STEPS))],
        request=StepRequestSerializer,
        responses=ActionDetailSerializer,
    )
    def post(self, request: Request, reference: str, action_id: int, name: str) -> Response:
        # The 404 first, so nobody learns anything about another agency's action from the step.
        access = action_for(request.user, reference, action_id)
        if name not in STEPS:
            raise Http404("No such step.")
        user = _user(request)
        sent = StepRequestSerializer(data=request.data, context={"step": name})
        sent.is_valid(raise_exception=True)
        data = sent.validated_data
        check = IdentityCheck(actor=user, target=access.review, fields=("evidence", "reason"), what="action step")
        warnings = identity_warnings(check, sent.form)
        try:
            action_advance(
                actor=user,
                action_id=access.action.pk,
                transition=name,
                reason=data["reason"],
                evidence=data["evidence"],
                expected_state=data["expected_state"],
            )
        except ValidationError as error:
            raise service_errors(sent.form, error) from None
        except TransitionRefused as refusal:
            now = action_for(user, reference, action_id).action
            moved_on = "The action has moved on"
            raise step_refused(
                refusal, now, user, step=name, expected_state=data["expected_state"], moved_on=moved_on
            ) from None
        if warnings:
            check.saved_anyway(warnings)
        return Response(_detail(action_for(user, reference, action_id), user))
