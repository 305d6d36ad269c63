"""Findings: the review's findings page, the coordinator's editor, recommendations, the chair's
sign-off and reopening, the signed versions, and the chair's own page.

Every page fetches the review through ``review_and_permissions`` (404 without a role on it). Case
detail is for the coordinator, chair, panel and agency leads; a scrutineer gets a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from reviews.forms.findings import FindingsForm, ReasonOnlyForm, RecommendationForm
from reviews.models import Recommendation, Review, ReviewKind, ReviewState, SignedFindings
from reviews.models.findings import ANALYSIS_DOMAINS, CategoryOfDeath, ModifiableFactors
from reviews.selectors.findings import chair_items, findings_for, recommendations_for, signed_versions
from reviews.selectors.review import CASE_DETAIL_PERMISSIONS
from reviews.services.findings import (
    findings_match_signed,
    findings_reopen,
    findings_save,
    findings_sign_off,
    frozen_message,
    partnership_themes,
    recommendation_delete,
    recommendation_save,
    signed_version_verifies,
)
from reviews.views._common import render_page, review_and_permissions
from workflows.once import submit_once
from workflows.runner import TransitionRefused, transition_options

DRAFTERS = frozenset({"coordinate_review", "chair_review"})


def _readable(request: HttpRequest, reference: str) -> tuple[Review, frozenset[str]]:
    review, perms = review_and_permissions(request, reference)
    if not perms & CASE_DETAIL_PERMISSIONS:
        raise PermissionDenied("Findings are case detail: they are shown only to the people working on the review.")
    return review, perms


def _drafter(request: HttpRequest, reference: str) -> tuple[Review, frozenset[str]]:
    review, perms = review_and_permissions(request, reference)
    if not perms & DRAFTERS:
        raise PermissionDenied("Only the coordinator or the chair can write the findings.")
    return review, perms


def _findings_page(
    request: HttpRequest,
    review: Review,
    perms: frozenset[str],
    *,
    reopen_form: ReasonOnlyForm | None = None,
    refusal: TransitionRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    findings = findings_for(review)
    options = {o.name: o for o in transition_options(findings, request.user)} if findings else {}
    analysis = []
    if findings is not None and review.kind == ReviewKind.CHILD_DEATH:
        analysis = [(label, getattr(findings, name)) for name, label in ANALYSIS_DOMAINS]
        analysis.append(
            (
                "Category of death",
                CategoryOfDeath(findings.category_of_death).label if findings.category_of_death else "",
            )
        )
        analysis.append(
            (
                "Modifiable factors",
                ModifiableFactors(findings.modifiable_factors).label if findings.modifiable_factors else "",
            )
        )
    can_edit = bool(perms & DRAFTERS) and review.state == ReviewState.FINDINGS
    context = {
        "review": review,
        "findings": findings,
        "recommendations": recommendations_for(findings),
        "versions": signed_versions(findings),
        "analysis": analysis,
        "can_edit": can_edit and not (findings and findings.is_signed_off),
        "frozen": frozen_message(findings) if findings and findings.is_signed_off else "",
        "matches_signed": findings_match_signed(findings) if findings and findings.is_signed_off else None,
        "can_coordinate": "coordinate_review" in perms,
        "is_chair": "chair_review" in perms,
        "sign_off": options.get("sign_off"),
        "reopen": options.get("reopen"),
        "reopen_form": reopen_form or ReasonOnlyForm(),
        "refusal": refusal,
        "error_summary": reopen_form.error_summary() if reopen_form is not None else [],
    }
    return render_page(request, "reviews/findings/detail.html", context, status=status)


@login_required
def findings_view(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = _readable(request, reference)
    return _findings_page(request, review, perms)


@login_required
def findings_edit(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = _drafter(request, reference)
    findings = findings_for(review)
    analysis = review.kind == ReviewKind.CHILD_DEATH
    themes = partnership_themes(review.partnership)
    if findings is not None:
        themes += [t for t in findings.themes if t not in themes]  # a theme since removed stays shown
    initial = {}
    if findings is not None:
        initial = {
            "findings": findings.findings,
            "learning": findings.learning,
            "themes": findings.themes,
            **{name: getattr(findings, name) for name, _ in ANALYSIS_DOMAINS},
            "category_of_death": findings.category_of_death or "",
            "modifiable_factors": findings.modifiable_factors,
        }
    form = FindingsForm(
        request.POST if request.method == "POST" else None, initial=initial, themes=themes, analysis=analysis
    )
    refusal = None
    if findings is not None and findings.is_signed_off:
        refusal = TransitionRefused(frozen_message(findings))
    elif review.state != ReviewState.FINDINGS:
        refusal = TransitionRefused(
            f"{review} is at {review.get_state_display()}: findings are written in the findings stage."
        )
    if form.is_bound and refusal is None and form.is_valid():
        try:
            findings_save(actor=request.user, review_id=review.pk, data=form.findings_data())
        except ValidationError as error:
            form.add_service_errors(error)
        except TransitionRefused as refused:
            refusal = refused
        else:
            messages.success(request, "The findings have been saved.")
            return redirect("reviews:findings", reference=review.reference)
    status = 409 if (refusal and form.is_bound) else 400 if form.errors else 200
    return render_page(
        request,
        "reviews/findings/edit.html",
        {
            "review": review,
            "form": form,
            "refusal": refusal,
            "error_summary": form.error_summary(),
        },
        status=status,
    )


@login_required
def recommendation_edit(request: HttpRequest, reference: str, recommendation_id: int | None = None) -> HttpResponse:
    review, perms = _drafter(request, reference)
    recommendation = None
    if recommendation_id is not None:
        recommendation = get_object_or_404(Recommendation, pk=recommendation_id, findings__review=review)
    initial = {}
    if recommendation is not None:
        initial = {
            "what": recommendation.what,
            "owner_agency": recommendation.owner_agency_id,
            "due_by": recommendation.due_by,
            "success_measure": recommendation.success_measure,
        }
    form = RecommendationForm(request.POST if request.method == "POST" else None, initial=initial, review=review)
    refusal = None
    if form.is_bound and form.is_valid():
        try:
            # Adding is done once per form (a second click is pointed at the first one's result);
            # editing the same recommendation twice is harmless.
            saved, url = submit_once(
                token=form.cleaned_data["submission"] if recommendation is None else None,
                user=request.user,
                create=lambda: recommendation_save(
                    actor=request.user,
                    review_id=review.pk,
                    data=form.recommendation_data(),
                    recommendation_id=recommendation.pk if recommendation else None,
                ),
                result_url=lambda _saved: reverse("reviews:findings", args=[review.reference]),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except TransitionRefused as refused:
            refusal = refused
        else:
            if saved is None:
                messages.info(request, "This form had already been sent: the recommendation was added once.")
            else:
                messages.success(request, f"Recommendation {saved.number} has been saved.")
            return redirect(url)
    status = 409 if refusal else 400 if form.errors else 200
    return render_page(
        request,
        "reviews/findings/recommendation_form.html",
        {
            "review": review,
            "recommendation": recommendation,
            "form": form,
            "refusal": refusal,
            "error_summary": form.error_summary(),
        },
        status=status,
    )


@login_required
def recommendation_delete_view(request: HttpRequest, reference: str, recommendation_id: int) -> HttpResponse:
    review, perms = _drafter(request, reference)
    recommendation = get_object_or_404(Recommendation, pk=recommendation_id, findings__review=review)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        recommendation_delete(actor=request.user, review_id=review.pk, recommendation_id=recommendation.pk)
    except TransitionRefused as refused:
        return _findings_page(request, review, perms, refusal=refused, status=409)
    messages.success(request, f"Recommendation {recommendation.number} has been removed.")
    return redirect("reviews:findings", reference=review.reference)


@login_required
def findings_sign_off_view(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = _readable(request, reference)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        version = findings_sign_off(actor=request.user, review_id=review.pk)
    except TransitionRefused as refused:
        return _findings_page(request, review, perms, refusal=refused, status=409)
    messages.success(request, f"You signed off version {version.version} of the findings.")
    return redirect("reviews:findings", reference=review.reference)


@login_required
def findings_reopen_view(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = _readable(request, reference)
    if "chair_review" not in perms:
        raise PermissionDenied(f"You do not have the role needed to reopen the findings on {review}.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReasonOnlyForm(request.POST)
    if not form.is_valid():
        return _findings_page(request, review, perms, reopen_form=form, status=400)
    try:
        findings_reopen(actor=request.user, review_id=review.pk, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        form.add_service_errors(error)
        return _findings_page(request, review, perms, reopen_form=form, status=400)
    except TransitionRefused as refused:
        return _findings_page(request, review, perms, refusal=refused, status=409)
    messages.success(request, "The findings have been reopened.")
    return redirect("reviews:findings", reference=review.reference)


@login_required
def findings_version(request: HttpRequest, reference: str, version: int) -> HttpResponse:
    review, perms = _readable(request, reference)
    signed = SignedFindings.objects.select_related("signed_by").filter(findings__review=review, version=version).first()
    if signed is None:
        raise Http404("No such version.")
    return render_page(
        request,
        "reviews/findings/version.html",
        {"review": review, "signed": signed, "verifies": signed_version_verifies(signed), "content": signed.content},
    )


@login_required
def chair_page(request: HttpRequest) -> HttpResponse:
    items = chair_items(request.user)
    return render_page(
        request,
        "reviews/findings/chair.html",
        {"awaiting": [i for i in items if i.awaits_sign_off], "items": items},
    )
