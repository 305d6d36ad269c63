"""Findings: the review's findings page, the coordinator's editor, recommendations, the chair's
sign-off and reopening, the signed versions, and the chair's own page.

Every page fetches the review through ``review_for`` (404 without a role on it). Case detail is
for the coordinator, chair, panel and agency leads; a scrutineer gets a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from reviews.forms.findings import FindingsForm, ReasonOnlyForm, RecommendationForm, SignOffForm
from reviews.models import Findings, Recommendation, ReviewKind, ReviewState, SignedFindings
from reviews.models.findings import ANALYSIS_DOMAINS, CategoryOfDeath, ModifiableFactors
from reviews.permissions import CASE_DETAIL, CHAIR, COORDINATE, FINDINGS_DRAFTERS, ReviewAccess, review_for
from reviews.selectors.findings import (
    chair_items,
    draft_hash,
    findings_for,
    findings_match_signed,
    frozen_message,
    partnership_themes,
    recommendations_for,
    signed_content,
    signed_version_verifies,
    signed_versions,
)
from reviews.services.findings import (
    FindingsChanged,
    findings_reopen,
    findings_save,
    findings_send_for_sign_off,
    findings_sign_off,
    recommendation_delete,
    recommendation_save,
)
from reviews.services.subjects import IdentityCheck
from ui.views import form_page, post_only, redirect_once, submit
from workflows.once import submit_once
from workflows.runner import TransitionRefused, transition_options
from workflows.types import AuthenticatedHttpRequest


def _readable(request: AuthenticatedHttpRequest, reference: str) -> ReviewAccess:
    return review_for(request.user, reference, CASE_DETAIL, "read the findings")


def _drafter(request: AuthenticatedHttpRequest, reference: str) -> ReviewAccess:
    return review_for(request.user, reference, FINDINGS_DRAFTERS, "write the findings")


def _findings_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    *,
    reopen_form: ReasonOnlyForm | None = None,
    refusal: TransitionRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    review = access.review
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
    can_edit = access.holds(FINDINGS_DRAFTERS) and review.state == ReviewState.FINDINGS
    context = {
        "review": review,
        "findings": findings,
        "recommendations": recommendations_for(findings),
        "versions": signed_versions(findings),
        "analysis": analysis,
        "can_edit": can_edit and not (findings and findings.is_signed_off),
        "frozen": frozen_message(findings) if findings and findings.is_signed_off else "",
        "matches_signed": findings_match_signed(findings) if findings and findings.is_signed_off else None,
        "can_coordinate": access.is_coordinator,
        "is_chair": access.holds(CHAIR),
        "sign_off": options.get("sign_off"),
        "send": options.get("send_for_sign_off") if access.is_coordinator else None,
        "reopen": options.get("reopen"),
        "reopen_form": reopen_form or ReasonOnlyForm(),
        "refusal": refusal,
        "error_summary": reopen_form.error_summary() if reopen_form is not None else [],
    }
    return render(request, "reviews/findings/detail.html", context, status=status)


@login_required
def findings_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    return _findings_page(request, _readable(request, reference))


@login_required
def findings_edit(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    review = _drafter(request, reference).review
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
    # The version this form is filled in from; none written yet is the empty draft the service starts.
    initial["based_on"] = draft_hash(findings if findings is not None else Findings(review=review))
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
    if refusal is None:
        sent = submit(
            form,
            lambda data: findings_save(
                actor=request.user, review_id=review.pk, data=form.findings_data(), based_on=data["based_on"]
            ),
            refused=TransitionRefused,
            check=IdentityCheck(
                actor=request.user,
                target=review,
                fields=["findings", "learning", *(name for name, _ in ANALYSIS_DOMAINS)],
                what="findings",
            ),
        )
        if sent.saved:
            messages.success(request, "The findings have been saved.")
            return redirect("reviews:findings", reference=review.reference)
        refusal = sent.refusal if isinstance(sent.refusal, TransitionRefused) else None
    theirs = None
    if isinstance(refusal, FindingsChanged):
        # Someone saved meanwhile: their version is shown, what this user wrote stays in the form, and
        # the form now carries their version, so saving again replaces it knowingly.
        theirs = findings_for(review)
        assert theirs is not None  # the save that won wrote it
        data = request.POST.copy()
        data["based_on"] = draft_hash(theirs)
        form = FindingsForm(data, initial=initial, themes=themes, analysis=analysis)
    status = 409 if (refusal and form.is_bound) else 400 if form.errors else 200
    return render(
        request,
        "reviews/findings/edit.html",
        {
            "review": review,
            "form": form,
            "refusal": refusal,
            "theirs": theirs,
            "error_summary": form.error_summary(),
        },
        status=status,
    )


@login_required
def recommendation_edit(
    request: AuthenticatedHttpRequest, reference: str, recommendation_id: int | None = None
) -> HttpResponse:
    review = _drafter(request, reference).review
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
    form = RecommendationForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        review=review,
        creating=recommendation is None,
    )
    # Adding is done once per form (a second click is pointed at the first one's result); editing
    # the same recommendation twice is harmless.
    sent = submit(
        form,
        lambda data: submit_once(
            token=data["submission"] if recommendation is None else None,
            user=request.user,
            create=lambda: recommendation_save(
                actor=request.user,
                review_id=review.pk,
                data=form.recommendation_data(),
                recommendation_id=recommendation.pk if recommendation else None,
            ),
            result_url=lambda _saved: reverse("reviews:findings", args=[review.reference]),
        ),
        check=IdentityCheck(
            actor=request.user, target=review, fields=("what", "success_measure"), what="recommendation"
        ),
        refused=TransitionRefused,
    )
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda saved: f"Recommendation {saved.number} has been saved.",
            repeated="This form had already been sent: the recommendation was added once.",
        )
    return form_page(
        request, "reviews/findings/recommendation_form.html", sent, {"review": review, "recommendation": recommendation}
    )


@login_required
def recommendation_delete_view(
    request: AuthenticatedHttpRequest, reference: str, recommendation_id: int
) -> HttpResponse:
    access = _drafter(request, reference)
    review = access.review
    recommendation = get_object_or_404(Recommendation, pk=recommendation_id, findings__review=review)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        recommendation_delete(actor=request.user, review_id=review.pk, recommendation_id=recommendation.pk)
    except TransitionRefused as refusal:
        return _findings_page(request, access, refusal=refusal, status=409)
    messages.success(request, f"Recommendation {recommendation.number} has been removed.")
    return redirect("reviews:findings", reference=review.reference)


def _sign_off_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    *,
    form: SignOffForm | None = None,
    refusal: TransitionRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    """What the chair is about to sign, exactly (the signed content), with its hash in the form."""
    review = access.review
    findings = findings_for(review)
    if findings is None:
        return _findings_page(request, access, refusal=TransitionRefused("There are no findings to sign off yet."))
    content = signed_content(findings)
    option = {o.name: o for o in transition_options(findings, request.user)}.get("sign_off")
    context = {
        "review": review,
        "content": content,
        "next_version": findings.version + 1,
        "reasons": option.reasons if option is not None else [frozen_message(findings)],
        # After a refusal the page shows the content as it is now, to be read again.
        "form": SignOffForm(read=content) if refusal is not None or form is None else form,
        "refusal": refusal,
        "error_summary": form.error_summary() if form is not None and refusal is None else [],
    }
    return render(request, "reviews/findings/sign_off.html", context, status=status)


@login_required
def findings_sign_off_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """A confirmation page showing what will be signed; the POST signs exactly that, or nothing."""
    access = _readable(request, reference)
    access.require(CHAIR, "sign off the findings")
    review = access.review
    if request.method != "POST":
        return _sign_off_page(request, access)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return _sign_off_page(request, access, form=form, status=400)
    try:
        version = findings_sign_off(
            actor=request.user,
            review_id=review.pk,
            read_hash=form.cleaned_data["content_hash"],
            read_content=form.cleaned_data["read"],
        )
    except FindingsChanged as changed:
        return _sign_off_page(request, access, refusal=changed, status=409)
    except TransitionRefused as refusal:
        return _findings_page(request, access, refusal=refusal, status=409)
    messages.success(request, f"You signed off version {version.version} of the findings.")
    return redirect("reviews:findings", reference=review.reference)


@login_required
def findings_send_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The coordinator sends the findings to the chair for sign-off (the chair is told)."""
    access = review_for(request.user, reference, COORDINATE, "send the findings for sign-off")
    review = access.review
    if (refused := post_only(request)) is not None:
        return refused
    try:
        findings_send_for_sign_off(actor=request.user, review_id=review.pk)
    except TransitionRefused as refusal:
        return _findings_page(request, access, refusal=refusal, status=409)
    messages.success(request, "The findings have been sent to the chair, who has been told, for sign-off.")
    return redirect("reviews:findings", reference=review.reference)


