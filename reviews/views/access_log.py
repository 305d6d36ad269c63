"""The coordinator's "who has looked at this review" page, read from the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from reviews.selectors.access_log import access_rows
from reviews.views._common import render_page, require, review_and_permissions


@login_required
def review_access_log(request: HttpRequest, reference: str) -> HttpResponse:
    # 404 without a role on the review, 403 for a role other than its coordinator.
    review, perms = review_and_permissions(request, reference)
    require(perms, "coordinate_review", "see who has looked at the review")
    return render_page(request, "reviews/access_log.html", {"review": review, "rows": access_rows(review)})
