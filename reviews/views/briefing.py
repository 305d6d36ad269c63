"""A review's learning briefing: one printable page of its published learning, to everyone on the
review once publication is recorded; 404 before (the learning is not public yet)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from reviews.permissions import review_for
from reviews.selectors.briefing import briefing
from workflows.types import AuthenticatedHttpRequest


@login_required
def learning_briefing(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = review_for(request.user, reference)
    found = briefing(access.review)
    if found is None:
        raise Http404("No published learning.")
    return render(request, "reviews/briefing/briefing.html", {"review": access.review, "briefing": found})
