"""Adding a subject, and the one page that shows a subject's identity."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from reviews.forms.subjects import SubjectForm
from reviews.models import Sex, Subject
from reviews.permissions import COORDINATE, VIEW_IDENTITY, review_for
from reviews.services.access_log import access_record
from reviews.services.subjects import SubjectData, subject_add
from ui.views import form_page, submit
from workflows.types import AuthenticatedHttpRequest


@login_required
def subject_add_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    review = review_for(request.user, reference, COORDINATE, "add a subject").review
    form = SubjectForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: subject_add(
            actor=request.user,
            review_id=review.pk,
            data=SubjectData(
                pseudonym=data["pseudonym"],
                date_of_birth=data["date_of_birth"],
                date_of_death_or_incident=data["date_of_death_or_incident"],
                sex=data["sex"] or Sex.NOT_KNOWN,
                full_name=data["full_name"],
                nhs_number=data["nhs_number"],
                address=data["address"],
            ),
        ),
    )
    if sent.saved and sent.result is not None:
        messages.success(request, f"{sent.result.pseudonym} added.")
        return redirect("reviews:review", reference=review.reference)
    return form_page(request, "reviews/subject_add.html", sent, {"review": review})


@login_required
def subject_identity(request: AuthenticatedHttpRequest, reference: str, subject_id: int) -> HttpResponse:
    review = review_for(request.user, reference, VIEW_IDENTITY, "see who a subject is").review
    subject = get_object_or_404(Subject.objects.select_related("identity"), pk=subject_id, review=review)
    # Reading an identity is itself attributable (docs/DOMAIN.md: need-to-know access to special
    # category data), so every view of this page leaves an audit row naming the pseudonym only.
    access_record(request, review, "identity", pseudonym=subject.pseudonym)
    identity = getattr(subject, "identity", None)
    return render(
        request, "reviews/subject_identity.html", {"review": review, "subject": subject, "identity": identity}
    )
