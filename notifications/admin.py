from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from notifications import services
from notifications.models import Deadline, Notification, NotificationPreference, ReminderPolicy
from notifications.policies import schedule_for


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "offsets",
        "repeat_every_working_days",
        "escalate_from_working_days_overdue",
        "active",
        "schedule",
    ]
    readonly_fields = ["updated_at"]

    @admin.display(description="In words")
    def schedule(self, policy: ReminderPolicy) -> str:
        return schedule_for(policy).describe()

    def save_model(self, request: HttpRequest, obj: ReminderPolicy, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        moved = services.deadlines_reschedule_kind(kind=obj.kind)
        self.message_user(request, f"{moved} open deadline(s) rescheduled under the new policy.", messages.INFO)


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "owner_label", "due_date", "state", "next_reminder_on", "next_step"]
    list_filter = ["kind", "state"]
    search_fields = ["scope", "owner_label"]
    date_hierarchy = "due_date"
    # Deadlines follow their targets (reviews/services/deadlines.py); editing them here would drift.
    readonly_fields = [f.name for f in Deadline._meta.fields] + ["recipients", "escalation_recipients"]
    list_select_related = ["content_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["idempotency_key", "kind", "channel", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel", "kind", "escalation"]
    search_fields = ["idempotency_key", "email", "scope"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    list_select_related = ["recipient"]
    actions = ["retry_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Try the selected failed e-mails again")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        ids = services.notifications_retry_failed(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{len(ids)} e-mail(s) queued again.", messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest"]
    list_select_related = ["user"]


# The webhook delivery log (read-only) registers itself.
from notifications import webhooks_admin  # noqa: E402, F401
