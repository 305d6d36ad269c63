"""Request ids and structured (JSON) logs.

Every request gets an id: the caller's X-Request-ID when it is a plain token (a load balancer or
nginx may set one, so a line here joins the line there), or a new uuid. It is echoed in the
response's X-Request-ID header and added to every log record made while the request is handled
(a contextvar, so threads and async code each see their own). A Celery task's records carry
``task:<task id>`` instead.

LOG_FORMAT=json switches the console handler to ``JsonFormatter`` (project/settings.py); the demo
keeps plain text. The formatter is twenty lines of our own rather than python-json-logger: it
writes a fixed, documented set of keys (docs/OBSERVABILITY.md) and nothing a caller passes in
``extra`` can add fields to a line, so no dependency is needed for it.

This module is imported while logging is configured, before the apps are loaded: it must not
import models.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

HEADER = "X-Request-ID"
# A caller's id is taken only when it cannot forge a log line or bloat one: letters, digits and
# "._:-", at most 64 characters (a uuid, nginx's $request_id, an AWS trace id all fit).
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def current_request_id() -> str | None:
    return request_id_var.get()


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every other middleware's log lines carry the id too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(HEADER, "")
        request_id = offered if _ACCEPTED.fullmatch(offered) else uuid.uuid4().hex
        # Not reset when the view returns: Django logs a 4xx/5xx response ("Not Found: ...") after
        # the whole middleware chain has returned. It is cleared when the response is closed
        # (request_finished, below), and every request sets its own anyway.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _request_finished(**kwargs: Any) -> None:
    request_id_var.set(None)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and
    exception (the formatted traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get() or "-",
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def connect_signals() -> None:
    """The request id is cleared when a response is closed; a task's log records carry
    ``task:<id>`` as their request id while it runs."""
    from celery.signals import task_postrun, task_prerun
    from django.core.signals import request_finished

    request_finished.connect(_request_finished, weak=False, dispatch_uid="ops_request_id_finished")

    def started(task_id: str | None = None, **kwargs: Any) -> None:
        request_id_var.set(f"task:{task_id}" if task_id else None)

    def finished(**kwargs: Any) -> None:
        request_id_var.set(None)

    task_prerun.connect(started, weak=False, dispatch_uid="ops_task_request_id_started")
    task_postrun.connect(finished, weak=False, dispatch_uid="ops_task_request_id_finished")
