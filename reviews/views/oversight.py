"""The oversight dashboard of one partnership, and the reviews behind each of its figures.

Both go through ``partnership_figures_for``: 404 to anyone who is not the partnership's coordinator,
business manager or scrutineer. The coordinators and the business manager read exact figures,
marked not for publication, each linked to the reviews behind it; the scrutineer reads the counts
under disclosure control with no links and no list of reviews, and the reviews list is 404 to them
(HIDDEN: a scrutineer reads figures only, never which reviews they count).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from project.db_router import reading_from_replica
from reviews.permissions import partnership_figures_for, reviews_for_user
from reviews.selectors.oversight import figure_reviews, oversight_for, period_from, querystring
from ui.pagination import paginate
from workflows.types import AuthenticatedHttpRequest


@login_required
def oversight_dashboard(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    access = partnership_figures_for(request.user, code)
    today = timezone.localdate()
    period, errors = period_from(request.GET, today)
    for error in errors:
        messages.error(request, error)
    # The figures, and the page drawn from them, read from the replica when there is one.
    with reading_from_replica():
        figures = oversight_for(access, period, today)
        links = access.sees_reviews and access.exact
        predictions = paginate(
            list(figures.predictions), request.GET, singular="predicted breach", plural="predicted breaches"
        )
        return render(
            request,
            "reviews/oversight/dashboard.html",
            {
                "access": access,
                "oversight": figures,
                "links": links,
                "tables": [(f, f.lines(links)) for f in figures.figures],
                "predictions": predictions,
                "period": period,
            },
        )


@login_required
def oversight_reviews(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    access = partnership_figures_for(request.user, code)
    if not access.sees_reviews:
        raise Http404("No such page.")
    today = timezone.localdate()
    with reading_from_replica():
        reviews, what, errors = figure_reviews(access.partnership, request.GET, today)
        for error in errors:
            messages.error(request, error)
        visible = reviews.filter(pk__in=reviews_for_user(request.user).values("pk")).order_by("reference")
        pages = paginate(visible, request.GET, singular="review", plural="reviews")
        return render(
            request,
            "reviews/oversight/reviews.html",
            {"access": access, "pages": pages, "what": what, "back_query": querystring(request.GET)},
        )
