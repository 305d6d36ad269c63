"""Readers of a partnership's webhook subscriptions and their delivery log (one query a page each,
besides the pagination's count)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from notifications.webhooks_models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from reviews.models import Partnership
from reviews.services.deadlines import partnership_calendar


def subscriptions_of(partnership: Partnership) -> QuerySet[WebhookSubscription]:
    """Active first, with how many deliveries each has sent and failed."""
    return (
        WebhookSubscription.objects.filter(partnership_key=partnership_calendar(partnership.pk))
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
        )
        # Aggregating drops Meta.ordering: said again, so the pages are stable.
        .order_by("-active", "name", "id")
    )


def subscription_of(partnership: Partnership, subscription_id: int) -> WebhookSubscription | None:
    return (
        WebhookSubscription.objects.filter(pk=subscription_id, partnership_key=partnership_calendar(partnership.pk))
        .select_related("created_by")
        .first()
    )


def deliveries_of(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """Newest first, each with its attempts (one more query for the whole page)."""
    return (
        WebhookDelivery.objects.filter(subscription=subscription)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number")))
    )
