"""What every page of the web UI shares."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reviews.models import Review
from reviews.permissions import partnerships_user_coordinates
from reviews.selectors.review import review_get_for_user, review_permissions_for_user


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    """Render with what base.html needs; a context processor would need settings, owned elsewhere."""
    context = dict(context or {})
    context.setdefault("can_open_review", bool(partnerships_user_coordinates(request.user)))
    return render(request, template, context, status=status)


def review_and_permissions(request: HttpRequest, reference: str) -> tuple[Review, frozenset[str]]:
    """The review (Http404 without a role on it) and the codenames the user holds on it."""
    review = review_get_for_user(request.user, reference)
    return review, review_permissions_for_user(request.user, review)


def require(perms: frozenset[str], codename: str, doing: str) -> None:
    """403 for someone who has a role on the review, but not the one needed here."""
    if codename not in perms:
        raise PermissionDenied(f"Only the review coordinator can {doing}.")
