"""Signed webhooks through the outbox, delivered to a real HTTP receiver on loopback by calling the
delivery task's service (tests/notifications/webhooks/test_worker.py has a real Celery worker)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notifications.sweep import reminders_sweep_and_expand
from notifications.webhooks import (
    internal_address_error,
    webhook_deliver,
    webhook_url_error,
    webhooks_requeue_stuck,
)
from notifications.webhooks_models import WebhookAttempt, WebhookDelivery, WebhookEvent
from reviews.models import ReviewState
from reviews.services.review import review_advance
from reviews.services.subjects import SubjectData, subject_add
from reviews.services.webhooks import webhook_subscription_add, webhook_subscription_deactivate
from tests.factories import advance_to
from tests.notifications.webhooks.receiver import verify

pytestmark = [pytest.mark.postgres]

Status = WebhookDelivery.Status


def deliveries(event: str = WebhookEvent.REVIEW_STAGE_CHANGED) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(event=event).order_by("id"))


def test_a_stage_change_is_delivered_once_with_a_verifiable_signature(review, coordinator, subscription, receiver):
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    (row,) = deliveries()
    assert row.status == Status.READY  # written with the step, sent by a worker later

    assert webhook_deliver(webhook_id=str(row.webhook_id)).status == Status.SENT
    # A second task for the same row (published twice, or redelivered by the broker) sends nothing.
    assert webhook_deliver(webhook_id=str(row.webhook_id)).status == "skipped"

    (received,) = receiver.got()
    payload = verify(received, subscription.secret)
    assert received.headers["Webhook-Id"] == str(row.webhook_id)
    assert received.headers["Content-Type"] == "application/json"
    assert payload["event"] == "review.stage_changed"
    assert payload["partnership"] == "NSCP"
    assert payload["review"] == {"reference": review.reference, "kind": review.kind, "state": ReviewState.SCOPING}
    assert payload["transition"] == {"name": "start_scoping", "from": ReviewState.NOTIFICATION, "to": "scoping"}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at is not None) == (Status.SENT, 1, True)
    (attempt,) = WebhookAttempt.objects.filter(delivery=row)
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")


def test_a_signature_made_with_another_secret_does_not_verify(review, coordinator, subscription, receiver):
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    webhook_deliver(webhook_id=str(deliveries()[0].webhook_id))
    with pytest.raises(AssertionError, match="does not verify"):
        verify(receiver.got()[0], "not-the-secret")


def test_nothing_is_written_or_sent_when_the_change_rolls_back(review, coordinator, subscription, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
        assert len(deliveries()) == 1  # written in the step's transaction...
        raise RuntimeError("the request failed after the step")
    assert deliveries() == []  # ...and gone with it
    assert review.__class__.objects.get(pk=review.pk).state == ReviewState.NOTIFICATION
    assert webhooks_requeue_stuck(older_than=timedelta(0)).requeued == []
    assert receiver.got() == []


def test_a_500_is_retried_with_back_off_and_later_succeeds(review, coordinator, subscription, receiver, settings):
    settings.WEBHOOKS_RETRY_DELAYS = [60, 300, 1500]
    receiver.answers = [500]
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    (row,) = deliveries()

    outcome = webhook_deliver(webhook_id=str(row.webhook_id))
    assert (outcome.status, outcome.retry_in) == (Status.READY, 60)
    row.refresh_from_db()
    assert row.last_error.startswith("The endpoint answered 500")
    assert row.available_at > timezone.now() + timedelta(seconds=50)
    # Too early: the back-off holds it.
    assert webhook_deliver(webhook_id=str(row.webhook_id)).status == "skipped"

    WebhookDelivery.objects.filter(pk=row.pk).update(available_at=timezone.now())  # a minute later
    assert webhook_deliver(webhook_id=str(row.webhook_id)).status == Status.SENT
    first, second = receiver.got()
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"] == str(row.webhook_id)
    verify(second, subscription.secret)
    attempts = list(WebhookAttempt.objects.filter(delivery=row).values_list("number", "status_code"))
    assert attempts == [(1, 500), (2, 200)]


def test_after_every_attempt_it_fails_with_the_reason(review, coordinator, subscription, receiver, settings):
    settings.WEBHOOKS_RETRY_DELAYS = [0, 0]
    receiver.answers = [503, 503, 503]
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    (row,) = deliveries()
    statuses = [webhook_deliver(webhook_id=str(row.webhook_id)).status for _ in range(4)]
    assert statuses == [Status.READY, Status.READY, Status.FAILED, "skipped"]
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert row.last_error.startswith("Gave up after 3 attempts: The endpoint answered 503")
    assert len(receiver.got()) == 3


def test_an_endpoint_that_cannot_be_reached_is_logged_and_retried(
    review, coordinator, subscription, receiver, settings
):
    from tests.notifications.conftest import free_port

    subscription.url = f"http://127.0.0.1:{free_port()}/closed"
    subscription.save(update_fields=["url"])
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    (row,) = deliveries()
    assert webhook_deliver(webhook_id=str(row.webhook_id)).status == Status.READY
    (attempt,) = WebhookAttempt.objects.filter(delivery=row)
    assert attempt.status_code is None
    assert "ConnectionError" in attempt.error


@pytest.mark.parametrize(
    ("url", "internal"),
    [
        ("https://10.1.2.3/hook", "10.1.2.3"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254"),  # a cloud's metadata service
        ("https://192.168.0.10/hook", "192.168.0.10"),
        ("https://[fd00::1]/hook", "fd00::1"),
    ],
)
def test_an_endpoint_inside_a_network_is_never_posted_to(review, coordinator, subscription, receiver, url, internal):
    subscription.url = url
    subscription.save(update_fields=["url"])
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    (row,) = deliveries()
    assert webhook_deliver(webhook_id=str(row.webhook_id)).status == Status.READY
    (attempt,) = WebhookAttempt.objects.filter(delivery=row)
    assert attempt.status_code is None
    assert f"resolves to {internal}, an internal address" in attempt.error
    assert receiver.got() == []


def test_loopback_is_internal_unless_the_setting_allows_it(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = False
    assert "127.0.0.1, an internal address" in internal_address_error("https://127.0.0.1:8443/hook")
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = True
    assert internal_address_error("https://127.0.0.1:8443/hook") is None
    assert internal_address_error("https://8.8.8.8/hook") is None  # a public address


def test_a_worker_lost_mid_delivery_is_requeued(review, coordinator, subscription, receiver):
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    (row,) = deliveries()
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=timezone.now() - timedelta(hours=1)
    )
    result = webhooks_requeue_stuck()
    assert result.requeued == [str(row.webhook_id)]
    assert webhook_deliver(webhook_id=str(row.webhook_id)).status == Status.SENT
    assert len(receiver.got()) == 1


def test_every_step_and_the_request_and_the_sign_off_write_their_events(
    review, coordinator, police, police_lead, subscription
):
    from reviews.models.contributions import Ask
    from reviews.services.contributions import contribution_request

    advance_to(review, ReviewState.SCOPING, coordinator)
    contribution = contribution_request(
        actor=coordinator, review_id=review.pk, agency=police, lead=police_lead, asks=[Ask.CHRONOLOGY]
    )
    advance_to(review, ReviewState.ACTION_TRACKING, coordinator)
    steps = [d.payload["transition"]["to"] for d in deliveries()]
    assert steps[0] == ReviewState.SCOPING and steps[-1] == ReviewState.ACTION_TRACKING
    assert len(steps) == len(set(steps))
    (requested,) = deliveries(WebhookEvent.CONTRIBUTION_REQUESTED)
    assert requested.payload["contribution"]["id"] == contribution.pk
    assert requested.payload["contribution"]["agency"] == "Police"
    (signed,) = deliveries(WebhookEvent.FINDINGS_SIGNED)
    assert signed.payload["findings"]["version"] == 1
    assert len(signed.payload["findings"]["sha256"]) == 64


def test_only_the_chosen_events_of_the_partnerships_own_subscriptions(
    review, coordinator, subscription, partnership_admin, partnership, other_partnership, loopback_allowed
):
    from reviews.models import PartnershipMember
    from tests.factories import UserFactory, member

    other_admin = member(
        UserFactory(username="other.admin"), other_partnership, PartnershipMember.Standing.ADMINISTRATOR
    )
    webhook_subscription_add(
        actor=other_admin,
        partnership=other_partnership,
        name="Theirs",
        url="https://other.example/hooks",
        events=list(WebhookEvent.values),
    )
    only_signed = webhook_subscription_add(
        actor=partnership_admin,
        partnership=partnership,
        name="Findings only",
        url="https://findings.example/hooks",
        events=[WebhookEvent.FINDINGS_SIGNED],
    )
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    assert [d.subscription_id for d in deliveries()] == [subscription.pk]
    assert not WebhookDelivery.objects.filter(subscription=only_signed).exists()


def test_deactivating_cancels_what_waits_and_sends_nothing_more(
    review, coordinator, subscription, partnership_admin, partnership, receiver
):
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    (row,) = deliveries()
    assert (
        webhook_subscription_deactivate(
            actor=partnership_admin, partnership=partnership, subscription_id=subscription.pk
        )
        == 1
    )
    assert webhook_deliver(webhook_id=str(row.webhook_id)).status == "skipped"
    row.refresh_from_db()
    assert row.status == Status.CANCELLED
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="No review needed.")
    assert len(deliveries()) == 1
    assert receiver.got() == []


def test_contribution_due_soon_and_overdue_come_from_the_reminder_sweep(today, ask_police, subscription, receiver):
    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 14))
    reminders_sweep_and_expand(today=date(2026, 12, 7))  # 5 working days before
    (soon,) = deliveries(WebhookEvent.CONTRIBUTION_DUE_SOON)
    assert soon.payload["contribution"] == {"id": contribution.pk, "owner": "Police"}
    assert soon.payload["deadline"] == {"due_date": "2026-12-14", "working_days_from_due": -5}
    assert soon.payload["review"]["state"] == ReviewState.SCOPING
    reminders_sweep_and_expand(today=date(2026, 12, 7))  # the same day again: nothing new
    assert len(deliveries(WebhookEvent.CONTRIBUTION_DUE_SOON)) == 1
    today.set(date(2026, 12, 15))
    reminders_sweep_and_expand(today=date(2026, 12, 15))  # 1 working day overdue
    (overdue,) = deliveries(WebhookEvent.CONTRIBUTION_OVERDUE)
    assert overdue.payload["deadline"]["working_days_from_due"] == 1
    webhook_deliver(webhook_id=str(overdue.webhook_id))
    assert verify(receiver.got()[0], subscription.secret)["event"] == "contribution.overdue"


FULL_NAME = "Jolene Quarrington-Fairweather"
NHS_NUMBER = "4010232137"
BIRTH = date(1998, 6, 1)


def test_no_name_nhs_number_or_date_of_birth_reaches_a_payload(
    today, review, coordinator, police, police_lead, subscription, receiver
):
    from reviews.models.contributions import Ask
    from reviews.services.contributions import contribution_request

    today.set(date(2026, 12, 7))
    subject_add(
        actor=coordinator,
        review_id=review.pk,
        data=SubjectData(
            pseudonym="Mother M", date_of_birth=BIRTH, full_name=FULL_NAME, nhs_number=NHS_NUMBER, address="1 Lane"
        ),
    )
    advance_to(review, ReviewState.SCOPING, coordinator)
    contribution_request(
        actor=coordinator,
        review_id=review.pk,
        agency=police,
        lead=police_lead,
        asks=[Ask.CHRONOLOGY],
        due_date=date(2026, 12, 14),
        due_date_reason="Agreed at the scoping meeting.",
    )
    reminders_sweep_and_expand(today=date(2026, 12, 7))
    today.set(date(2026, 12, 15))
    reminders_sweep_and_expand(today=date(2026, 12, 15))
    advance_to(review, ReviewState.ACTION_TRACKING, coordinator)
    rows = list(WebhookDelivery.objects.all())
    assert {row.event for row in rows} == {
        WebhookEvent.REVIEW_STAGE_CHANGED,
        WebhookEvent.CONTRIBUTION_REQUESTED,
        WebhookEvent.CONTRIBUTION_DUE_SOON,
        WebhookEvent.CONTRIBUTION_OVERDUE,
        WebhookEvent.FINDINGS_SIGNED,
    }
    for row in rows:
        webhook_deliver(webhook_id=str(row.webhook_id))
    bodies = [received.body.decode() for received in receiver.got()]
    assert len(bodies) == len(rows)
    forbidden = (FULL_NAME, NHS_NUMBER, "401 023 2137", BIRTH.isoformat(), "01/06/1998", "Mother M", review.title)
    for body in bodies:
        for text in forbidden:
            assert text not in body, f"{text!r} reached a webhook payload: {body}"


@pytest.mark.parametrize(
    ("url", "allowed", "message"),
    [
        ("http://hooks.example/in", False, "must start https://"),
        ("http://127.0.0.1:9000/in", False, "must start https://"),
        ("http://hooks.example/in", True, "must start https://"),  # loopback only, even when allowed
        ("ftp://hooks.example/in", False, "starting https://"),
        ("hooks.example/in", False, "starting https://"),
        ("https://user:pw@hooks.example/in", False, "Leave the user name and password out"),
    ],
)
def test_only_https_endpoints_are_accepted(settings, url, allowed, message):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = allowed
    assert message in (webhook_url_error(url) or "")


@pytest.mark.parametrize("url", ["https://hooks.example/in", "https://10.0.0.5:8443/x"])
def test_https_endpoints_pass(url):
    assert webhook_url_error(url) is None


def test_loopback_http_only_when_the_setting_allows_it(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = True
    assert webhook_url_error("http://127.0.0.1:9000/in") is None
    assert webhook_url_error("http://localhost:9000/in") is None


def test_the_service_names_the_field_it_refuses(partnership, partnership_admin):
    with pytest.raises(ValidationError) as refused:
        webhook_subscription_add(
            actor=partnership_admin, partnership=partnership, name="", url="http://hooks.example/", events=[]
        )
    errors = refused.value.message_dict
    assert "must start https://" in errors["url"][0]
    assert errors["events"] == ["Choose at least one event to send."]
    assert "Enter a name" in errors["name"][0]


def test_an_endpoint_subscribed_twice_is_refused_until_the_first_is_deactivated(
    review, coordinator, subscription, partnership_admin, partnership, receiver
):
    """A second click on "Subscribe" would have sent every event to the endpoint twice."""
    again = {"actor": partnership_admin, "partnership": partnership, "name": "Again", "url": receiver.url}
    with pytest.raises(ValidationError) as refused:
        webhook_subscription_add(**again, events=list(WebhookEvent.values))
    [message] = refused.value.message_dict["url"]
    assert message.startswith("This endpoint is already subscribed, as “Police case system” since ")
    assert "Deactivate that subscription first" in message
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    assert len(deliveries()) == 1  # one subscription, one delivery
    webhook_subscription_deactivate(actor=partnership_admin, partnership=partnership, subscription_id=subscription.pk)
    assert webhook_subscription_add(**again, events=list(WebhookEvent.values)).active


def test_only_the_partnership_administrator_subscribes(partnership, coordinator, loopback_allowed):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="partnership administrator"):
        webhook_subscription_add(
            actor=coordinator, partnership=partnership, name="x", url="https://a.example/", events=["findings.signed"]
        )


def test_the_snippet_in_docs_webhooks_verifies_a_real_delivery(review, coordinator, subscription, receiver):
    """docs/WEBHOOKS.md tells receivers how to check a signature: its code, run as written."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "WEBHOOKS.md").read_text()
    snippet = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 -- our own documentation's code
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    webhook_deliver(webhook_id=str(deliveries()[0].webhook_id))
    (received,) = receiver.got()
    assert namespace["verify"](subscription.secret, received.headers, received.body) is True
    assert namespace["verify"]("another secret", received.headers, received.body) is False
    assert namespace["verify"](subscription.secret, received.headers, received.body + b" ") is False


