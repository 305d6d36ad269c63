"""The coordinator's "who has looked at this review" page, read from the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from reviews.permissions import COORDINATE, review_for
from reviews.selectors.access_log import access_rows
from workflows.types import AuthenticatedHttpRequest


@login_required
def review_access_log(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    # 404 without a role on the review, 403 for a role other than its coordinator.
    review = review_for(request.user, reference, COORDINATE, "see who has looked at the review").review
    return render(request, "reviews/access_log.html", {"review": review, "rows": access_rows(review)})
