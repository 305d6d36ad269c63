"""Opening a review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from reviews.forms import OpenReviewForm
from reviews.permissions import partnerships_user_coordinates
from reviews.services import SubjectData, review_open
from reviews.views._common import render_page
from workflows.once import submit_once


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
