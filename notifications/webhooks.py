"""Signed webhooks: subscribing, writing events into the outbox, delivering them (docs/WEBHOOKS.md).

Events are written by ``webhook_emit`` inside the transaction of the change that causes them (a review
service, or the reminder expansion for deadlines due soon or overdue), one ``WebhookDelivery`` per
subscription that chose the event, and handed to the broker only after commit: a change that rolls
back sends nothing, and a broker outage loses nothing (the requeue task publishes what waits). Each
row's idempotency key names the event's cause, so the same event is never written twice, and a
delivery is claimed by a conditional UPDATE, so it is never sent twice by two workers.

Delivery POSTs the JSON payload with ``Webhook-Id``, ``Webhook-Timestamp`` and ``Webhook-Signature:
v1=<hex HMAC-SHA256 of "{id}.{timestamp}.{body}">`` (the subscription's secret as key). A 2xx marks
it SENT; anything else, a timeout or a connection error is logged as an attempt and tried again after
the next of WEBHOOKS_RETRY_DELAYS, then FAILED. Redirects are not followed: the endpoint is the one
the administrator gave.

Payloads carry references and states only (the payload builders in reviews/services/webhooks.py and
``_deadline_payload`` below): never a name, an NHS number, a date of birth or case text.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import conf
from notifications.models import Deadline, DeadlineKind
from notifications.registry import webhook_reviews
from notifications.requeue import requeue_stuck
from notifications.webhooks_models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from workflows.types import User

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status

SIGNATURE_VERSION = "v1"
USER_AGENT = "review-engine-webhooks/1"
# What is kept of an endpoint's answer or error in the log: enough to diagnose, never a whole page.
ERROR_CHARS = 500


# --- settings --------------------------------------------------------------------------------


def retry_delays() -> list[float]:
    return [float(d) for d in getattr(settings, "WEBHOOKS_RETRY_DELAYS", [60, 300, 1500, 7500])]


def max_attempts() -> int:
    return 1 + len(retry_delays())


def timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 5))


def loopback_http_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK_HTTP", False))


# --- subscriptions ---------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def internal_address_error(url: str) -> str | None:
    """Why ``url``'s host must not be POSTed to, or None: it resolves to an address inside a network
    (private, loopback, link-local such as a cloud's metadata service, reserved). Without this a
    partnership administrator could make the server send requests to services behind its firewall.
    Checked at each delivery, as a name can be pointed elsewhere after it was subscribed; a name
    changed between this check and the connection is not caught (pinning the address would mean
    connecting by IP, which breaks the certificate check)."""
    host = urlsplit(url.strip()).hostname or ""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError) as exc:
        return f"The endpoint's name {host} could not be resolved ({exc})."
    for address in sorted(addresses):
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_loopback and loopback_http_allowed():
            continue  # the tests' receiver, where the setting allows it
        if not ip.is_global:
            return (
                f"The endpoint's name {host} resolves to {ip}, an internal address: "
                "webhooks go to public addresses only."
            )
    return None


def webhook_url_error(url: str) -> str | None:
    """Why ``url`` cannot be a webhook endpoint, or None. HTTPS only: the payload and its signature
    must not cross a network in clear. Plain http to this machine only where the setting allows it
    (the tests' receiver)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return "Enter the endpoint's full address, starting https://"
    if not host or parts.scheme not in ("http", "https"):
        return "Enter the endpoint's full address, starting https://"
    if parts.username or parts.password:
        return "Leave the user name and password out of the address: requests are signed with the secret instead."
    if parts.scheme == "http" and not (loopback_http_allowed() and _is_loopback(host)):
        return f"The address must start https:// (not http://): webhooks are sent over HTTPS only ({url.strip()})."
    return None


def webhook_subscribe(
    *, partnership_key: str, partnership_code: str, name: str, url: str, events: Sequence[str], created_by: User
) -> WebhookSubscription:
    """Subscribe an endpoint; the caller shows ``secret`` once. Raises ValidationError naming the field."""
    errors: dict[str, str] = {}
    if (problem := webhook_url_error(url)) is not None:
        errors["url"] = problem
    unknown = [event for event in events if event not in WebhookEvent.values]
    if not events:
        errors["events"] = "Choose at least one event to send."
    elif unknown:
        errors["events"] = f"Not an event that can be sent: {', '.join(unknown)}."
    if not name.strip():
        errors["name"] = "Enter a name for the endpoint, e.g. 'Police case system'."
    if not errors and (already := _active_subscription(partnership_key, url.strip())) is not None:
        errors["url"] = _already_subscribed(already)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return WebhookSubscription.objects.create(
                partnership_key=partnership_key,
                partnership_code=partnership_code,
                name=name.strip()[:100],
                url=url.strip(),
                events=[event for event in WebhookEvent.values if event in events],
                secret=secrets.token_hex(32),
                created_by=created_by,
            )
    except IntegrityError:
        # The same form sent twice at once: the other one subscribed it.
        already = _active_subscription(partnership_key, url.strip())
        raise ValidationError({"url": _already_subscribed(already) if already else "Send the form again."}) from None


def _active_subscription(partnership_key: str, url: str) -> WebhookSubscription | None:
    return WebhookSubscription.objects.filter(partnership_key=partnership_key, url=url, active=True).first()


def _already_subscribed(subscription: WebhookSubscription) -> str:
    return (
        f"This endpoint is already subscribed, as “{subscription.name}” since "
        f"{timezone.localtime(subscription.created_at):%-d %B %Y %H:%M}: each event would be sent to it twice. "
        "Deactivate that subscription first to subscribe the endpoint again."
    )


def webhook_deactivate(*, subscription: WebhookSubscription) -> int:
    """Stop sending to an endpoint: its deliveries not yet sent are cancelled. Returns how many."""
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk, active=True).update(
            active=False, deactivated_at=timezone.now()
        )
        return WebhookDelivery.objects.filter(subscription=subscription, status=Status.READY).update(
            status=Status.CANCELLED, last_error="Not sent: the subscription was deactivated first."
        )


# --- writing events --------------------------------------------------------------------------


def _envelope(event: str, subscription: WebhookSubscription, occurred_at: datetime, body: dict[str, Any]) -> dict:
    return {
        "event": event,
        "occurred_at": occurred_at.isoformat(),
        "partnership": subscription.partnership_code,
        **body,
    }


def webhook_emit(
    *, partnership_key: str, event: str, key: str, payload: Callable[[], dict[str, Any]], at: datetime | None = None
) -> list[str]:
    """Write ``event`` for every active subscription of the partnership that chose it, in the current
    transaction; publish them after commit. ``key`` names the event's cause (the same key twice
    writes nothing more); ``payload`` is called only when some subscription wants the event.

    One query when nobody subscribed (the everyday case), two when someone did.
    """
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(partnership_key=partnership_key, active=True) if s.receives(event)
    ]
    if not subscriptions:
        return []
    occurred_at = at or timezone.now()
    body = payload()
    rows = [
        WebhookDelivery(
            idempotency_key=f"{key}:sub:{subscription.pk}",
            subscription=subscription,
            event=event,
            payload=_envelope(event, subscription, occurred_at, body),
            created_at=occurred_at,
            available_at=occurred_at,
        )
        for subscription in subscriptions
    ]
    return _write(rows)


