"""Structured agency forms over the API: the forms asked of a contribution (each with its
definition, the answers so far and what is still missing), saving a draft, and submitting.

The same access helpers, service and identity check as the form page
(reviews/views/agencyforms.py): the forms are read by the review's coordinator and the agency's
lead, as on the contribution page; only the lead writes them (the coordinator gets 403, anyone
else 404). Submitting is the page's "save and submit" taken to its end: every required question
answered, then the contribution's own submit step, which freezes the answers (a later write is a
409, as the page refuses a contribution no longer editable).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import Scope
from api.pagination import Cursor
from api.problems import BLOCKED, Problem
from api.views import ApiListView, ApiView
from reviews.api.chronology import LOCKED, is_storable_text, sayable
from reviews.models.agencyforms import AgencyFormAnswers
from reviews.models.contributions import ContributionState
from reviews.permissions import LEAD_AGENCY, ContributionAccess, contribution_for
from reviews.services.access_log import access_record
from reviews.services.agencyforms import agency_form_save, agency_form_submit
from reviews.services.subjects import IdentityCheck
from workflows.runner import TransitionRefused
from workflows.types import User

# The questions whose answers are typed freely (the identity check reads them), as the page's.
FREE_TEXT = ("text", "textarea")


class FormSerializer(serializers.ModelSerializer[AgencyFormAnswers]):
    key = serializers.CharField(source="form.key")
    title = serializers.CharField(source="form.title")
    version = serializers.IntegerField(source="form.version")
    definition = serializers.JSONField(source="form.definition", help_text="Sections of typed questions.")
    answers = serializers.JSONField(help_text="Question name -> answer; an unanswered question is absent.")
    missing = serializers.SerializerMethodField(help_text="Required questions not answered yet, with why.")
    editable = serializers.SerializerMethodField(help_text="The user may change the answers now.")

    class Meta:
        model = AgencyFormAnswers
        fields = ["key", "title", "version", "definition", "answers", "missing", "editable", "updated_at"]

    def get_missing(self, answer_set: AgencyFormAnswers) -> dict[str, str]:
        return answer_set.missing()

    def get_editable(self, answer_set: AgencyFormAnswers) -> bool:
        return bool(self.context.get("editable"))


class AnswersSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(help_text="Question name -> answer, of the question's type.")
    save_anyway = serializers.BooleanField(
        required=False, default=False, help_text="Save even though an answer seems to name a subject."
    )


class SubmitSerializer(AnswersSerializer):
    expected_state = serializers.ChoiceField(
        choices=ContributionState.choices,
        required=False,
        help_text="The contribution's state you saw: refused (409) if it has moved on.",
    )


class FormCursor(Cursor):
    ordering = "id"


def _storable(value: Any) -> bool:
    """Whether PostgreSQL's JSON can hold ``value``: no NUL and no unpaired surrogate in any text
    (the form page's fields refuse a NUL the same way)."""
    if isinstance(value, str):
        return "\x00" not in value and is_storable_text(value)
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    return True


def _editable(access: ContributionAccess) -> bool:
    return access.is_lead and access.contribution.is_editable


class FormList(ApiListView):
    serializer_class = FormSerializer
    pagination_class = FormCursor

    def get_queryset(self) -> QuerySet[AgencyFormAnswers]:
        return AgencyFormAnswers.objects.none()  # read per contribution in get

    @extend_schema(operation_id="agency_forms_list", summary="The agency forms asked of the contribution")
    def get(self, request: Request, reference: str, contribution_id: int) -> Response:
        # As the contribution page shows them: to its coordinator and its agency's lead.
        access = contribution_for(request.user, reference, contribution_id)
        access_record(request._request, access.review, "contribution", agency=str(access.contribution.agency))
        page = self.paginate_queryset(access.contribution.form_answers.select_related("form"))
        data = FormSerializer(page, many=True, context={"editable": _editable(access)}).data
        return self.get_paginated_response(data)


class _FormWrite(ApiView):
    # The agency lead's answers (scope contribute), as the form page: LEAD_AGENCY.
    write_scope = Scope.CONTRIBUTE

    def _answer(
        self, request: Request, reference: str, contribution_id: int, form_key: str, *, submit: bool
    ) -> Response:
        access = contribution_for(request.user, reference, contribution_id, LEAD_AGENCY, "answer its agency form")
        contribution = access.contribution
        answer_set = contribution.form_answers.select_related("form").filter(form__key=form_key).first()
        if answer_set is None:
            raise Problem(404, "This form was not asked of the agency.")
        access_record(request._request, access.review, "agency_form", agency=str(contribution.agency), form=form_key)
        sent = (SubmitSerializer if submit else AnswersSerializer)(data=request.data)
        sent.is_valid(raise_exception=True)
        data = sent.validated_data
        if unstorable := [name for name, value in data["answers"].items() if not _storable({name: value})]:
            not_text = ["Holds characters that are not text (a NUL or an unpaired surrogate)."]
            raise serializers.ValidationError({"answers": {sayable(name[:100]): not_text for name in unstorable}})
        actor = request.user
        assert isinstance(actor, User)
        check = IdentityCheck(
            actor=actor,
            target=access.review,
            fields=[f["name"] for f in answer_set.form.fields() if f["type"] in FREE_TEXT],
            what=f"agency form ({answer_set.form.title})",
        )
        warnings = check.warnings(data["answers"])
        if warnings and not data["save_anyway"]:
            errors: dict[str, list[str]] = {}
            for field_name, message in warnings:
                errors.setdefault(field_name, []).append(message)
            raise serializers.ValidationError({"answers": errors})
        try:
            if submit:
                saved = agency_form_submit(
                    actor=actor,
                    contribution_id=contribution.pk,
                    form_key=form_key,
                    answers=data["answers"],
                    expected_state=data.get("expected_state"),
                )
            else:
                saved = agency_form_save(
                    actor=actor, contribution_id=contribution.pk, form_key=form_key, answers=data["answers"]
                )
        except TransitionRefused as refusal:
            now = contribution_for(actor, reference, contribution_id).contribution
            if not now.is_editable or (submit and data.get("expected_state") not in (None, now.state)):
                raise Problem(409, refusal.message, type=LOCKED, title="Contribution locked", state=now.state) from None
            raise Problem(
                409, refusal.message, type=BLOCKED, title="Step blocked", state=now.state, reasons=refusal.reasons
            ) from None
        if warnings:
            check.saved_anyway(warnings)
        saved.refresh_from_db()
        after = contribution_for(actor, reference, contribution_id)
        return Response(FormSerializer(saved, context={"editable": _editable(after)}).data)


class FormDraft(_FormWrite):
    @extend_schema(
        operation_id="agency_form_draft",
        summary="Save the answers as a draft (any number of times, while the contribution is editable)",
        request=AnswersSerializer,
        responses=FormSerializer,
    )
    def post(self, request: Request, reference: str, contribution_id: int, form_key: str) -> Response:
        return self._answer(request, reference, contribution_id, form_key, submit=False)

    @extend_schema(
        operation_id="agency_form_draft_put",
        summary="Save the answers as a draft (as POST)",
        request=AnswersSerializer,
        responses=FormSerializer,
    )
    def put(self, request: Request, reference: str, contribution_id: int, form_key: str) -> Response:
        return self._answer(request, reference, contribution_id, form_key, submit=False)


class FormSubmit(_FormWrite):
    @extend_schema(
        operation_id="agency_form_submit",
        summary="Save every answer and submit the contribution, which freezes them",
        request=SubmitSerializer,
        responses=FormSerializer,
    )
    def post(self, request: Request, reference: str, contribution_id: int, form_key: str) -> Response:
        return self._answer(request, reference, contribution_id, form_key, submit=True)
