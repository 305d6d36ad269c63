"""Deadlines as data, the reminder policy per deadline kind, and the outbox.

notifications knows nothing about reviews: a deadline points at its target through a content type
and id, and carries the few words an e-mail needs (reference, what is due, a link) in ``context``,
written by the app that owns the target (reviews/services/deadlines.py). Never a child's name or NHS number.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class DeadlineKind(models.TextChoices):
    CONTRIBUTION_DUE = "contribution_due", "Agency contribution due"
    CLOCK_DUE = "clock_due", "Statutory clock due"
    ACTION_DUE = "action_due", "Action due"
    FINDINGS_SIGN_OFF = "findings_sign_off", "Findings awaiting the chair's sign-off"
    ACCURACY_DUE = "accuracy_due", "Factual accuracy comments due"


class DeadlineState(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    WAIVED = "waived", "Waived"
    CANCELLED = "cancelled", "Cancelled"


class ReminderPolicy(models.Model):
    """When reminders go out for one kind of deadline, in working days relative to the due date.

    With no row for a kind the defaults of issue 4 apply (notifications.policies.DEFAULT_SCHEDULE).
    """

    kind = models.CharField(max_length=40, choices=DeadlineKind.choices, unique=True)
    offsets = models.JSONField(
        default=list,
        help_text="Working days relative to the due date, e.g. [-5, -1, 0, 1]: 5 and 1 working days "
        "before, on the due day, 1 working day overdue.",
    )
    repeat_every_working_days = models.PositiveSmallIntegerField(
        default=5, help_text="After the last offset, remind again every this many working days (0: never)."
    )
    escalate_from_working_days_overdue = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=3,
        help_text="From this many working days overdue the coordinator and the agency's senior manager "
        "are reminded as well. Empty: never escalate.",
    )
    active = models.BooleanField(default=True, help_text="Switch reminders for this kind off altogether.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder policies"
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"Reminders for {self.get_kind_display().lower()}"

    def clean(self) -> None:
        offsets = self.offsets
        if not isinstance(offsets, list) or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets):
            raise ValidationError({"offsets": "Give a list of whole numbers of working days, e.g. [-5, -1, 0, 1]."})
        if len(set(offsets)) != len(offsets):
            raise ValidationError({"offsets": "Each offset once only."})
        if not offsets and not self.repeat_every_working_days:
            raise ValidationError({"offsets": "With no offsets and no repeat, no reminder would ever be sent."})
        self.offsets = sorted(offsets)


class Deadline(models.Model):
    """One due date that matters. The sweep reads only (state, next_reminder_on)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=40, choices=DeadlineKind.choices)
    due_date = models.DateField()
    state = models.CharField(max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    owner_label = models.CharField(max_length=200, help_text="Who must meet it, e.g. 'Police'.")
    scope = models.CharField(
        max_length=64,
        blank=True,
        help_text="What it belongs to (a review reference): who coordinates it sees failures.",
    )
    context = models.JSONField(
        default=dict, help_text="reference, what (is due), link (a path): never a name or NHS number."
    )
    calendar = models.CharField(
        max_length=64,
        blank=True,
        help_text="Whose working days count (a partnership's code): no reminder goes out on its closure days.",
    )
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="deadlines_to_meet", blank=True)
    escalation_recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="deadlines_escalated", blank=True
    )
    escalation_email = models.EmailField(blank=True, help_text="E.g. the agency's named senior manager.")
    escalation_name = models.CharField(max_length=200, blank=True)
    # The next reminder step (working days relative to due_date) and the day it goes out.
    next_step = models.SmallIntegerField(null=True, blank=True)
    next_reminder_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "kind"], name="deadline_unique_target_kind"),
        ]
        indexes = [
            # The sweep: WHERE state = 'open' AND next_reminder_on <= today, a range scan of this index.
            models.Index(
                fields=["next_reminder_on", "id"],
                name="deadline_open_next_reminder",
                condition=models.Q(state="open"),
            ),
            models.Index(fields=["scope"], name="deadline_scope"),
        ]

    def __str__(self) -> str:
        what = self.context.get("what", self.get_kind_display())
        return f"{self.context.get('reference', '')} {what} due {self.due_date:%d %b %Y}".strip()


