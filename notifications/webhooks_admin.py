"""The webhook delivery log in the admin: read-only (deliveries are written by services only), and
a subscription's secret is never shown after it was made."""

from __future__ import annotations

from django.contrib import admin

from notifications.webhooks_models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from ui.admin import ReadOnlyAdminMixin


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "partnership_code", "url", "active", "created_at"]
    list_filter = ["active", "partnership_code"]
    search_fields = ["name", "url", "partnership_code"]
    exclude = ["secret"]


class WebhookAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "at", "status_code", "duration_ms", "error"]
    extra = 0


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["webhook_id", "event", "subscription", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "event"]
    search_fields = ["idempotency_key", "webhook_id"]
    list_select_related = ["subscription"]
    inlines = [WebhookAttemptInline]
