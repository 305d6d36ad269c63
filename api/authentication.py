"""``Authorization: Bearer <token>``: a personal access token acting as its user."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from api.models import PersonalAccessToken
from api.services import secret_hash
from workflows.types import User

# last_used_at is rewritten at most this often: a write per request would put a row lock and a
# WAL record on every API call; a minute is precise enough to tell a token in use from a dead one.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, PersonalAccessToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: the permission check answers 401
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
        try:
            secret = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = PersonalAccessToken.objects.select_related("user").filter(secret_hash=secret_hash(secret)).first()
        now = timezone.now()
        # One message for unknown, revoked and expired alike would hide from the owner why their
        # machine stopped; naming revoked or expired tells a guesser nothing (they hold the secret).
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token is not valid.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("The token has been revoked.")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("The token has expired.")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            # Conditional: of many requests in the same minute, one writes (and none waits on it).
            PersonalAccessToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
            ).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without a token.
        return f'{self.keyword} realm="api"'