class PendingReminder(models.Model):
    """A deadline the sweep found with a reminder step due, waiting for a worker to write its outbox rows.

    The sweep only claims (one INSERT ... SELECT, one narrow row per due deadline, no foreign-key
    check): it stays as quick as reading the due rows, and holds no lock on the deadlines. Workers
    then expand the claims in batches (notifications.sweep.reminders_expand): the e-mail and in-app
    rows per recipient, the deadline moved to its next step, and the claim deleted, in one
    transaction. A claim that exists means "being sent"; a second sweep skips its deadline.
    """

    # No database constraint: the row is written only from a SELECT of the deadline in the same
    # statement, and deadlines are never deleted by the app (they are met, waived or cancelled); a
    # deleted one's claim is dropped with it by Django's on_delete and expanded to nothing anyway.
    # Skipping the constraint keeps 10,000 foreign-key checks out of the sweep's commit.
    deadline = models.OneToOneField(
        Deadline, on_delete=models.CASCADE, primary_key=True, db_constraint=False, related_name="pending_reminder"
    )
    swept_on = models.DateField(help_text="The working day the sweep ran for: the expansion sends as of it.")
    claimed_at = models.DateTimeField(help_text="When the sweep claimed it (the requeue task looks for old claims).")

    def __str__(self) -> str:
        return f"Reminder of deadline {self.deadline_id} due by {self.swept_on}"


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    daily_digest = models.BooleanField(default=False, help_text="Fold each day's reminder e-mails into one message.")

    def __str__(self) -> str:
        return f"{self.user}: {'daily digest' if self.daily_digest else 'each reminder'}"


class Notification(models.Model):
    """An outbox row. Written in the transaction of the change that causes it; delivered later.

    E-mail: READY -> SENDING (claimed by a conditional UPDATE) -> SENT, or back to READY for a retry,
    or FAILED with the error. HELD: waiting to be folded into the recipient's daily digest.
    CANCELLED: the deadline was met, waived or moved before the reminder went out.
    In-app rows are delivered by being written: the inbox is where they go, so they start SENT.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        DEADLINE_SET = "deadline_set", "Due date set"
        DIGEST = "digest", "Daily digest"
        # A one-off message with no deadline ("a notification of a child's death is in the queue").
        MESSAGE = "message", "Message"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        IN_APP = "in_app", "In the app"

    class Status(models.TextChoices):
        READY = "ready", "Ready to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        HELD = "held", "Held for the daily digest"
        CANCELLED = "cancelled", "Cancelled"

    idempotency_key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    email = models.CharField(max_length=254, blank=True, help_text="The address when the row was written.")
    deadline = models.ForeignKey(
        Deadline, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    scope = models.CharField(max_length=64, blank=True)
    step = models.SmallIntegerField(null=True, blank=True)
    escalation = models.BooleanField(default=False)
    due_date = models.DateField(null=True, blank=True)
    context = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now, help_text="Not attempted before this (back-off).")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Indexed only where set (below): every sweep row would otherwise pay for an index of NULLs.
    digest = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="folded", db_index=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The requeue task: rows stuck READY or SENDING.
            models.Index(
                fields=["status", "available_at"],
                name="notification_pending",
                condition=models.Q(status__in=["ready", "sending"]),
            ),
            # The inbox.
            models.Index(
                fields=["recipient", "created_at"], name="notification_inbox", condition=models.Q(channel="in_app")
            ),
            # The header's unread count, on every page: only the unread in-app rows, so the count reads
            # a handful of index entries instead of every notification the user ever had.
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=models.Q(channel="in_app", read_at__isnull=True),
            ),
            models.Index(fields=["scope"], name="notification_failed_scope", condition=models.Q(status="failed")),
            models.Index(fields=["recipient"], name="notification_held", condition=models.Q(status="held")),
            models.Index(fields=["digest"], name="notification_digest", condition=models.Q(digest__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.idempotency_key

    @property
    def when(self) -> str:
        from notifications.policies import step_label

        return step_label(self.step) if self.step is not None else ""

    @property
    def to(self) -> str:
        return self.email or (self.recipient.get_username() if self.recipient is not None else "")


# Signed webhooks live in a module of their own; imported here so Django finds the models.
from notifications.webhooks_models import (  # noqa: E402, F401
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
