"""Recording a review's key dates (the dates its clocks start and stop on)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from reviews.forms import KeyDatesForm
from reviews.services import review_record_key_dates
from reviews.views._common import render_page, require, review_and_permissions


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
