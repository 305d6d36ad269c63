"""A child death review's own pages: the notification dataset, the joint agency response's steps,
the child death review meeting, and the CDOP's page, which shows anonymised papers only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from reviews.forms.child_death import CdopReviewForm, DatasetForm, JarItemForm, MeetingForm
from reviews.models import ChildDeath, ChildDeathStage, JointAgencyResponseItem, ReviewKind
from reviews.models.child_death import JarItem
from reviews.permissions import CDOP_READERS, COORDINATE, ReviewAccess, review_for
from reviews.selectors.child_death import cdop_papers
from reviews.services.access_log import access_record
from reviews.services.child_death import (
    cdop_review_record,
    cdr_meeting_record,
    child_death_dataset_record,
    jar_item_record,
)
from reviews.services.subjects import IdentityCheck
from ui.views import form_page, submit
from workflows.runner import TransitionRefused
from workflows.types import AuthenticatedHttpRequest


def _child_death_review(request: AuthenticatedHttpRequest, reference: str) -> ReviewAccess:
    # The 404 for the review comes first: nobody without a role learns what kind of review it is.
    access = review_for(request.user, reference)
    if access.review.kind != ReviewKind.CHILD_DEATH:
        raise Http404("Only a child death review has these pages.")
    return access


def _back_to_review(reference: str) -> HttpResponse:
    return redirect("reviews:review", reference=reference)


@login_required
def child_death_dataset(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = _child_death_review(request, reference)
    access.require(COORDINATE, "record the notification dataset")
    review = access.review
    record = ChildDeath.objects.filter(review=review).first()
    form = DatasetForm.for_review(review, record, request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: child_death_dataset_record(actor=request.user, review_id=review.pk, data=form.dataset_data()),
        refused=TransitionRefused,
    )
    if sent.saved:
        messages.success(request, "Notification dataset recorded.")
        return _back_to_review(review.reference)
    return form_page(request, "reviews/child_death/dataset.html", sent, {"review": review})


@login_required
def child_death_jar_item(request: AuthenticatedHttpRequest, reference: str, item: str) -> HttpResponse:
    access = _child_death_review(request, reference)
    review = access.review
    if item not in JarItem.values or not review.death_unexpected:
        raise Http404("This review has no such step of a joint agency response.")
    access.require(COORDINATE, "record the joint agency response")
    label = JarItem(item).label
    recorded = JointAgencyResponseItem.objects.filter(review=review, item=item).first()
    form = JarItemForm(request.POST if request.method == "POST" and recorded is None else None)
    sent = submit(
        form,
        lambda data: jar_item_record(actor=request.user, review_id=review.pk, item=item, data=form.item_data()),
        refused=TransitionRefused,
        # Shown on the CDOP's anonymised papers: a real name here would reach the panel.
        check=IdentityCheck(
            actor=request.user, target=review, fields=("done_by", "note"), what="joint agency response"
        ),
    )
    if sent.saved:
        messages.success(request, f"{label} recorded.")
        return _back_to_review(review.reference)
    return form_page(
        request, "reviews/child_death/jar_item.html", sent, {"review": review, "label": label, "recorded": recorded}
    )


@login_required
def child_death_meeting(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = _child_death_review(request, reference)
    access.require(COORDINATE, "record the child death review meeting")
    review = access.review
    record = ChildDeath.objects.filter(review=review).first()
    held = record is not None and record.state != ChildDeathStage.AWAITING_MEETING
    form = MeetingForm(request.POST if request.method == "POST" and not held else None)
    sent = submit(
        form,
        lambda data: cdr_meeting_record(actor=request.user, review_id=review.pk, data=form.meeting_data()),
        refused=TransitionRefused,
        check=IdentityCheck(actor=request.user, target=review, fields=("notes",), what="child death review meeting"),
    )
    if sent.saved:
        messages.success(request, "Child death review meeting recorded.")
        return _back_to_review(review.reference)
    return form_page(
        request, "reviews/child_death/meeting.html", sent, {"review": review, "record": record if held else None}
    )


@login_required
def child_death_cdop(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The CDOP's page: anonymised papers for the panel; the coordinator records the panel's review."""
    access = _child_death_review(request, reference)
    access.require(CDOP_READERS, "read the CDOP's papers")
    review = access.review
    papers = cdop_papers(review)
    recordable = (
        access.is_coordinator and papers.record is not None and papers.record.state == ChildDeathStage.MEETING_HELD
    )
    if request.method == "POST":
        access.require(COORDINATE, "record the CDOP's review")
    form = CdopReviewForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: cdop_review_record(actor=request.user, review_id=review.pk, data=form.cdop_data()),
        refused=TransitionRefused,
        check=IdentityCheck(actor=request.user, target=review, fields=("notes",), what="CDOP review"),
    )
    if sent.saved:
        messages.success(request, "The CDOP's review recorded.")
        return redirect("reviews:child_death_cdop", reference=review.reference)
    access_record(request, review, "cdop_papers")
    return form_page(
        request,
        "reviews/child_death/cdop.html",
        sent,
        {"review": review, "papers": papers, "recordable": recordable},
    )
