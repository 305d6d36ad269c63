"""/metrics (ops/metrics.py): only with the bearer token; request latency by view name, never the
path; the queues read at scrape time in a constant number of queries."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from notifications.models import Deadline, Notification, PendingReminder
from notifications.webhooks_models import WebhookDelivery, WebhookSubscription
from ops.metrics import QueueCollector
from reviews.models.clocks import ReviewClock

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client: Client | None = None) -> str:
    response = (client or Client()).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def test_no_token_configured_means_no_metrics(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_without_the_right_token_it_is_401(client, token, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"reviews_" not in response.content


def test_requests_are_counted_by_view_name_never_by_path(client, token, review, coordinator):
    name = "reviews_http_request_duration_seconds_count"
    before = scrape()
    client.force_login(coordinator)
    url = reverse("reviews:review", args=[review.reference])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    client.logout()
    assert Client().get(url).status_code == 302  # sent to sign in: still the review page's view
    after = scrape()
    labels = {"view": "reviews:review", "method": "GET"}
    assert value(after, name, status="2xx", **labels) - value(before, name, status="2xx", **labels) == 2
    assert value(after, name, status="3xx", **labels) - value(before, name, status="3xx", **labels) == 1
    assert review.reference not in after and url not in after
    Client().get("/no/such/page/" + review.reference)
    Client().get("/static/no-such-file.css")
    text = scrape()
    assert value(text, name, view="<unresolved>", method="GET", status="4xx") >= 1
    assert value(text, name, view="static", method="GET", status="4xx") >= 1
    assert "/no/such/page/" not in text and "no-such-file" not in text


def _notification(key: str, status: str, available_at=None) -> Notification:
    return Notification.objects.create(
        idempotency_key=key,
        kind=Notification.Kind.MESSAGE,
        channel=Notification.Channel.EMAIL,
        email="someone@example.org",
        status=status,
        available_at=available_at or timezone.now(),
    )


def test_the_queues_are_read_at_scrape_time_in_four_queries(token, review, django_assert_num_queries):
    now = timezone.now()
    base = scrape()
    _notification("n1", "ready", now - timedelta(seconds=600))  # due for 10 minutes
    _notification("n2", "ready", now + timedelta(hours=1))  # backing off: not yet due
    _notification("n3", "sending")
    _notification("n4", "failed")
    _notification("n5", "failed")
    _notification("n6", "held")
    _notification("n7", "sent")  # history, not backlog
    subscription = WebhookSubscription.objects.create(
        partnership_key="1", partnership_code="NSCP", name="Police", url="https://example.org/hook", secret="s"
    )
    for key, status in (("w1", "ready"), ("w2", "failed"), ("w3", "sent")):
        WebhookDelivery.objects.create(
            idempotency_key=key,
            subscription=subscription,
            event="review.stage_changed",
            payload={},
            status=status,
            available_at=now - timedelta(seconds=30),
        )
    deadline = Deadline.objects.create(
        content_type=ContentType.objects.get_for_model(ReviewClock),
        object_id=1,
        kind="clock_due",
        due_date=date(2026, 1, 5),
        owner_label="Coordinator",
    )
    PendingReminder.objects.create(deadline=deadline, swept_on=date(2026, 1, 5), claimed_at=now - timedelta(minutes=5))
    today = timezone.localdate()
    clock = {"basis": "statute", "calendar": "bank_holidays", "start_event": "notified_on", "duration": 15}
    clock["unit"] = "working_days"
    ReviewClock.objects.create(review=review, key="late", label="Late", due_date=today - timedelta(days=1), **clock)
    ReviewClock.objects.create(review=review, key="soon", label="Soon", due_date=today + timedelta(days=1), **clock)
    ReviewClock.objects.create(
        review=review, key="met", label="Met", due_date=today - timedelta(days=9), stopped_on=today, **clock
    )
    ReviewClock.objects.create(
        review=review, key="gone", label="Gone", due_date=today - timedelta(days=9), abandoned=True, **clock
    )

    with django_assert_num_queries(4):
        list(QueueCollector().collect())
    text = scrape()

    def grew(name: str, **labels: str) -> float:
        return value(text, name, **labels) - value(base, name, **labels)

    backlog = "reviews_outbox_backlog"
    assert grew(backlog, outbox="notifications", state="ready") == 2
    assert grew(backlog, outbox="notifications", state="sending") == 1
    assert grew(backlog, outbox="notifications", state="failed") == 2
    assert grew(backlog, outbox="notifications", state="held") == 1
    assert (backlog, (("outbox", "notifications"), ("state", "sent"))) not in samples(text)
    assert grew(backlog, outbox="webhooks", state="ready") == 1
    assert grew("reviews_deliveries_failed", outbox="notifications") == 2
    assert grew("reviews_deliveries_failed", outbox="webhooks") == 1
    age = value(text, "reviews_outbox_oldest_ready_age_seconds", outbox="notifications")
    assert 600 <= age < 900
    assert 30 <= value(text, "reviews_outbox_oldest_ready_age_seconds", outbox="webhooks") < 300
    assert grew("reviews_reminder_claims_pending") == 1
    assert 300 <= value(text, "reviews_reminder_oldest_claim_age_seconds") < 600
    assert grew("reviews_clocks_overdue_running") == 1


def test_several_processes_are_summed_under_prometheus_multiproc_dir(tmp_path, settings):
    """Two processes, as two gunicorn workers: each counts its own requests into the shared folder,
    and a scrape answered by either sums them."""
    from django.db import connection

    program = (
        "import django, sys; django.setup()\n"
        "from django.test import Client\n"
        "client = Client()\n"
        "for _ in range(int(sys.argv[1])):\n"
        "    assert client.get('/healthz').status_code == 200\n"
        "if sys.argv[2] == 'scrape':\n"
        f"    print(client.get('/metrics', headers={{'Authorization': 'Bearer {TOKEN}'}}).content.decode())\n"
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_TOKEN": TOKEN,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }

    def run(requests: int, then: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", program, str(requests), then],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(2, "exit")
    text = run(1, "scrape")
    count = "reviews_http_request_duration_seconds_count"
    assert value(text, count, view="ops:healthz", method="GET", status="2xx") == 3
    assert "reviews_outbox_backlog" in text