def _write(rows: Sequence[WebhookDelivery]) -> list[str]:
    """Insert, skipping any key already written; publish after commit. A row skipped as a repeat is
    published too under the new row's Webhook-Id, which finds no row: nothing is sent twice."""
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = [str(row.webhook_id) for row in rows]
    transaction.on_commit(partial(webhooks_publish, ids), robust=True)
    return ids


def _deadline_event(kind: str, step: int) -> str | None:
    """The event a reminder step of a deadline is, if any: before and on the due day a contribution
    is due soon; after it, overdue. Actions send only overdue."""
    if kind == DeadlineKind.CONTRIBUTION_DUE:
        return WebhookEvent.CONTRIBUTION_DUE_SOON if step <= 0 else WebhookEvent.CONTRIBUTION_OVERDUE
    if kind == DeadlineKind.ACTION_DUE and step > 0:
        return WebhookEvent.ACTION_OVERDUE
    return None


_TARGETS = {DeadlineKind.CONTRIBUTION_DUE: "contribution", DeadlineKind.ACTION_DUE: "action"}


def webhooks_for_reminders(
    *, deadline_ids: Sequence[int], kind: str, due: date, step: int, calendar: str, now: datetime
) -> int:
    """The reminder expansion's webhooks: a reminder step of contribution or action deadlines is
    also an event for the subscriptions of their partnership (``calendar``, the same key). Called in
    the expansion's transaction for one group (same kind, due date, step and calendar). One query
    when nobody subscribed; three when someone did, whatever the group's size."""
    event = _deadline_event(kind, step)
    if event is None or not deadline_ids or not calendar:
        return 0
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(partnership_key=calendar, active=True) if s.receives(event)
    ]
    if not subscriptions:
        return 0
    deadlines = list(
        Deadline.objects.filter(id__in=list(deadline_ids)).values("id", "object_id", "scope", "owner_label")
    )
    reviews = webhook_reviews(d["scope"] for d in deadlines)
    target = _TARGETS[DeadlineKind(kind)]
    rows = []
    for d in deadlines:
        body = {
            "review": reviews.get(d["scope"], {"reference": d["scope"]}),
            target: {"id": d["object_id"], "owner": d["owner_label"]},
            "deadline": {"due_date": due.isoformat(), "working_days_from_due": step},
        }
        for subscription in subscriptions:
            rows.append(
                WebhookDelivery(
                    idempotency_key=f"{event}:{d['id']}:{due.isoformat()}:{step}:sub:{subscription.pk}",
                    subscription=subscription,
                    event=event,
                    payload=_envelope(event, subscription, now, body),
                    created_at=now,
                    available_at=now,
                )
            )
    _write(rows)
    return len(rows)


