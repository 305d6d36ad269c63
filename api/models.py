"""Personal access tokens and the idempotency keys of POSTs (docs/API.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    # GET anything the user may read.
    READ = "read", "Read"
    # An agency lead's writes (entries, reports, progress, evidence).
    CONTRIBUTE = "contribute", "Contribute"
    # A coordinator's writes: moving reviews, contributions and actions through their steps.
    COORDINATE = "coordinate", "Coordinate"
    # Sending notifications of a child's death to the CDR intake (POST /api/v1/intake/notifications),
    # for a hospital's system: nothing else. Every other request needs one of the scopes above, so a
    # token with only this one reads nothing and changes nothing (docs/API.md, "CDR intake").
    NOTIFY = "notify", "Notify a child's death"


class PersonalAccessToken(models.Model):
    """A token a person made for a machine. It acts as its user with exactly that user's roles, and
    only within its scopes. The secret is shown once when made and never stored: only its SHA-256
    hash is (a token is 32 random bytes, so a plain hash is enough: nothing to guess or to salt
    against), and the prefix, shown to the user to tell their tokens apart."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an ``Idempotency-Key`` header, replayed to a repeat
    with the same key and body for 24 hours (api/idempotency.py). ``status`` 0 marks a request
    still running."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    response_body = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
