"""Adding a subject, and the one page that shows a subject's identity."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from reviews.forms.subjects import SubjectForm
from reviews.models import Sex, Subject
from reviews.services.access_log import access_record
from reviews.services.subjects import SubjectData, subject_add
from reviews.views._common import render_page, require, review_and_permissions


@login_required
def subject_add_view(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = review_and_permissions(request, reference)
    require(perms, "coordinate_review", "add a subject")
    form = SubjectForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            subject = subject_add(
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
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{subject.pseudonym} added.")
            return redirect("reviews:review", reference=review.reference)
    return render_page(
        request,
        "reviews/subject_add.html",
        {"review": review, "form": form, "error_summary": form.error_summary()},
        status=400 if form.errors else 200,
    )


@login_required
def subject_identity(request: HttpRequest, reference: str, subject_id: int) -> HttpResponse:
    review, perms = review_and_permissions(request, reference)
    require(perms, "view_identity", "see who a subject is")
    subject = get_object_or_404(Subject.objects.select_related("identity"), pk=subject_id, review=review)
    # Reading an identity is itself attributable (docs/DOMAIN.md: need-to-know access to special
    # category data), so every view of this page leaves an audit row naming the pseudonym only.
    access_record(request, review, "identity", pseudonym=subject.pseudonym)
    identity = getattr(subject, "identity", None)
    return render_page(
        request, "reviews/subject_identity.html", {"review": review, "subject": subject, "identity": identity}
    )
