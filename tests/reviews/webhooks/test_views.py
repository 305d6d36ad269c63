"""The partnership administrator's webhook pages: subscribe (the secret shown once), deactivate, the
delivery log; to everyone else, the partnership's coordinators included, they do not exist."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.webhooks_models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from reviews.models import PartnershipMember
from reviews.services.review import review_advance
from tests.factories import UserFactory, member

pytestmark = [pytest.mark.postgres]


def test_the_administrator_subscribes_and_sees_the_secret_once(client, partnership, partnership_admin):
    client.force_login(partnership_admin)
    url = reverse("reviews:webhooks", args=[partnership.code])
    assert "No endpoint is subscribed yet" in client.get(url).content.decode()
    response = client.post(
        url,
        {"name": "Police case system", "url": "https://police.example/hooks", "events": ["review.stage_changed"]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    subscription = WebhookSubscription.objects.get()
    assert len(subscription.secret) == 64
    assert subscription.secret in response.content.decode()
    assert (subscription.partnership_code, subscription.events, subscription.created_by) == (
        "NSCP",
        ["review.stage_changed"],
        partnership_admin,
    )
    listing = client.get(url).content.decode()
    assert "Police case system" in listing
    assert subscription.secret not in listing
    log = client.get(reverse("reviews:webhook", args=[partnership.code, subscription.pk])).content.decode()
    assert subscription.secret not in log


def test_an_http_address_is_refused_with_a_message_naming_it(client, partnership, partnership_admin):
    client.force_login(partnership_admin)
    response = client.post(
        reverse("reviews:webhooks", args=[partnership.code]),
        {"name": "Police", "url": "http://police.example/hooks", "events": ["review.stage_changed"]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The address must start https:// (not http://)" in html
    assert 'href="#id_url"' in html or "id_url" in html
    assert not WebhookSubscription.objects.exists()


def test_no_event_chosen_is_refused(client, partnership, partnership_admin):
    client.force_login(partnership_admin)
    response = client.post(
        reverse("reviews:webhooks", args=[partnership.code]), {"name": "Police", "url": "https://police.example/"}
    )
    assert response.status_code == 400
    assert "Choose at least one event to send" in response.content.decode()


def test_the_administrator_deactivates_an_endpoint(client, partnership, partnership_admin, subscription):
    client.force_login(partnership_admin)
    url = reverse("reviews:webhook_deactivate", args=[partnership.code, subscription.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.active is False and subscription.deactivated_at is not None
    assert "Deactivated" in client.get(reverse("reviews:webhooks", args=[partnership.code])).content.decode()


def test_the_delivery_log_shows_every_attempt_in_constant_queries(
    client, review, coordinator, partnership, partnership_admin, subscription
):
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="No review needed.")
    for delivery in WebhookDelivery.objects.all():
        WebhookAttempt.objects.create(delivery=delivery, number=1, duration_ms=12, status_code=500, error="boom")
        WebhookAttempt.objects.create(delivery=delivery, number=2, duration_ms=7, status_code=200)
    client.force_login(partnership_admin)
    url = reverse("reviews:webhook", args=[partnership.code, subscription.pk])
    with CaptureQueriesContext(connection) as two:
        html = client.get(url).content.decode()
    assert html.count("HTTP 500 in 12 ms") == 2
    assert html.count("HTTP 200 in 7 ms") == 2
    assert review.reference in html
    for n in range(5):
        delivery = WebhookDelivery.objects.create(
            idempotency_key=f"more:{n}", subscription=subscription, event="findings.signed", payload={}
        )
        WebhookAttempt.objects.create(delivery=delivery, number=1, duration_ms=3, status_code=200)
    with CaptureQueriesContext(connection) as seven:
        html = client.get(url).content.decode()
    assert html.count("HTTP 200 in 3 ms") == 5
    assert len(seven) == len(two)


@pytest.mark.parametrize("who", ["coordinator", "chair", "outsider", "business_manager", "other_admin"])
def test_nobody_else_finds_the_pages(client, request, partnership, other_partnership, subscription, who):
    if who == "business_manager":
        user = member(UserFactory(username="bm"), partnership, PartnershipMember.Standing.BUSINESS_MANAGER)
    elif who == "other_admin":
        user = member(UserFactory(username="other.admin"), other_partnership, PartnershipMember.Standing.ADMINISTRATOR)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    for url in (
        reverse("reviews:webhooks", args=[partnership.code]),
        reverse("reviews:webhook", args=[partnership.code, subscription.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("reviews:webhook_deactivate", args=[partnership.code, subscription.pk]))
    assert response.status_code == 404
    subscription.refresh_from_db()
    assert subscription.active


def test_another_partnerships_endpoint_is_not_found_under_this_one(
    client, partnership, other_partnership, partnership_admin, subscription
):
    admin = member(UserFactory(username="other.admin"), other_partnership, PartnershipMember.Standing.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get(reverse("reviews:webhook", args=[other_partnership.code, subscription.pk])).status_code == 404
    assert (
        client.post(reverse("reviews:webhook_deactivate", args=[other_partnership.code, subscription.pk])).status_code
        == 404
    )
