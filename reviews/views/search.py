"""The search box: everything the user may read, across every review and kind (reviews/selectors/search.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from reviews.forms.search import SearchForm
from reviews.models import Agency, Theme
from reviews.models.findings import DEFAULT_THEMES
from reviews.permissions import reviews_for_user
from reviews.selectors.search import SearchResults, results
from ui.pagination import paginate
from workflows.types import AuthenticatedHttpRequest


@login_required
def search_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = reviews_for_user(request.user)
    # The partnerships of the user's reviews, as a subquery: joining every review of each partnership
    # instead read tens of thousands of rows for a coordinator at national scale, twice a page.
    partnership_ids = visible.values("partnership_id")
    own_themes = Theme.objects.filter(partnership_id__in=partnership_ids).values_list("name", flat=True).distinct()
    themes = list(dict.fromkeys([*DEFAULT_THEMES, *sorted(own_themes)]))
    agencies = Agency.objects.filter(partnerships__in=partnership_ids).distinct().order_by("name")
    form = SearchForm(request.GET if request.GET else None, themes=themes, agencies=agencies)
    context: dict[str, object] = {"form": form, "searched": False}
    status = 200
    if form.is_bound and not form.is_valid():
        context["error_summary"] = form.error_summary()
        status = 400
    elif form.is_bound:
        filters = form.filters()
        if filters.words:
            pages = paginate(SearchResults(request.user, filters), request.GET, singular="result", plural="results")
            context.update(searched=True, pages=pages, results=results(list(pages.page.object_list), filters.words))
    return render(request, "reviews/search/search.html", context, status=status)
