"""The review pages: open a review, the review page and its steps, key dates."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from reviews.forms.review import KeyDatesForm, OpenReviewForm, TransitionForm
from reviews.models import Review
from reviews.permissions import partnerships_user_coordinates
from reviews.selectors.clocks import clock_rows
from reviews.selectors.review import (
    CASE_DETAIL_PERMISSIONS,
    converted_into_for_user,
    key_date_fields,
    key_date_label,
    review_history,
    review_transition_choices,
)
from reviews.selectors.roles import review_roles
from reviews.services.access_log import access_record
from reviews.services.review import review_advance, review_convert_to_cspr, review_open, review_record_key_dates
from reviews.services.subjects import SubjectData
from reviews.views._common import render_page, require, review_and_permissions
from workflows.once import submit_once
from workflows.runner import TransitionRefused


@login_required
def review_new(request: HttpRequest) -> HttpResponse:
    if not partnerships_user_coordinates(request.user):
        raise PermissionDenied("Only a partnership's review coordinators can open a review.")
    form = OpenReviewForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        subject = None
        if form.has_subject():
            subject = SubjectData(
                pseudonym=data["subject_pseudonym"],
                date_of_birth=data["subject_date_of_birth"],
                date_of_death_or_incident=data["incident_on"],
                sex=data["subject_sex"] or SubjectData.sex,
                full_name=data["subject_full_name"],
                nhs_number=data["subject_nhs_number"],
                address=data["subject_address"],
            )
        try:
            review, url = submit_once(
                token=data["submission"],
                user=request.user,
                create=lambda: review_open(
                    actor=request.user,
                    partnership=data["partnership"],
                    kind=data["kind"],
                    title=data["title"],
                    key_dates={"became_aware_on": data["became_aware_on"], "incident_on": data["incident_on"]},
                    subject=subject,
                ),
                result_url=lambda review: reverse("reviews:review", args=[review.reference]),
            )
        except ValidationError as error:
            # The service saved nothing; what the user typed stays in the bound form.
            form.add_service_errors(error)
        else:
            if review is None:
                messages.info(request, "This form had already been sent: the review was opened once, here it is.")
            else:
                messages.success(request, f"Review {review.reference} opened.")
            return redirect(url)
    status = 400 if form.errors else 200
    return render_page(
        request, "reviews/review_new.html", {"form": form, "error_summary": form.error_summary()}, status=status
    )


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


@login_required
def review_key_dates(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = review_and_permissions(request, reference)
    require(perms, "coordinate_review", "record key dates")
    form = KeyDatesForm(request.POST if request.method == "POST" else None, review=review)
    if form.is_bound and form.is_valid():
        try:
            review_record_key_dates(actor=request.user, review_id=review.pk, key_dates=form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Key dates saved.")
            return redirect("reviews:review", reference=review.reference)
    return render_page(
        request,
        "reviews/key_dates.html",
        {"review": review, "form": form, "error_summary": form.error_summary()},
        status=400 if form.errors else 200,
    )
