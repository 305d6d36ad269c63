"""Prometheus metrics (docs/OBSERVABILITY.md).

Two kinds:
- per request, counted as it happens: latency (and so the rate) by view, labelled with the URL
  pattern's name (``reviews:review``), never the path, which would hold references and ids and
  grow a series per review;
- the state of the queues, read from the database when Prometheus scrapes, by ``QueueCollector``
  in a fixed number of queries (four, whatever the volume): the outbox backlog by state and the age
  of its oldest row due to be sent, for e-mail/in-app notifications and for webhook deliveries;
  reminder claims waiting to be expanded; running clocks past their due date; failed deliveries.

Under gunicorn with several worker processes, set PROMETHEUS_MULTIPROC_DIR to an empty folder
the processes share (cleared at each start): the request metrics are then written there by every
process and summed at scrape time by prometheus-client's MultiProcessCollector. ``child_exit`` is
the gunicorn hook that tidies a dead process's files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# Not in prometheus-client's global registry: /metrics builds its registry per scrape (below), so a
# single process and a multi-process gunicorn are served by the same code.
REQUEST_LATENCY = Histogram(
    "reviews_http_request_duration_seconds",
    "Time to answer a request, by view (URL pattern name), method and status class.",
    ["view", "method", "status"],
    registry=None,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

UNRESOLVED = "<unresolved>"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _static_prefix() -> str:
    return "/" + str(settings.STATIC_URL or "static/").lstrip("/")


def view_name(request: HttpRequest) -> str:
    """The URL pattern's name; a request a middleware answered before the view (sign-in, two-factor)
    is resolved here, so it is counted against the page it asked for."""
    match = getattr(request, "resolver_match", None)
    if match is None and request.path_info.startswith(_static_prefix()):
        return "static"  # served by WhiteNoise's middleware, before any view
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNRESOLVED
    return match.view_name or UNRESOLVED


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        # Labels from fixed sets only: an unusual method or a raw path would add series without bound.
        method = request.method if request.method in _METHODS else "other"
        REQUEST_LATENCY.labels(view_name(request), method, f"{response.status_code // 100}xx").observe(elapsed)
        return response


def _age(oldest: datetime | None, now: datetime) -> float:
    return max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0


class QueueCollector(Collector):
    """The queues' state, read at scrape time in four queries."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from notifications.models import Notification, PendingReminder
        from notifications.webhooks_models import WebhookDelivery
        from reviews.models.clocks import ReviewClock

        now = timezone.now()
        backlog = GaugeMetricFamily(
            "reviews_outbox_backlog", "Outbox rows not yet done, by outbox and state.", labels=["outbox", "state"]
        )
        oldest = GaugeMetricFamily(
            "reviews_outbox_oldest_ready_age_seconds",
            "How long the oldest row due to be sent (ready, back-off over) has waited; 0 when none.",
            labels=["outbox"],
        )
        failed = GaugeMetricFamily(
            "reviews_deliveries_failed", "Deliveries that gave up after their last attempt.", labels=["outbox"]
        )
        outboxes: list[tuple[str, Any, list[str]]] = [
            ("notifications", Notification, ["ready", "sending", "held", "failed"]),
            ("webhooks", WebhookDelivery, ["ready", "sending", "failed"]),
        ]
        for outbox, model, states in outboxes:
            # Sent and cancelled rows are history, not backlog, and the bulk of the table: left out,
            # so the query reads the (status, available_at) index's few live rows only.
            due = Q(status="ready", available_at__lte=now)
            row = model.objects.filter(status__in=states).aggregate(
                oldest=Min("available_at", filter=due),
                **{state: Count("pk", filter=Q(status=state)) for state in states},
            )
            for state in states:
                backlog.add_metric([outbox, state], row[state])
            oldest.add_metric([outbox], _age(row["oldest"], now))
            failed.add_metric([outbox], row["failed"])
        yield backlog
        yield oldest
        yield failed

        claims = PendingReminder.objects.aggregate(count=Count("pk"), oldest=Min("claimed_at"))
        pending = GaugeMetricFamily(
            "reviews_reminder_claims_pending", "Deadlines the sweep claimed whose reminders are not yet written."
        )
        pending.add_metric([], claims["count"])
        yield pending
        claim_age = GaugeMetricFamily(
            "reviews_reminder_oldest_claim_age_seconds", "How long the oldest pending claim has waited; 0 when none."
        )
        claim_age.add_metric([], _age(claims["oldest"], now))
        yield claim_age

        overdue = GaugeMetricFamily(
            "reviews_clocks_overdue_running", "Statutory clocks still running past their due date."
        )
        overdue.add_metric(
            [],
            ReviewClock.objects.filter(
                stopped_on__isnull=True, abandoned=False, due_date__lt=timezone.localdate()
            ).count(),
        )
        yield overdue


def registry() -> CollectorRegistry:
    """The registry one scrape reads: the request metrics (this process's, or every process's
    under PROMETHEUS_MULTIPROC_DIR) and the queues."""
    scrape = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(scrape)
    else:
        scrape.register(REQUEST_LATENCY)
    scrape.register(QueueCollector())
    return scrape


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` hook (in its config file): a dead worker's live gauges are removed."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
