"""Agency contributions: the coordinator's table and actions, and the agency lead's requests.

Every page under a contribution fetches it through ``contribution_get_for_user``: 404 to anyone
who neither coordinates the review nor leads that agency on it. Within that, a page meant for
the other party (the coordinator's accept, the lead's extension request) is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from reviews.forms.contributions import (
    DecideExtensionForm,
    ExtensionRequestForm,
    InviteAgencyForm,
    MoveDueDateForm,
    ReasonForm,
    ReportForm,
)
from reviews.models.contributions import REPORT_SECTIONS, AgencyContribution, Ask, DueDateChange
from reviews.selectors.chronology import contribution_entries
from reviews.selectors.contributions import (
    ContributionAccess,
    contribution_get_for_user,
    contribution_rows,
    due_date_history,
    due_text,
    lead_agency_ids,
    my_requests,
    state_tag_class,
)
from reviews.services.access_log import access_record
from reviews.services.chronology import report_save_draft
from reviews.services.contributions import (
    REQUESTING_STAGES,
    contribution_advance,
    contribution_change_due_date,
    contribution_decide_extension,
    contribution_request,
    contribution_request_extension,
    default_due_date,
)
from reviews.views._common import render_page, require, review_and_permissions
from workflows.runner import TransitionRefused, transition_options

# The steps offered on a contribution page: the agency lead's, then the coordinator's.
STEPS = ("submit", "resubmit", "record_nil_return", "accept", "return_to_agency", "waive")


REVIEW_WIDE_READERS = frozenset({"coordinate_review", "chair_review", "sit_on_panel", "scrutinise_review"})


def contribution_url(access: ContributionAccess | AgencyContribution, reference: str | None = None) -> str:
    contribution = access.contribution if isinstance(access, ContributionAccess) else access
    ref = reference or contribution.review.reference
    return reverse("reviews:contribution", args=[ref, contribution.pk])


def require_lead(access: ContributionAccess, doing: str) -> None:
    """403 for the coordinator on the agency's own pages: they read, the agency writes."""
    if not access.is_lead:
        raise PermissionDenied(f"Only the {access.contribution.agency} lead on this review can {doing}.")


# --- the review's contributions -----------------------------------------------------------------


def locked_page(request: HttpRequest, access: ContributionAccess) -> HttpResponse:
    contribution = access.contribution
    messages.info(
        request,
        f"The {contribution.agency} contribution is {contribution.get_state_display().lower()}: "
        "it can no longer be changed.",
    )
    return redirect(contribution_url(access))


def writable_contribution(request: HttpRequest, reference: str, contribution_id: int, doing: str) -> ContributionAccess:
    access = contribution_get_for_user(request.user, reference, contribution_id)
    require_lead(access, doing)
    return access


