"""What the API tests send: a token, and a client that sends it (tests/api, tests/reviews/api)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from api.models import Scope
from api.services import token_create


def make_token(user, scopes: Iterable[str] = Scope.values, *, days: int = 30) -> str:
    """A new token's secret."""
    _, secret = token_create(actor=user, name="test", scopes=scopes, expires_at=timezone.now() + timedelta(days=days))
    return secret


class ApiClient:
    """Sends API requests with a Bearer token and no session, as a machine does."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.secret = secret

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**headers, **(extra or {})}

    def get(self, url: str, **params):
        return self.client.get(url, params, headers=self.headers())

    def post(self, url: str, body: object = None, *, headers: dict[str, str] | None = None, raw: str | None = None):
        import json

        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(url, data=data, content_type="application/json", headers=self.headers(headers))
