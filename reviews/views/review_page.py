"""The review page and the stage changes taken from it."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone

from reviews.access_log import access_record
from reviews.forms import TransitionForm
from reviews.models import Review
from reviews.selectors import (
    CASE_DETAIL_PERMISSIONS,
    clock_rows,
    converted_into_for_user,
    key_date_fields,
    key_date_label,
    review_history,
    review_roles,
    review_transition_choices,
)
from reviews.services import review_advance, review_convert_to_cspr
from reviews.views._common import render_page, require, review_and_permissions
from workflows.runner import TransitionRefused


@cache
def _transitions() -> dict[str, dict[str, Any]]:
    """Every transition of a review by name, with its ``custom`` settings (label, needs_reason...)."""
    state = Review._meta.get_field("state")
    return {t.name: t.custom for t in state.get_all_transitions(Review)}


def _render_review(
    request: HttpRequest,
    review: Review,
    perms: frozenset[str],
    *,
    form: TransitionForm | None = None,
    failed: str = "",
    refusal: TransitionRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    case_detail = bool(perms & CASE_DETAIL_PERMISSIONS)
    context: dict[str, Any] = {
        "review": review,
        "case_detail": case_detail,
        "can_coordinate": "coordinate_review" in perms,
        "can_view_identity": "view_identity" in perms,
        "clocks": clock_rows(review, timezone.localdate()),
        "history": review_history(review),
        "choices": review_transition_choices(review, request.user),
        "converted_into": converted_into_for_user(request.user, review),
        "refusal": refusal,
        "failed": failed,
        "form": form,
        "error_summary": form.error_summary() if form is not None else [],
    }
    if case_detail:
        # Pseudonyms and dates only: identities are never read for this page.
        context["subjects"] = list(review.subjects.all())
        context["key_dates"] = [(key_date_label(review, f), getattr(review, f)) for f in key_date_fields(review.kind)]
        context["roles"] = review_roles(review)
    return render_page(request, "reviews/review_detail.html", context, status=status)


@login_required
def review_detail(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = review_and_permissions(request, reference)
    access_record(request, review, "review")
    return _render_review(request, review, perms)


@login_required
def review_transition(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    # The 404 comes first, so nobody without a role learns anything from the method or the name.
    review, perms = review_and_permissions(request, reference)
    require(perms, "coordinate_review", "change the review's stage")  # every stage change is theirs
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    custom = _transitions().get(name)
    if custom is None:
        raise Http404("No such step.")
    form = TransitionForm(request.POST, needs_reason=bool(custom.get("needs_reason")))
    if not form.is_valid():
        if "expected_state" in form.errors:
            refusal = TransitionRefused("Nothing was changed: reload the page and try again.")
            return _render_review(request, review, perms, refusal=refusal, status=400)
        return _render_review(request, review, perms, form=form, failed=name, status=400)
    data = form.cleaned_data
    try:
        if custom.get("service") == "convert":
            cspr = review_convert_to_cspr(
                actor=request.user, review_id=review.pk, reason=data["reason"], expected_state=data["expected_state"]
            )
            messages.success(request, f"{review.reference} was converted into {cspr.reference}.")
            return redirect("reviews:review", reference=cspr.reference)
        moved = review_advance(
            actor=request.user,
            review_id=review.pk,
            transition=name,
            reason=data["reason"],
            expected_state=data["expected_state"],
        )
    except TransitionRefused as refused:
        # Show the stage as it is now (someone else may have moved it), with why nothing happened.
        review, perms = review_and_permissions(request, reference)
        return _render_review(request, review, perms, refusal=refused, status=409)
    messages.success(request, f"{moved.reference} is now at {moved.get_state_display()}.")
    return redirect("reviews:review", reference=moved.reference)
