"""Agency contributions over the API: the requests the user may open, across their reviews, with
their state and due date, and one contribution with the steps the user may take on it.

The same access helpers and selectors as the contribution pages (reviews/views/contributions.py):
a contribution exists only for the review's coordinator and that agency's lead
(``contribution_for``; the list is ``contributions_for_user``, the same rule across reviews), 404
to everyone else, the other agency's lead included.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.views import ApiListView, ApiView
from reviews.api.review import StepSerializer
from reviews.models.contributions import AgencyContribution, ContributionState
from reviews.permissions import contribution_for, contributions_for_user
from reviews.selectors.contributions import CONTRIBUTION_STEPS, contribution_prefetches, due_text
from reviews.services.access_log import access_record
from workflows.runner import transition_options


class ContributionSerializer(serializers.Serializer[AgencyContribution]):
    id = serializers.IntegerField()
    reference = serializers.CharField(source="review.reference", help_text="The review's reference.")
    agency = serializers.CharField(source="agency.name")
    state = serializers.ChoiceField(choices=ContributionState.choices)
    state_label = serializers.CharField(source="get_state_display")
    due_date = serializers.DateField()
    due_text = serializers.SerializerMethodField(help_text="'3 working days left', 'Due today', '2 days overdue'.")
    overdue = serializers.SerializerMethodField()
    asks = serializers.ListField(child=serializers.CharField(), help_text="What is asked: chronology, agency_report.")
    forms = serializers.SerializerMethodField(help_text="The keys of the agency forms asked.")
    editable = serializers.BooleanField(source="is_editable", help_text="The agency may still change it.")
    extension_requested_to = serializers.SerializerMethodField(
        help_text="The due date an open extension request asks for (null if none is open)."
    )
    requested_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    times_submitted = serializers.IntegerField()

    def _today(self) -> date:
        return self.context.get("today") or timezone.localdate()

    def get_due_text(self, contribution: AgencyContribution) -> str:
        return due_text(contribution, self._today())

    def get_overdue(self, contribution: AgencyContribution) -> bool:
        return self.get_due_text(contribution).endswith("overdue")

    def get_forms(self, contribution: AgencyContribution) -> list[str]:
        return [answer_set.form.key for answer_set in contribution.form_answers.all()]

    def get_extension_requested_to(self, contribution: AgencyContribution) -> date | None:
        # Prefetched (contribution_prefetches) by both views.
        open_requests = getattr(contribution, "open_requests", [])
        return open_requests[0].proposed_due_date if open_requests else None


class ContributionDetailSerializer(ContributionSerializer):
    entry_count = serializers.IntegerField(help_text="Chronology entries written so far.")
    steps = StepSerializer(many=True, help_text="The steps the user may take now.")
    blocked_steps = StepSerializer(many=True, help_text="Steps the user's role may take, blocked now, with why.")


class ContributionList(ApiListView):
    serializer_class = ContributionSerializer

    def get_queryset(self) -> QuerySet[AgencyContribution]:
        contributions = contributions_for_user(self.request.user).select_related("agency", "review__partnership")
        if state := self.request.query_params.get("state"):
            contributions = contributions.filter(state=state)
        if reference := self.request.query_params.get("review"):
            contributions = contributions.filter(review__reference=reference)
        return contributions

    @extend_schema(
        operation_id="contributions_list",
        summary="The contributions the user may open: their agencies' and those of the reviews they coordinate",
        parameters=[
            OpenApiParameter("state", enum=ContributionState.values, required=False),
            OpenApiParameter("review", str, required=False, description="Only this review's (its reference)."),
        ],
    )
    def get(self, request: Request) -> Response:
        if (state := request.query_params.get("state")) and state not in ContributionState.values:
            raise serializers.ValidationError(
                {"state": [f"Unknown state {state!r}: one of {', '.join(ContributionState.values)}."]}
            )
        page = self.paginate_queryset(self.get_queryset()) or []
        # The page's due dates read the partnerships' closure days: prefetched, as the pages do.
        prefetch_related_objects(page, *contribution_prefetches())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_serializer_context(self) -> dict[str, Any]:
        # One "today" for the whole page's due dates.
        return {**super().get_serializer_context(), "today": timezone.localdate()}


class ContributionDetail(ApiView):
    @extend_schema(
        operation_id="contribution_detail",
        summary="One contribution: state, due date and the steps the user may take",
        responses=ContributionDetailSerializer,
    )
    def get(self, request: Request, reference: str, contribution_id: int) -> Response:
        access = contribution_for(request.user, reference, contribution_id)
        contribution = access.contribution
        # Logged as the contribution page is.
        access_record(request._request, access.review, "contribution", agency=str(contribution.agency))
        prefetch_related_objects([contribution], *contribution_prefetches())
        offered = [o for o in transition_options(contribution, request.user) if o.name in CONTRIBUTION_STEPS]
        body: dict[str, Any] = {
            **ContributionSerializer(contribution).data,
            "entry_count": contribution.entries.count(),
            "steps": [StepSerializer(o).data for o in offered if o.permitted and not o.reasons],
            "blocked_steps": [StepSerializer(o).data for o in offered if o.permitted and o.reasons],
        }
        return Response(body)
