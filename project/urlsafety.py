"""Middleware that refuses a URL holding a NUL character before any view sees it.

A NUL (%00) in a path segment reaches the view as part of an argument (a review's reference, a
name), and PostgreSQL refuses any text holding one: the lookup failed with a 500 instead of a
404. No URL of the project can hold a NUL, so the path is answered 404 for every route at once,
and a query string holding one is a bad request (400).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse


class NulRefusalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Raised here, these become the project's own 404 and 400 pages, with its headers.
        if "\x00" in request.path_info:
            raise Http404("No page has a NUL character in its address.")
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            raise BadRequest("The address's query holds a NUL character.")
        return self.get_response(request)
