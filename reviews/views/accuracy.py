"""The factual accuracy round: the coordinator sends the newest draft to chosen agencies; each
agency's lead reads the draft and comments per section, or confirms there are no factual
inaccuracies; the coordinator and the chair see every comment and answer each.

Whoever reads a round after its due date finds it closed: it is closed before it is shown.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reviews.forms.accuracy import AnswerForm, CommentForm, ResponseForm, SendForm
from reviews.models import AccuracyComment, ReviewRole, Role
from reviews.permissions import COORDINATE, RoundAccess, accuracy_round_for, review_for
from reviews.selectors.accuracy import closed_message, round_page
from reviews.selectors.report import report_for
from reviews.services.access_log import access_record
from reviews.services.accuracy import (
    accuracy_answer,
    accuracy_comment_add,
    accuracy_comment_respond,
    accuracy_round_send,
    accuracy_rounds_close_past_due,
)
from reviews.services.subjects import IdentityCheck
from ui.forms import GovukForm
from ui.views import form_page, post_only, redirect_once, submit
from workflows.once import submit_once
from workflows.runner import TransitionRefused
from workflows.types import AuthenticatedHttpRequest


@login_required
def accuracy_send(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = review_for(request.user, reference, COORDINATE, "send the overview report for factual accuracy")
    review = access.review
    leads = list(
        ReviewRole.objects.filter(review=review, role=Role.AGENCY_LEAD)
        .select_related("agency", "user")
        .order_by("agency__name", "id")
    )
    form = SendForm(request.POST if request.method == "POST" else None, leads=leads)
    sent = submit(
        form,
        lambda data: accuracy_round_send(
            actor=request.user, review_id=review.pk, lead_role_ids=data["leads"], due_date=data["due_date"]
        ),
        refused=TransitionRefused,
    )
    if sent.saved and sent.result is not None:
        messages.success(request, f"Version {sent.result.version.number} sent for factual accuracy.")
        return redirect("reviews:accuracy_round", reference=reference, round_id=sent.result.pk)
    report = report_for(review)
    newest = report.versions.order_by("-number").first() if report else None
    return form_page(request, "reviews/accuracy/send.html", sent, {"review": review, "newest": newest})


def _agency_choices(access: RoundAccess) -> list[tuple[int, str]]:
    return [
        (row.agency_id, str(row.agency))
        for row in access.round.agencies.select_related("agency").order_by("agency__name")
        if row.agency_id in access.own_agency_ids
    ]


def _round_page(
    request: AuthenticatedHttpRequest,
    access: RoundAccess,
    *,
    comment_form: GovukForm | None = None,
    answer_form: GovukForm | None = None,
    refusal: Exception | None = None,
    status: int = 200,
) -> HttpResponse:
    accuracy_round = access.round
    # The report's writers see every agency's comments; a lead, their own agency's only.
    page = round_page(accuracy_round, agency_ids=None if access.sees_all else access.own_agency_ids)
    own = [row for row in page.agencies if row.agency_id in access.own_agency_ids]
    may_comment = access.is_lead and accuracy_round.is_open and any(not row.answered for row in own)
    agencies = _agency_choices(access) if may_comment else []
    sections = [s.shown.section for s in page.sections]
    if may_comment:
        comment_form = comment_form or CommentForm(sections=sections, agencies=agencies)
        answer_form = answer_form or AnswerForm(agencies=agencies)
    errors = [*(comment_form.error_summary() if comment_form and comment_form.is_bound else [])]
    errors += answer_form.error_summary() if answer_form and answer_form.is_bound else []
    return render(
        request,
        "reviews/accuracy/round.html",
        {
            "review": access.review,
            "round": accuracy_round,
            "page": page,
            "own": own,
            "sees_all": access.sees_all,
            "may_comment": may_comment,
            "comment_form": comment_form,
            "answer_form": answer_form,
            "closed_message": closed_message(accuracy_round) if not accuracy_round.is_open else "",
            "refusal": refusal,
            "error_summary": errors,
        },
        status=status,
    )


def _round(request: AuthenticatedHttpRequest, reference: str, round_id: int, doing: str = "") -> RoundAccess:
    access = accuracy_round_for(request.user, reference, round_id, doing)
    if access.round.is_open and accuracy_rounds_close_past_due(review_id=access.review.pk):
        access = accuracy_round_for(request.user, reference, round_id, doing)  # read again, closed
    return access


@login_required
def accuracy_round(request: AuthenticatedHttpRequest, reference: str, round_id: int) -> HttpResponse:
    access = _round(request, reference, round_id)
    access_record(request, access.review, "accuracy_round", round=round_id)
    return _round_page(request, access)


def _lead_only(access: RoundAccess, doing: str) -> None:
    if not access.is_lead:
        raise PermissionDenied(
            f"You need the lead role of an agency asked in this round on {access.review} to {doing}."
        )


@login_required
def accuracy_comment(request: AuthenticatedHttpRequest, reference: str, round_id: int) -> HttpResponse:
    access = _round(request, reference, round_id, "comment on the draft")
    _lead_only(access, "comment on the draft")
    if (refused := post_only(request)) is not None:
        return refused
    page = round_page(access.round, agency_ids=access.own_agency_ids)
    form = CommentForm(
        request.POST, sections=[s.shown.section for s in page.sections], agencies=_agency_choices(access)
    )
    sent = submit(
        form,
        lambda data: submit_once(
            token=data["submission"],
            user=request.user,
            create=lambda: accuracy_comment_add(
                actor=request.user,
                round_id=access.round.pk,
                agency_id=data["agency"],
                section_id=data["section"],
                text=data["text"],
            ),
            result_url=lambda _comment: reverse("reviews:accuracy_round", args=[reference, round_id]),
        ),
        refused=TransitionRefused,
        check=IdentityCheck(
            actor=request.user, target=access.review, fields=("text",), what="factual accuracy comment"
        ),
    )
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda _comment: "Comment added. Send your comments when you have finished.",
            repeated="This comment had already been sent: it was added once.",
        )
    return _round_page(request, access, comment_form=form, refusal=sent.refusal, status=sent.status)


@login_required
def accuracy_answer_view(request: AuthenticatedHttpRequest, reference: str, round_id: int) -> HttpResponse:
    access = _round(request, reference, round_id, "answer for the agency")
    _lead_only(access, "answer for the agency")
    if (refused := post_only(request)) is not None:
        return refused
    form = AnswerForm(request.POST, agencies=_agency_choices(access))
    sent = submit(
        form,
        lambda data: accuracy_answer(
            actor=request.user,
            round_id=access.round.pk,
            agency_id=data["agency"],
            no_inaccuracies=data["answer"] == "none",
        ),
        refused=TransitionRefused,
    )
    if sent.saved:
        messages.success(request, "Your agency's answer has been sent.")
        return redirect("reviews:accuracy_round", reference=reference, round_id=round_id)
    return _round_page(request, access, answer_form=form, refusal=sent.refusal, status=sent.status)


@login_required
def accuracy_responses(request: AuthenticatedHttpRequest, reference: str, round_id: int) -> HttpResponse:
    """The reviewer's page: every comment of the round, each with its answer or a form to answer it."""
    access = _round(request, reference, round_id, "answer the comments")
    if not access.sees_all:
        raise PermissionDenied(
            f"You need the chair's or the review coordinator's role on {access.review} to answer the comments."
        )
    failed: ResponseForm | None = None
    status = 200
    if request.method == "POST":
        raw = request.POST.get("comment", "")
        comment_id = int(raw) if raw.isdigit() else 0
        form = ResponseForm(request.POST, comment_id=comment_id)
        sent = submit(
            form,
            lambda data: accuracy_comment_respond(
                actor=request.user,
                review_id=access.review.pk,
                comment_id=data["comment"],
                outcome=data["outcome"],
                reason=data["reason"],
            ),
            check=IdentityCheck(
                actor=request.user, target=access.review, fields=("reason",), what="factual accuracy response"
            ),
        )
        if sent.saved:
            messages.success(request, "Your answer to the comment has been saved.")
            return redirect("reviews:accuracy_responses", reference=reference, round_id=round_id)
        failed, status = form, sent.status
    page = round_page(access.round)
    comments: list[tuple[AccuracyComment, ResponseForm]] = []
    for section in page.sections:
        for comment in section.comments:
            if failed is not None and failed.data.get("comment") == str(comment.pk):
                comments.append((comment, failed))
                continue
            response = getattr(comment, "response", None) if hasattr(comment, "response") else None
            initial = {"outcome": response.outcome, "reason": response.reason} if response else None
            comments.append((comment, ResponseForm(comment_id=comment.pk, initial=initial)))
    access_record(request, access.review, "accuracy_round", round=round_id, responses=True)
    return render(
        request,
        "reviews/accuracy/responses.html",
        {
            "review": access.review,
            "round": access.round,
            "page": page,
            "comments": comments,
            "error_summary": failed.error_summary() if failed is not None else [],
            "unknown_comment": failed is not None and not any(form is failed for _, form in comments),
        },
        status=status,
    )
