"""The timeliness record as CSV: one review's clocks, or every clock of the reviews the user
coordinates (docs/DOMAIN.md, Clocks and Reporting)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.utils import timezone

from reviews.models import Review
from reviews.permissions import review_for
from reviews.selectors.actions import coordinated_review_ids
from reviews.selectors.timeliness import HEADERS, partnership_timeliness, review_timeliness
from reviews.services.access_log import access_record, access_record_many
from ui.csv import csv_lines, csv_response
from workflows.types import AuthenticatedHttpRequest


@login_required
def review_timeliness_export(request: AuthenticatedHttpRequest, reference: str) -> StreamingHttpResponse:
    # Clocks are progress, not case detail: every role on the review sees them on its page.
    review = review_for(request.user, reference).review
    today = timezone.localdate()
    rows = review_timeliness(review, today)
    access_record(request, review, "timeliness_export", rows=len(rows))
    return csv_response(f"{review.reference}-timeliness.csv", csv_lines(HEADERS, (row.cells() for row in rows)))


@login_required
def timeliness_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """Every clock of every review the user coordinates (none for anyone who coordinates none)."""
    today = timezone.localdate()
    reviews = Review.objects.filter(pk__in=coordinated_review_ids(request.user))
    # Taking the record away in a file counts as a look at each review in it.
    access_record_many(request, reviews.only("pk", "reference", "title"), "timeliness_export")
    rows = partnership_timeliness(reviews, today)
    return csv_response(f"timeliness-{today:%Y-%m-%d}.csv", csv_lines(HEADERS, (row.cells() for row in rows)))
