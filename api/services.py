"""Making and revoking personal access tokens: the only writers of ``PersonalAccessToken``."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from api.models import PersonalAccessToken, Scope
from workflows.audit import audit_record
from workflows.types import User

# Every secret starts with this, so a leaked one is recognisable (secret scanners, logs).
SECRET_PREFIX = "rvt_"
# How many characters of the secret the token's list shows, to tell tokens apart.
SHOWN_LENGTH = len(SECRET_PREFIX) + 6
# The longest a token may live: a machine's credential that skips two-factor sign-in is renewed
# at least yearly.
MAX_LIFETIME = timedelta(days=366)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *, actor: User, name: str, scopes: Iterable[str], expires_at: datetime
) -> tuple[PersonalAccessToken, str]:
    """A new token for ``actor`` and its secret, which is returned here once and never stored."""
    chosen = sorted(set(scopes))
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter a name for the token"
    if not chosen or not set(chosen) <= set(Scope.values):
        errors["scopes"] = "Choose at least one scope: read, contribute, coordinate or notify"
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = "The expiry date must be in the future"
    elif expires_at > now + MAX_LIFETIME:
        errors["expires_at"] = "A token may last a year at most"
    if errors:
        raise ValidationError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            user=actor,
            name=name.strip(),
            prefix=secret[:SHOWN_LENGTH],
            secret_hash=secret_hash(secret),
            scopes=chosen,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            verb="api_token.created",
            target=token,
            name=token.name,
            prefix=token.prefix,
            scopes=chosen,
            expires_at=expires_at.isoformat(),
        )
    return token, secret


def token_revoke(*, actor: User, token_id: int) -> PersonalAccessToken:
    """Revoke one of ``actor``'s own tokens (another user's is not found). Revoking twice is a no-op."""
    with transaction.atomic():
        token = PersonalAccessToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
        if token is None:
            raise Http404("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=actor, verb="api_token.revoked", target=token, name=token.name, prefix=token.prefix)
    return token
