"""The engine's own records: every state change and every other attributable event.

Both tables are append-only. The application never updates or deletes them, and on PostgreSQL
(and SQLite) a trigger makes the database itself refuse UPDATE and DELETE, so no code path,
admin action or hand-written SQL can change history silently (migration 0002). Both are chained
as well (``Chained``, workflows.chain): whoever can lift the triggers still cannot change, remove
or truncate rows without ``manage.py verify_audit`` showing it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Now


class Chained(models.Model):
    """A table whose rows are written only through ``workflows.chain.chain_append``, each with a keyed
    MAC over its content and the previous row's MAC (docs/SECURITY.md, "Audit chain")."""

    # The timestamp column chain_append fills from the database's clock, if the table has one.
    chain_timestamp: str = ""

    mac = models.CharField(
        max_length=64, editable=False, help_text="HMAC-SHA256 of the row and the previous row's MAC."
    )

    class Meta:
        abstract = True


class AuditChainHead(models.Model):
    """The end of one table's chain: how many rows, the last one's id and MAC, and a MAC of its own
    over those, so removing rows from the end shows even though no later row points back at them."""

    chain = models.CharField(primary_key=True, max_length=100, help_text="The chained table's name.")
    row_count = models.PositiveBigIntegerField()
    last_id = models.PositiveBigIntegerField(null=True)
    last_mac = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}: {self.row_count} rows"


class TransitionLog(Chained):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    object_label = models.CharField(max_length=200, help_text="What the object was called then.")
    transition = models.CharField(max_length=100)
    from_state = models.CharField(max_length=50)
    to_state = models.CharField(max_length=50)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The database's clock, never the application's (set under the chain's lock by chain_append).
    at = models.DateTimeField(db_default=Now())
    reason = models.TextField(blank=True)

    chain_timestamp = "at"

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="transitionlog_object_at")]

    def __str__(self) -> str:
        return f"{self.object_label}: {self.from_state} → {self.to_state}"


class AuditEvent(Chained):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    verb = models.CharField(max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_default=Now())
    detail = models.JSONField(default=dict, blank=True)

    chain_timestamp = "at"

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="auditevent_object_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_label}"


class FormSubmission(models.Model):
    """A form that creates something, submitted once: its token, who sent it, where its result is.

    A second submission of the same form (a double click, a POST resent after a slow answer) finds
    the token taken and is sent to the first one's result instead of creating a duplicate
    (workflows.once.submit_once). Not part of the audit: rows may be pruned after a while.
    """

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.token} → {self.result_url}"
