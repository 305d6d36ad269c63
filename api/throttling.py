"""Throttling per token, counted in the project's shared cache (the same Redis cache the public
notification form's rate limit counts in, CACHE_URL), so every web process sees one count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import PersonalAccessToken

if TYPE_CHECKING:  # DRF imports this module while defining APIView
    from rest_framework.views import APIView


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        # Read per request from API_THROTTLE_RATE (DRF's default reads its rates once, at import).
        return str(settings.API_THROTTLE_RATE)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        token = request.auth
        if not isinstance(token, PersonalAccessToken):
            return None  # no token: refused with 401 before it costs anything
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
