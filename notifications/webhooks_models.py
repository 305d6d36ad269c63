"""Signed webhooks (issue 16, item 5): a partnership's subscriptions, the outbox rows that carry
each event to each subscription, and the log of every attempt to send one.

Why here, and why keyed by a string: notifications never imports reviews (docs/ARCHITECTURE.md), and
the two things a webhook needs at delivery time, the endpoint with its secret and the event's payload,
are notifications' business. A subscription names its partnership as deadlines name theirs: by the
same key a deadline's ``calendar`` holds (the partnership's id as a string), so the reminder
expansion, which knows only deadlines, finds the subscriptions of a deadline's partnership without
asking reviews. The partnership's code is copied in for the payloads (codes start every review
reference and are not changed once reviews exist). Who may subscribe is reviews' question
(reviews.permissions.partnership_admin_for), answered before notifications is called.

Why a row of its own rather than another channel of ``Notification``: an outbox row there could be
written without a recipient (escalations to an address are), but every reader of that table (the
inbox, the failed-e-mail lists, the digest, the requeue of e-mails) would have to learn to leave
webhooks out, and a webhook needs what an e-mail does not (its subscription, a stable Webhook-Id, a
per-attempt log, its own back-off). The discipline is the same: written in the transaction of the
change, a unique idempotency key so an event is written once, claimed by a conditional UPDATE so it
is sent once, requeued when stuck.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookEvent(models.TextChoices):
    REVIEW_STAGE_CHANGED = "review.stage_changed", "A review moved to another stage"
    CONTRIBUTION_REQUESTED = "contribution.requested", "An agency was asked for a contribution"
    CONTRIBUTION_DUE_SOON = "contribution.due_soon", "A contribution is due soon (or today)"
    CONTRIBUTION_OVERDUE = "contribution.overdue", "A contribution is overdue"
    FINDINGS_SIGNED = "findings.signed", "The chair signed off the findings"
    ACTION_OVERDUE = "action.overdue", "An action is overdue"


class WebhookSubscription(models.Model):
    """An HTTPS endpoint of a partnership, told of the events it chose. Deactivated, never deleted:
    its deliveries stay in the log."""

    partnership_key = models.CharField(
        max_length=64, help_text="The partnership's id, as a deadline's calendar names it (reviews writes it)."
    )
    partnership_code = models.CharField(max_length=10, help_text="The partnership's code, for the payloads.")
    name = models.CharField(max_length=100, help_text="What the endpoint is, e.g. 'Police case system'.")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="The WebhookEvent values it receives.")
    # Kept as written: the server signs with it on every delivery, so it cannot be stored hashed.
    # Shown once, when the subscription is made; never on a page or in the admin afterwards.
    secret = models.CharField(max_length=128)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-active", "name", "id"]
        indexes = [
            # Every emitted event reads the partnership's active subscriptions.
            models.Index(fields=["partnership_key"], name="webhooksub_active", condition=models.Q(active=True)),
        ]
        constraints = [
            # Two active subscriptions of one endpoint would send it every event twice (a second click
            # on "Subscribe"): the service refuses it in words, this is the backstop for a race.
            models.UniqueConstraint(
                fields=["partnership_key", "url"], condition=models.Q(active=True), name="webhooksub_one_active_per_url"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    def receives(self, event: str) -> bool:
        return event in (self.events or [])

    def event_labels(self) -> list[str]:
        return [str(WebhookEvent(event).label) for event in WebhookEvent.values if event in (self.events or [])]


class WebhookDelivery(models.Model):
    """One event for one subscription: an outbox row.

    READY -> SENDING (claimed by a conditional UPDATE) -> SENT on a 2xx, back to READY with a back-off
    on anything else, FAILED once every attempt is used. CANCELLED: the subscription was deactivated
    before it went out.
    """

    class Status(models.TextChoices):
        READY = "ready", "Ready to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    idempotency_key = models.CharField(max_length=255, unique=True)
    # The Webhook-Id header: the same on every attempt, so a receiver can drop a repeat.
    webhook_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.PROTECT, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now, help_text="Not attempted before this (back-off).")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["status", "available_at"],
                name="webhookdelivery_pending",
                condition=models.Q(status__in=["ready", "sending"]),
            ),
            models.Index(fields=["subscription", "created_at"], name="webhookdelivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.subscription_id} ({self.get_status_display().lower()})"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: what the endpoint answered, or why nothing came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhookattempt_unique_number"),
        ]

    def __str__(self) -> str:
        outcome = self.status_code if self.status_code is not None else self.error[:60]
        return f"Attempt {self.number}: {outcome}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