@login_required
def findings_reopen_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = _readable(request, reference)
    access.require(CHAIR, "reopen the findings")
    review = access.review
    if (refused := post_only(request)) is not None:
        return refused
    form = ReasonOnlyForm(request.POST)
    sent = submit(
        form,
        lambda data: findings_reopen(actor=request.user, review_id=review.pk, reason=data["reason"]),
        refused=TransitionRefused,
    )
    if isinstance(sent.refusal, TransitionRefused):
        return _findings_page(request, access, refusal=sent.refusal, status=409)
    if not sent.saved:
        return _findings_page(request, access, reopen_form=form, status=400)
    messages.success(request, "The findings have been reopened.")
    return redirect("reviews:findings", reference=review.reference)


@login_required
def findings_version(request: AuthenticatedHttpRequest, reference: str, version: int) -> HttpResponse:
    review = _readable(request, reference).review
    signed = SignedFindings.objects.select_related("signed_by").filter(findings__review=review, version=version).first()
    if signed is None:
        raise Http404("No such version.")
    return render(
        request,
        "reviews/findings/version.html",
        {"review": review, "signed": signed, "verifies": signed_version_verifies(signed), "content": signed.content},
    )


@login_required
def chair_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = chair_items(request.user, request.GET)
    return render(
        request,
        "reviews/findings/chair.html",
        {"awaiting": page.awaiting, "items": page.items, "pages": page.pages},
    )