# --- publishing ------------------------------------------------------------------------------


def webhooks_publish(webhook_ids: Iterable[str]) -> int:
    """Publish delivery tasks now. A broker outage is logged, not raised: the rows stay READY."""
    from notifications.services import PUBLISH_OPTIONS, broker_outage_tolerated
    from notifications.tasks import deliver_webhook

    ids = list(webhook_ids)
    published = 0
    with broker_outage_tolerated(lambda: f"{len(ids) - published} webhook(s) in the outbox"):
        for webhook_id in ids:
            deliver_webhook.apply_async((webhook_id,), **PUBLISH_OPTIONS)
            published += 1
    return published


# --- delivery --------------------------------------------------------------------------------


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """``v1=`` and the hex HMAC-SHA256 of ``{id}.{timestamp}.{body}`` keyed with the secret."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return f"{SIGNATURE_VERSION}={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


@dataclass(frozen=True)
class WebhookOutcome:
    status: str
    retry_in: float | None = None
    error: str = ""


def _claimable(now: datetime) -> Q:
    # A second of slack, as for e-mails: a retry's countdown may fire a moment before its back-off ends.
    return Q(status=Status.READY, available_at__lte=now + timedelta(seconds=1))


def webhook_deliver(*, webhook_id: str) -> WebhookOutcome:
    """Send one delivery. Claimed by UPDATE ... WHERE status = 'ready', so one worker holds it; every
    later write is conditional on that claim (status and attempt number)."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(_claimable(now), webhook_id=webhook_id).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return WebhookOutcome("skipped")
    delivery = WebhookDelivery.objects.select_related("subscription").get(webhook_id=webhook_id)
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING, attempts=delivery.attempts)
    subscription = delivery.subscription
    if not subscription.active:
        mine.update(status=Status.CANCELLED, last_error="Not sent: the subscription was deactivated first.")
        return WebhookOutcome(Status.CANCELLED)
    status_code, error, duration_ms = _post(delivery, subscription)
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=now,
        duration_ms=duration_ms,
        status_code=status_code,
        error=error,
    )
    if status_code is not None and 200 <= status_code < 300:
        mine.update(status=Status.SENT, sent_at=timezone.now(), last_error="")
        return WebhookOutcome(Status.SENT)
    message = error or f"The endpoint answered {status_code}."
    if delivery.attempts >= max_attempts():
        message = f"Gave up after {delivery.attempts} attempts: {message}"
        mine.update(status=Status.FAILED, last_error=message)
        logger.warning("Webhook %s failed: %s", delivery.webhook_id, message)
        return WebhookOutcome(Status.FAILED, error=message)
    delay = retry_delays()[delivery.attempts - 1]
    mine.update(status=Status.READY, last_error=message, available_at=timezone.now() + timedelta(seconds=delay))
    return WebhookOutcome(Status.READY, retry_in=delay, error=message)


def _post(delivery: WebhookDelivery, subscription: WebhookSubscription) -> tuple[int | None, str, int]:
    """POST the delivery once: (status code or None, error, milliseconds)."""
    if (problem := webhook_url_error(subscription.url)) is not None:
        # The settings changed since it was subscribed (loopback http no longer allowed).
        return None, problem, 0
    if (problem := internal_address_error(subscription.url)) is not None:
        return None, problem, 0
    body = body_of(delivery)
    timestamp = int(time.time())
    webhook_id = str(delivery.webhook_id)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": webhook_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature(subscription.secret, webhook_id, timestamp, body),
    }
    started = time.monotonic()
    try:
        response = requests.post(subscription.url, data=body, headers=headers, timeout=timeout(), allow_redirects=False)
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS], _ms(started)
    duration = _ms(started)
    if 200 <= response.status_code < 300:
        return response.status_code, "", duration
    return (
        response.status_code,
        f"The endpoint answered {response.status_code}: {response.text[:200]}"[:ERROR_CHARS],
        duration,
    )


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


@dataclass
class WebhookRequeueResult:
    requeued: list[str] = field(default_factory=list)
    failed: int = 0


def webhooks_requeue_stuck(*, older_than: timedelta | None = None, limit: int = 5000) -> WebhookRequeueResult:
    """Deliveries left behind, put back as e-mails are (notifications.requeue says which and how)."""
    now = timezone.now()
    cutoff = now - (conf.stuck_after() if older_than is None else older_than)
    with transaction.atomic():
        stuck = requeue_stuck(
            WebhookDelivery, now=now, cutoff=cutoff, attempts_allowed=max_attempts(), ready=Q(), limit=limit
        )
        published = WebhookDelivery.objects.filter(id__in=stuck.to_publish).values_list("webhook_id", flat=True)
        result = WebhookRequeueResult(requeued=[str(u) for u in published], failed=len(stuck.gave_up))
    webhooks_publish(result.requeued)
    return result