def test_an_action_sends_overdue_only(today, review, coordinator, chair, police, subscription):
    from reviews.services.findings import findings_sign_off
    from tests.factories import read_hash
    from tests.reviews.builders import add_action, add_recommendation, write_findings

    today.set(date(2026, 11, 2))
    advance_to(review, ReviewState.PANEL, coordinator)
    review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    write_findings(review, coordinator)
    recommendation = add_recommendation(review, coordinator, police)
    findings_sign_off(actor=chair, review_id=review.pk, read_hash=read_hash(review.pk))
    action = add_action(recommendation, coordinator, due_date=date(2026, 12, 14))
    today.set(date(2026, 12, 7))
    reminders_sweep_and_expand(today=date(2026, 12, 7))  # 5 working days before: a reminder, no event
    assert deliveries(WebhookEvent.ACTION_OVERDUE) == []
    today.set(date(2026, 12, 15))
    reminders_sweep_and_expand(today=date(2026, 12, 15))
    (overdue,) = deliveries(WebhookEvent.ACTION_OVERDUE)
    assert overdue.payload["action"] == {"id": action.pk, "owner": "Police (Head of public protection)"}
    assert overdue.payload["deadline"] == {"due_date": "2026-12-14", "working_days_from_due": 1}
    assert overdue.payload["review"]["reference"] == review.reference
