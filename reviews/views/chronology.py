"""The merged multi-agency chronology of a review: the page, the printable page, the CSV export,
and its release to the contributing agencies.

Coordinators, chairs and panel members read every agency's submitted entries; an agency lead
only their own agency's until the coordinator releases the merged chronology. A scrutineer
holds a role on the review but no access to case detail: 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect

from reviews.access_log import access_record
from reviews.chronology import csv_rows
from reviews.models import Review
from reviews.selectors_contributions import MergedChronology, chronology_rows, merged_chronology
from reviews.services.chronology import chronology_release
from reviews.views._common import render_page, review_and_permissions
from workflows.runner import TransitionRefused


def _readable(request: HttpRequest, reference: str) -> tuple[Review, frozenset[str], MergedChronology]:
    review, perms = review_and_permissions(request, reference)
    chronology = merged_chronology(request.user, review, request.GET)
    if chronology is None:
        raise PermissionDenied("The chronology is case detail: it is shown only to the people working on the review.")
    return review, perms, chronology


def _context(review: Review, perms: frozenset[str], chronology: MergedChronology) -> dict[str, object]:
    return {
        "review": review,
        "chronology": chronology,
        "filters": chronology.filters,
        "filter_query": chronology.filters.querystring(),
        "can_coordinate": "coordinate_review" in perms,
        "own_agency_only": not chronology.scope.all_agencies,
    }


@login_required
def chronology_view(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms, chronology = _readable(request, reference)
    access_record(request, review, "chronology")
    page = chronology.page(request.GET.get("page"))
    context = _context(review, perms, chronology)
    context.update(
        {
            "page": page,
            "rows": chronology_rows(chronology, page.object_list),
            "previous_query": chronology.filters.querystring(page=page.previous_page_number())
            if page.has_previous()
            else "",
            "next_query": chronology.filters.querystring(page=page.next_page_number()) if page.has_next() else "",
        }
    )
    return render_page(request, "reviews/chronology/merged.html", context)


@login_required
def chronology_print(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms, chronology = _readable(request, reference)
    access_record(request, review, "chronology_print")
    context = _context(review, perms, chronology)
    context["rows"] = chronology_rows(chronology, chronology.entries)
    return render_page(request, "reviews/chronology/print.html", context)


@login_required
def chronology_export(request: HttpRequest, reference: str) -> StreamingHttpResponse:
    review, _perms, chronology = _readable(request, reference)
    # Taking case data away in a file is itself attributable.
    access_record(
        request,
        review,
        "chronology_export",
        agencies=chronology.filters.agency_ids,
        significant_only=chronology.filters.significant_only,
    )
    response = StreamingHttpResponse(csv_rows(chronology.entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{review.reference}-chronology.csv"'
    return response


@login_required
def chronology_release_view(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = review_and_permissions(request, reference)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        chronology_release(actor=request.user, review_id=review.pk)
    except TransitionRefused as refused:
        messages.info(request, refused.message)
    else:
        messages.success(request, "The merged chronology is now visible to every agency lead on this review.")
    return redirect("reviews:chronology", reference=review.reference)
