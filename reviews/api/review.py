"""Reviews over the API: the user's reviews, one review (stage, clocks, the steps they may take
now and why others are blocked), and taking a step. The same access helpers, selectors and
services as the review page (reviews/views/review.py): 404 and 403 exactly where the page gives
them, and no rule of its own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import Scope
from api.problems import Problem
from api.views import ApiListView, ApiView
from reviews.api.steps import step_refused
from reviews.models import Review, ReviewKind, ReviewState
from reviews.permissions import COORDINATE, review_for, reviews_for_user
from reviews.selectors.clocks import ClockRow, clock_rows
from reviews.selectors.review import review_transition_choices
from reviews.services.access_log import access_record
from reviews.services.review import review_advance, review_convert_to_cspr
from reviews.services.subjects import IdentityCheck
from workflows.runner import TransitionOption, TransitionRefused, transition_settings
from workflows.types import User


def _steps() -> dict[str, dict[str, Any]]:
    return transition_settings(Review)


class ReviewSummarySerializer(serializers.Serializer[Review]):
    reference = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=ReviewKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.ChoiceField(choices=ReviewState.choices)
    state_label = serializers.CharField(source="get_state_display")
    partnership = serializers.CharField(source="partnership.code")


class ClockSerializer(serializers.Serializer[ClockRow]):
    key = serializers.CharField(source="clock.key")
    label = serializers.CharField(source="clock.label")  # type: ignore[assignment]  # a field, as StepSerializer's
    status = serializers.CharField(source="reading.status")
    status_label = serializers.CharField()
    start_date = serializers.DateField(source="clock.start_date", allow_null=True)
    due_date = serializers.DateField(source="reading.due_date", allow_null=True)
    stopped_on = serializers.DateField(source="clock.stopped_on", allow_null=True)
    working_days_left = serializers.IntegerField(source="reading.working_days_left", allow_null=True)
    days_left_text = serializers.CharField()


class StepSerializer(serializers.Serializer[TransitionOption]):
    name = serializers.CharField()
    # A declared field (the metaclass takes it off the class), not the serializer's own label.
    label = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField()
    needs_reason = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it is blocked now (empty if not).")


class ReviewDetailSerializer(ReviewSummarySerializer):
    clocks = ClockSerializer(many=True)
    steps = StepSerializer(many=True, help_text="The steps the user may take now.")
    blocked_steps = StepSerializer(many=True, help_text="Steps the user's role may take, blocked now, with why.")


class TransitionSerializer(serializers.Serializer[Any]):
    expected_state = serializers.ChoiceField(
        choices=ReviewState.choices, help_text="The stage you saw: the step is refused (409) if it has moved on."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    save_anyway = serializers.BooleanField(
        required=False, default=False, help_text="Take the step even though the reason seems to name an identity."
    )


def _detail(request: Request, review: Review) -> dict[str, Any]:
    choices = review_transition_choices(review, request.user)
    return {
        **ReviewSummarySerializer(review).data,
        "clocks": [ClockSerializer(row).data for row in clock_rows(review, timezone.localdate())],
        "steps": [StepSerializer(option).data for option in choices.allowed],
        "blocked_steps": [StepSerializer(option).data for option in choices.blocked],
    }


class ReviewList(ApiListView):
    serializer_class = ReviewSummarySerializer

    def get_queryset(self) -> QuerySet[Review]:
        reviews = reviews_for_user(self.request.user).select_related("partnership")
        state = self.request.query_params.get("state")
        kind = self.request.query_params.get("kind")
        if state:
            reviews = reviews.filter(state=state)
        if kind:
            reviews = reviews.filter(kind=kind)
        return reviews

    @extend_schema(
        operation_id="reviews_list",
        summary="The reviews the user may see",
        parameters=[
            OpenApiParameter("state", enum=ReviewState.values, required=False),
            OpenApiParameter("kind", enum=ReviewKind.values, required=False),
        ],
    )
    def get(self, request: Request) -> Response:
        self._check_filters(request)
        return super().get(request)

    def _check_filters(self, request: Request) -> None:
        errors = {}
        if (state := request.query_params.get("state")) and state not in ReviewState.values:
            errors["state"] = [f"Unknown state {state!r}: one of {', '.join(ReviewState.values)}."]
        if (kind := request.query_params.get("kind")) and kind not in ReviewKind.values:
            errors["kind"] = [f"Unknown kind {kind!r}: one of {', '.join(ReviewKind.values)}."]
        if errors:
            raise serializers.ValidationError(errors)


class ReviewDetail(ApiView):
    @extend_schema(
        summary="One review: stage, clocks and the steps the user may take", responses=ReviewDetailSerializer
    )
    def get(self, request: Request, reference: str) -> Response:
        access = review_for(request.user, reference)
        # Logged as the review page is: the API is another way of reading it.
        access_record(request._request, access.review, "review")
        return Response(_detail(request, access.review))


class ReviewTransition(ApiView):
    # Every stage change is the review coordinator's (as the page: review_for(..., COORDINATE)).
    write_scope = Scope.COORDINATE

    @extend_schema(
        summary="Take a step of the review's lifecycle",
        request=TransitionSerializer,
        responses=ReviewDetailSerializer,
    )
    def post(self, request: Request, reference: str, name: str) -> Response:
        # The 404 first, so nobody without a role learns anything from the name; then the role.
        access = review_for(request.user, reference, COORDINATE, "change the review's stage")
        review = access.review
        step = _steps().get(name)
        if step is None:
            raise Problem(404, "The review has no step by this name.")
        sent = TransitionSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        data = sent.validated_data
        actor = request.user
        assert isinstance(actor, User)
        check = IdentityCheck(actor=actor, target=review, fields=("reason",), what="stage change")
        warnings = check.warnings(data)
        if warnings and not data["save_anyway"]:
            errors: dict[str, list[str]] = {}
            for field_name, message in warnings:
                errors.setdefault(field_name, []).append(message)
            raise serializers.ValidationError(errors)
        try:
            if step.get("service") == "convert":
                moved = review_convert_to_cspr(
                    actor=actor, review_id=review.pk, reason=data["reason"], expected_state=data["expected_state"]
                )
            else:
                moved = review_advance(
                    actor=actor,
                    review_id=review.pk,
                    transition=name,
                    reason=data["reason"],
                    expected_state=data["expected_state"],
                )
        except TransitionRefused as refusal:
            now = review_for(actor, reference).review
            raise step_refused(
                refusal,
                now,
                actor,
                step=name,
                expected_state=data["expected_state"],
                moved_on="The review has moved on",
            ) from None
        if warnings:
            check.saved_anyway(warnings)
        return Response(_detail(request, review_for(actor, moved.reference).review))