@login_required
def contribution_list(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = review_and_permissions(request, reference)
    own = lead_agency_ids(request.user, review)
    # An agency lead sees only their own agency's request, never who else was asked.
    rows = contribution_rows(review, agency_ids=None if perms & REVIEW_WIDE_READERS else own)
    return render_page(
        request,
        "reviews/contributions/list.html",
        {
            "review": review,
            "rows": rows,
            "own_agency_ids": own,
            "can_coordinate": "coordinate_review" in perms,
            "can_invite": "coordinate_review" in perms and review.state in REQUESTING_STAGES,
        },
    )


@login_required
def contribution_invite(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = review_and_permissions(request, reference)
    require(perms, "coordinate_review", "ask agencies for contributions")
    default = default_due_date(review)
    form = InviteAgencyForm(request.POST if request.method == "POST" else None, review=review, default_due=default)
    refusal = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            contribution = contribution_request(
                actor=request.user,
                review_id=review.pk,
                agency=data["agency"],
                lead=data["lead"],
                asks=data["asks"],
                due_date=data["due_date"],
                due_date_reason=data["due_date_reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except TransitionRefused as refused:
            refusal = refused
        else:
            messages.success(request, f"{contribution.agency} has been asked for a contribution.")
            return redirect("reviews:contributions", reference=review.reference)
    status = 409 if refusal else 400 if form.errors else 200
    return render_page(
        request,
        "reviews/contributions/invite.html",
        {
            "review": review,
            "form": form,
            "error_summary": form.error_summary(),
            "refusal": refusal,
            "open_for_requests": review.state in REQUESTING_STAGES,
        },
        status=status,
    )


# --- one contribution ---------------------------------------------------------------------------


def _steps(access: ContributionAccess, user: Any, forms: dict[str, ReasonForm]) -> dict[str, list[Any]]:
    """The steps this user may take now, those blocked (with why), and each one's reason form."""
    allowed, blocked = [], []
    contribution = access.contribution
    for option in transition_options(contribution, user):
        if option.name not in STEPS or not option.permitted:
            continue
        form = forms.get(option.name) or ReasonForm(initial={"expected_state": contribution.state}, step=option.name)
        (blocked if option.reasons else allowed).append((option, form))
    return {"allowed": allowed, "blocked": blocked}


def render_contribution(
    request: HttpRequest,
    access: ContributionAccess,
    *,
    step_forms: dict[str, ReasonForm] | None = None,
    failed: str = "",
    refusal: TransitionRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    contribution = access.contribution
    step_forms = step_forms or {}
    history = due_date_history(contribution)
    open_request = next((c for c in history if c.status == DueDateChange.Status.REQUESTED), None)
    report = getattr(contribution, "report", None) if Ask.AGENCY_REPORT in contribution.asks else None
    failed_form = step_forms.get(failed)
    context = {
        "review": access.review,
        "access": access,
        "contribution": contribution,
        "tag_class": state_tag_class(contribution.state),
        "due_text": due_text(contribution, timezone.localdate()),
        "entries": contribution_entries(contribution),
        "asks_chronology": Ask.CHRONOLOGY in contribution.asks,
        "asks_report": Ask.AGENCY_REPORT in contribution.asks,
        "report": report,
        "report_sections": [(label, getattr(report, name)) for name, label in REPORT_SECTIONS] if report else [],
        "history": history,
        "open_request": open_request,
        "steps": _steps(access, request.user, step_forms),
        "failed": failed,
        "refusal": refusal,
        "can_write": access.is_lead and contribution.is_editable,
        "error_summary": failed_form.error_summary() if failed_form is not None else [],
    }
    return render_page(request, "reviews/contributions/detail.html", context, status=status)


@login_required
def contribution_detail(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = contribution_get_for_user(request.user, reference, contribution_id)
    access_record(request, access.review, "contribution", agency=str(access.contribution.agency))
    return render_contribution(request, access)


@login_required
def contribution_step(request: HttpRequest, reference: str, contribution_id: int, name: str) -> HttpResponse:
    # The 404 comes first: nobody learns anything about another agency's contribution.
    access = contribution_get_for_user(request.user, reference, contribution_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if name not in STEPS:
        raise Http404("No such step.")
    form = ReasonForm(request.POST, step=name)
    if not form.is_valid():
        if "expected_state" in form.errors:
            refusal = TransitionRefused("Nothing was changed: reload the page and try again.")
            return render_contribution(request, access, refusal=refusal, status=400)
        return render_contribution(request, access, step_forms={name: form}, failed=name, status=400)
    try:
        moved = contribution_advance(
            actor=request.user,
            contribution_id=access.contribution.pk,
            transition=name,
            reason=form.cleaned_data["reason"],
            expected_state=form.cleaned_data["expected_state"],
        )
    except TransitionRefused as refused:
        # Show the contribution as it is now (the other party may have moved it), with why.
        access = contribution_get_for_user(request.user, reference, contribution_id)
        return render_contribution(request, access, refusal=refused, status=409)
    messages.success(request, f"The {moved.agency} contribution is now {moved.get_state_display().lower()}.")
    return redirect(contribution_url(access))


@login_required
def contribution_due_date(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = contribution_get_for_user(request.user, reference, contribution_id)
    require(access.perms, "coordinate_review", "move a due date")
    form = MoveDueDateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            contribution_change_due_date(
                actor=request.user,
                contribution_id=access.contribution.pk,
                new_due_date=form.cleaned_data["new_due_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The {access.contribution.agency} due date has been moved.")
            return redirect(contribution_url(access))
    return render_page(
        request,
        "reviews/contributions/due_date.html",
        {
            "review": access.review,
            "contribution": access.contribution,
            "form": form,
            "error_summary": form.error_summary(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def contribution_extension(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = contribution_get_for_user(request.user, reference, contribution_id)
    require_lead(access, "ask for an extension")
    form = ExtensionRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            contribution_request_extension(
                actor=request.user,
                contribution_id=access.contribution.pk,
                proposed_due_date=form.cleaned_data["proposed_due_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Your extension request has been sent to the review coordinator.")
            return redirect(contribution_url(access))
    return render_page(
        request,
        "reviews/contributions/extension.html",
        {
            "review": access.review,
            "contribution": access.contribution,
            "form": form,
            "error_summary": form.error_summary(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def contribution_decide_extension_view(
    request: HttpRequest, reference: str, contribution_id: int, change_id: int
) -> HttpResponse:
    access = contribution_get_for_user(request.user, reference, contribution_id)
    require(access.perms, "coordinate_review", "decide an extension")
    change = get_object_or_404(
        DueDateChange.objects.select_related("asked_by"), pk=change_id, contribution=access.contribution
    )
    if change.status != DueDateChange.Status.REQUESTED:
        messages.info(request, f"This extension request was already {change.get_status_display().lower()}.")
        return redirect(contribution_url(access))
    form = DecideExtensionForm(request.POST if request.method == "POST" else None, change_id=change.pk)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            decided = contribution_decide_extension(
                actor=request.user,
                change_id=change.pk,
                grant=data["decision"] == "grant",
                note=data["note"],
                granted_due_date=data["granted_due_date"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except TransitionRefused as refused:
            messages.info(request, refused.message)
            return redirect(contribution_url(access))
        else:
            messages.success(request, f"The extension was {decided.get_status_display().lower()}.")
            return redirect(contribution_url(access))
    return render_page(
        request,
        "reviews/contributions/decide_extension.html",
        {
            "review": access.review,
            "contribution": access.contribution,
            "change": change,
            "form": form,
            "error_summary": form.error_summary(),
        },
        status=400 if form.errors else 200,
    )


# --- the agency lead's requests -----------------------------------------------------------------


@login_required
def my_requests_view(request: HttpRequest) -> HttpResponse:
    return render_page(request, "reviews/contributions/my_requests.html", {"rows": my_requests(request.user)})


# --- the agency report --------------------------------------------------------------------------


@login_required
def report_edit(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = writable_contribution(request, reference, contribution_id, "write its agency report")
    contribution = access.contribution
    if Ask.AGENCY_REPORT not in contribution.asks:
        raise Http404("No agency report was asked for.")
    if not contribution.is_editable:
        return locked_page(request, access)
    access_record(request, access.review, "agency_report", agency=str(contribution.agency))
    if request.method == "POST":
        form = ReportForm(request.POST)
    else:
        form = ReportForm(initial=ReportForm.initial_from(getattr(contribution, "report", None)))
    if form.is_bound and form.is_valid():
        try:
            report_save_draft(actor=request.user, contribution_id=contribution.pk, sections=form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        except TransitionRefused:
            return locked_page(request, access)
        else:
            messages.success(request, "Draft saved. You can keep editing it until you submit the contribution.")
            return redirect("reviews:report_edit", reference=access.review.reference, contribution_id=contribution.pk)
    return render_page(
        request,
        "reviews/chronology/report_form.html",
        {"review": access.review, "contribution": contribution, "form": form, "error_summary": form.error_summary()},
        status=400 if form.errors else 200,
    )
