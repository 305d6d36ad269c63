"""RFC 9457 problem details (``application/problem+json``) for every error the API gives.

Two doors lead here: DRF's exception handler (every error raised in an API view) and Django's
error handlers for /api/ paths (a URL no route matches, a NUL in a query, a crash before or
outside a view), so a client never receives an HTML page from the API. Members: ``type`` (a URN
naming the kind of problem, listed in docs/API.md; ``about:blank`` when the status says it all),
``title``, ``status``, ``detail`` and, for bad input, ``errors``: ``{"field": ["message", ...]}``,
or a list with one such object per row for a batch.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response

CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"
BLANK = "about:blank"


def problem_type(code: str) -> str:
    return f"urn:review-engine:problem:{code}"


# The kinds of problem with a type of their own (docs/API.md lists them).
VALIDATION = problem_type("validation")
SCOPE = problem_type("missing-scope")
STALE = problem_type("stale-state")
BLOCKED = problem_type("blocked")
IDEMPOTENCY_MISMATCH = problem_type("idempotency-key-reused")
IDEMPOTENCY_IN_PROGRESS = problem_type("idempotency-key-in-progress")


class Problem(exceptions.APIException):
    """An error with a problem type of its own and, optionally, more members (``reasons``...)."""

    def __init__(self, status_code: int, detail: str, *, type: str = BLANK, title: str = "", **extra: Any) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.type = type
        self.title = title or HTTPStatus(status_code).phrase
        self.extra = extra


def problem(status_code: int, detail: str = "", *, type: str = BLANK, title: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type,
        "title": title or HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail or HTTPStatus(status_code).description,
    }
    body.update(extra)
    return body


def _field_errors(detail: Any) -> Any:
    """DRF's ValidationError detail as ``{"field": [messages]}`` (or a list of those, per row);
    errors not tied to a field go under ``non_field_errors``."""
    if isinstance(detail, dict):
        return {
            str(key): _messages(value) if not isinstance(value, dict) else _field_errors(value)
            for key, value in detail.items()
        }
    if isinstance(detail, list) and detail and all(isinstance(item, dict) for item in detail):
        return [_field_errors(item) for item in detail]
    return {"non_field_errors": _messages(detail)}


def _messages(value: Any) -> Any:
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            return [_field_errors(item) for item in value]  # a nested list of rows
        return [str(item) for item in value]
    return [str(value)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every exception DRF would answer, as problem details. Anything
    else is left to raise (a 500, answered by ``server_error`` below)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if str(exc) else None)
    elif isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    # APIView.handle_exception has already put the authenticator's challenge on a 401.
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    if isinstance(exc, Problem):
        body = problem(exc.status_code, str(exc.detail), type=exc.type, title=exc.title, **exc.extra)
    elif isinstance(exc, exceptions.ValidationError):
        body = problem(
            exc.status_code,
            "The request has invalid fields: see errors.",
            type=VALIDATION,
            title="Invalid input",
            errors=_field_errors(exc.detail),
        )
    else:
        body = problem(exc.status_code, _text(exc.detail))
    from rest_framework.views import set_rollback  # here: DRF's views import this module's users

    set_rollback()
    return Response(body, status=exc.status_code, headers=headers, content_type=CONTENT_TYPE)


def _text(detail: Any) -> str:
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(_text(value) for value in detail.values())
    return str(detail)


def body_too_large_detail(limit: int) -> str:
    return f"The request body is over the limit of {limit // 1024} KB: send the data in smaller parts."


def problem_response(status_code: int, detail: str = "", **extra: Any) -> HttpResponse:
    """A problem outside DRF (Django's error handlers)."""
    return JsonResponse(problem(status_code, detail, **extra), status=status_code, content_type=CONTENT_TYPE)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


# Django's error handlers (project/urls.py): problem details on /api/ paths, the pages elsewhere.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):  # Django read the body and found it too large
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
            return problem_response(413, body_too_large_detail(limit))
        return problem_response(400, "The request could not be understood.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return problem_response(403, str(exception) or "You may not do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        # Never the resolver's list of patterns or the path: the same words for every miss.
        return problem_response(404, "There is nothing at this address.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return problem_response(500, "Something went wrong on our side; it has been logged.")
    return defaults.server_error(request)
