"""A partnership's themes: the list its administrator or business manager keeps, and one theme
followed from the reviews that found it to their recommendations and actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from reviews.forms.search import ThemeForm
from reviews.models import Theme
from reviews.models.findings import DEFAULT_THEMES
from reviews.permissions import partnership_reader_for, themes_editor_for
from reviews.selectors.themes import theme_reviews, theme_totals, themes_of
from reviews.services.themes import theme_add, theme_remove
from ui.pagination import paginate
from ui.views import form_page, submit
from workflows.types import AuthenticatedHttpRequest


@login_required
def themes_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    partnership = themes_editor_for(request.user, code)
    if request.method == "POST" and "remove" in request.POST:
        name = request.POST["remove"]
        try:
            theme_remove(actor=request.user, partnership=partnership, name=name)
        except ValidationError as error:
            messages.error(request, " ".join(error.message_dict.get("name", error.messages)))
        else:
            messages.success(request, f"“{name}” taken off the list.")
        return redirect("reviews:themes", code=partnership.code)
    form = ThemeForm(request.POST if request.method == "POST" else None)
    sent = submit(form, lambda data: theme_add(actor=request.user, partnership=partnership, name=data["name"]))
    if sent.saved and sent.result is not None:
        messages.success(request, f"“{sent.result.name}” added.")
        return redirect("reviews:themes", code=partnership.code)
    stored = themes_of(partnership)
    return form_page(
        request,
        "reviews/themes/edit.html",
        sent,
        {
            "partnership": partnership,
            "themes": [theme.name for theme in stored] or list(DEFAULT_THEMES),
            "defaults": not stored,
        },
    )


@login_required
def theme_view(request: AuthenticatedHttpRequest, code: str, theme_id: int) -> HttpResponse:
    partnership = partnership_reader_for(request.user, code)
    theme = Theme.objects.filter(pk=theme_id, partnership=partnership).first()
    if theme is None:
        raise Http404("No such theme.")
    pages = paginate(theme_reviews(request.user, theme), request.GET, singular="review", plural="reviews")
    return render(
        request,
        "reviews/themes/theme.html",
        {"partnership": partnership, "theme": theme, "pages": pages, "totals": theme_totals(request.user, theme)},
    )
