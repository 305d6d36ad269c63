"""``Idempotency-Key`` on every POST: a repeat gets the first response and writes nothing.

- The key's row is inserted first, in its own transaction, before the view runs, with status 0
  ("running"). The unique constraint on (user, key) lets exactly one request insert it.
- A request whose key is already there compares what it sent: another method, path or body
  (SHA-256 of the raw bytes) is a 422; the same, while the first still runs, a **409 "in
  progress"** at once (it does not wait: a client retries later and then gets the replay); the
  same once the first has finished, the first response replayed (status, body, content type),
  marked ``Idempotent-Replayed: true``.
- When the view has answered, its response is stored on the row. A 5xx is not stored: the row is
  deleted so the client may try again with the same key.
- Keys are kept for ``IDEMPOTENCY_KEY_HOURS`` (24): older rows are ignored here and purged by the
  beat task ``api.tasks.purge_idempotency_keys``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import IdempotencyKey
from api.problems import IDEMPOTENCY_IN_PROGRESS, IDEMPOTENCY_MISMATCH, Problem
from workflows.types import User

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"


def kept_for() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


class Replay(Exception):
    """Raised before the view runs when the first response is to be replayed."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response
        super().__init__("replay")


def _claim(request: Request, key: str) -> IdempotencyKey:
    """Insert the key's row or raise what a repeat gets (Replay, 409 or 422)."""
    body_hash = hashlib.sha256(request._request.body).hexdigest()
    method, path = request.method or "", request.path
    user = request.user
    assert isinstance(user, User)  # TokenScope let only a token's user through
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(user=user, key=key, method=method, path=path, body_hash=body_hash)
        except IntegrityError:
            first = IdempotencyKey.objects.filter(user=user, key=key).first()
            if first is None:
                continue  # purged between the two statements: claim it again
            if first.created_at < timezone.now() - kept_for():
                # Past its 24 hours, not yet purged: the key is free again.
                IdempotencyKey.objects.filter(pk=first.pk, created_at=first.created_at).delete()
                continue
            if (first.method, first.path, first.body_hash) != (method, path, body_hash):
                raise Problem(
                    422,
                    f"This {HEADER} was used for a different request (another body or address) in the last "
                    f"{settings.IDEMPOTENCY_KEY_HOURS} hours. Use a new key for a new request.",
                    type=IDEMPOTENCY_MISMATCH,
                    title="Idempotency key reused",
                ) from None
            if first.status == 0:
                raise Problem(
                    409,
                    f"A request with this {HEADER} is still being processed. Retry it shortly to get its response.",
                    type=IDEMPOTENCY_IN_PROGRESS,
                    title="Request in progress",
                ) from None
            replay = HttpResponse(bytes(first.response_body), status=first.status, content_type=first.content_type)
            replay[REPLAYED_HEADER] = "true"
            raise Replay(replay) from None
    raise Problem(409, "The idempotency key could not be claimed; retry.", type=IDEMPOTENCY_IN_PROGRESS)


class IdempotentMixin(APIView):
    """For every API view: a POST with an ``Idempotency-Key`` runs once (see the module's text)."""

    _idempotency: IdempotencyKey | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticated, permitted, throttled first
        self._idempotency = None
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise Problem(400, f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} characters.")
        self._idempotency = _claim(request, key)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Replay):
            return exc.response  # type: ignore[return-value]  # a stored response, already rendered
        try:
            return super().handle_exception(exc)
        except Exception:
            # A crash (500): free the key, so the client's retry runs rather than waiting 24 hours.
            if self._idempotency is not None:
                IdempotencyKey.objects.filter(pk=self._idempotency.pk).delete()
                self._idempotency = None
            raise

    def finalize_response(  # type: ignore[override]  # a replay is a plain HttpResponse
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        claimed, self._idempotency = self._idempotency, None
        if claimed is None:
            return response
        if response.status_code >= 500:
            IdempotencyKey.objects.filter(pk=claimed.pk).delete()
            return response
        if isinstance(response, Response):
            response.render()
        IdempotencyKey.objects.filter(pk=claimed.pk).update(
            status=response.status_code,
            response_body=getattr(response, "content", b""),
            content_type=response.get("Content-Type", ""),
        )
        return response


def idempotency_keys_purge() -> int:
    """Delete the keys older than their 24 hours (the beat task)."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - kept_for()).delete()
    return deleted
