"""The family's involvement: the coordinator records it, the chair and the coordinator read it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reviews.forms.family import FamilyInvolvementForm, FamilyMeetingForm
from reviews.models import DocumentKind, FamilyInvolvement
from reviews.permissions import (
    COORDINATE,
    FAMILY_READERS,
    LEAD_AGENCY,
    lead_agency_ids,
    review_for,
)
from reviews.selectors.documents import documents_for
from reviews.selectors.family import family_involvement, family_meetings
from reviews.services.access_log import access_record
from reviews.services.family import family_involvement_record, family_meeting_record
from reviews.services.subjects import IdentityCheck
from ui.views import form_page, redirect_once, submit
from workflows.once import submit_once
from workflows.runner import TransitionRefused
from workflows.types import AuthenticatedHttpRequest

FREE_TEXT = ("told_by", "not_told_reason", "views_note")


def _initial(record: FamilyInvolvement | None) -> dict[str, object]:
    if record is None:
        return {}
    return {
        field: getattr(record, field)
        for field in (
            "told_on",
            "told_by",
            "told_how",
            "not_told_reason",
            "views_sought_on",
            "views_given_on",
            "views_note",
            "saw_report_on",
        )
    }


@login_required
def family_page(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = review_for(request.user, reference, FAMILY_READERS, "read the family's involvement")
    review = access.review
    record = family_involvement(review)
    form = None
    sent = None
    if access.is_coordinator:
        form = FamilyInvolvementForm(request.POST if request.method == "POST" else None, initial=_initial(record))
    if request.method == "POST":
        access.require(COORDINATE, "record the family's involvement")
        assert form is not None
        sent = submit(
            form,
            lambda data: family_involvement_record(
                actor=request.user, review_id=review.pk, data=form.involvement_data()
            ),
            refused=TransitionRefused,
            check=IdentityCheck(actor=request.user, target=review, fields=FREE_TEXT, what="family involvement"),
        )
        if sent.saved:
            messages.success(request, "The family's involvement is saved.")
            return redirect("reviews:family", reference=review.reference)
    else:
        access_record(request, review, "family")
    leads = lead_agency_ids(request.user, review) if LEAD_AGENCY in access.perms else frozenset()
    # The documents holding the family's views, as the documents list shows them to this reader.
    documents = documents_for(review, access.perms, leads).filter(kind=DocumentKind.FAMILY_VIEWS)
    return render(
        request,
        "reviews/family/page.html",
        {
            "review": review,
            "record": record,
            "meetings": family_meetings(review),
            "documents": documents,
            "form": form,
            "error_summary": form.error_summary() if form is not None and form.is_bound else [],
            "can_record": access.is_coordinator,
            "refusal": sent.refusal if sent is not None else None,
        },
        status=sent.status if sent is not None else 200,
    )


@login_required
def family_meeting_add(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    review = review_for(request.user, reference, COORDINATE, "record meetings with the family").review
    form = FamilyMeetingForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: submit_once(
            token=data["submission"],
            user=request.user,
            create=lambda: family_meeting_record(actor=request.user, review_id=review.pk, data=form.meeting_data()),
            result_url=lambda meeting: reverse("reviews:family", args=[review.reference]) + f"#meeting-{meeting.pk}",
        ),
        refused=TransitionRefused,
        check=IdentityCheck(actor=request.user, target=review, fields=("attended", "note"), what="family meeting"),
    )
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda meeting: f"The meeting of {meeting.held_on:%-d %B %Y} is recorded.",
            repeated="This form had already been sent: the meeting was recorded once.",
        )
    return form_page(request, "reviews/family/meeting_add.html", sent, {"review": review})
