"""The review side of signed webhooks (docs/WEBHOOKS.md): what reviews tells a partnership's
endpoints, and the partnership administrator's subscriptions.

notifications keeps the subscriptions and the outbox and never imports reviews
(notifications/webhooks_models.py says why the subscription lives there, keyed by the partnership's
id as deadlines' calendars are). The services here are called inside the reviews services'
transactions, so an event is written with the change that caused it, or not at all.

A payload says which review (reference, kind, stage) and what happened to which object (ids, states,
an agency's name): never a review's title, a subject, an NHS number, a date of birth, a reason or any
other case text (tests/reviews/webhooks/test_services.py reads every payload for them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from notifications import webhooks as hooks
from notifications.registry import register_webhook_reviews
from notifications.webhooks_models import WebhookEvent, WebhookSubscription
from reviews.models import AgencyContribution, Partnership, Review
from reviews.models.findings import Findings
from reviews.permissions import is_partnership_administrator
from reviews.services.deadlines import partnership_calendar
from workflows.audit import audit_record
from workflows.models import TransitionLog
from workflows.types import User


def review_facts(review: Review) -> dict[str, Any]:
    return {"reference": review.reference, "kind": review.kind, "state": review.state}


def webhook_reviews_resolve(references: set[str]) -> dict[str, dict[str, Any]]:
    """The payload's review object for each reference, in one query (the reminder expansion)."""
    rows = Review.objects.filter(reference__in=references).values_list("reference", "kind", "state")
    return {reference: {"reference": reference, "kind": kind, "state": state} for reference, kind, state in rows}


def register() -> None:
    register_webhook_reviews(webhook_reviews_resolve)


# --- events, written in the caller's transaction ----------------------------------------------


def review_stage_changed(review: Review, log: TransitionLog) -> None:
    """Every step of a review's lifecycle (reviews/services/review.py)."""
    hooks.webhook_emit(
        partnership_key=partnership_calendar(review.partnership_id),
        event=WebhookEvent.REVIEW_STAGE_CHANGED,
        key=f"{WebhookEvent.REVIEW_STAGE_CHANGED}:{log.pk}",
        payload=lambda: {
            "review": review_facts(review),
            "transition": {"name": log.transition, "from": log.from_state, "to": log.to_state},
        },
    )


def contribution_requested(contribution: AgencyContribution) -> None:
    review = contribution.review

    def payload() -> dict[str, Any]:
        return {
            "review": review_facts(review),
            "contribution": {
                "id": contribution.pk,
                "agency": str(contribution.agency),
                "asks": list(contribution.asks),
                "due_date": contribution.due_date.isoformat() if contribution.due_date else None,
                "state": contribution.state,
            },
        }

    hooks.webhook_emit(
        partnership_key=partnership_calendar(review.partnership_id),
        event=WebhookEvent.CONTRIBUTION_REQUESTED,
        key=f"{WebhookEvent.CONTRIBUTION_REQUESTED}:{contribution.pk}",
        payload=payload,
    )


def findings_signed(findings: Findings) -> None:
    review = findings.review
    hooks.webhook_emit(
        partnership_key=partnership_calendar(review.partnership_id),
        event=WebhookEvent.FINDINGS_SIGNED,
        key=f"{WebhookEvent.FINDINGS_SIGNED}:{findings.pk}:{findings.version}",
        payload=lambda: {
            "review": review_facts(review),
            "findings": {
                "version": findings.version,
                "signed_at": findings.signed_at.isoformat() if findings.signed_at else None,
                "sha256": findings.content_hash,
            },
        },
    )


# --- the administrator's subscriptions ---------------------------------------------------------


def _require_admin(actor: User, partnership: Partnership) -> None:
    from django.core.exceptions import PermissionDenied

    if not is_partnership_administrator(actor, partnership.pk):
        raise PermissionDenied(f"You need to be the partnership administrator of {partnership} to manage webhooks.")


def webhook_subscription_add(
    *, actor: User, partnership: Partnership, name: str, url: str, events: Sequence[str]
) -> WebhookSubscription:
    """Subscribe an endpoint of ``partnership``; the page shows its secret once."""
    with transaction.atomic():
        _require_admin(actor, partnership)
        subscription = hooks.webhook_subscribe(
            partnership_key=partnership_calendar(partnership.pk),
            partnership_code=partnership.code,
            name=name,
            url=url,
            events=events,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            verb="webhook.subscribed",
            target=partnership,
            subscription=subscription.pk,
            url=subscription.url,
            events=list(subscription.events),
        )
    return subscription


def webhook_subscription_deactivate(*, actor: User, partnership: Partnership, subscription_id: int) -> int:
    """Stop sending to an endpoint; returns how many deliveries waiting to go out were cancelled."""
    with transaction.atomic():
        _require_admin(actor, partnership)
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=subscription_id, partnership_key=partnership_calendar(partnership.pk)
        )
        if not subscription.active:
            return 0
        cancelled = hooks.webhook_deactivate(subscription=subscription)
        audit_record(
            actor=actor,
            verb="webhook.deactivated",
            target=partnership,
            subscription=subscription.pk,
            cancelled=cancelled,
        )
    return cancelled
