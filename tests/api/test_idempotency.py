"""Idempotency-Key on POSTs: a repeat replays the first response and writes nothing; another body
with the same key is a 422; two requests at the same moment with one key write once (the other
gets 409 "in progress" or, once the first is done, the replay). Driven through the review step
endpoint, whose writes (TransitionLog rows) are easy to count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone

from api.idempotency import idempotency_keys_purge
from api.models import IdempotencyKey
from reviews.models import Review, ReviewState
from tests.api.client import ApiClient, make_token
from tests.concurrency import race
from workflows.models import TransitionLog


def _url(review) -> str:
    return reverse("api_v1:review_transition", args=[review.reference, "start_scoping"])


def _steps(review) -> int:
    return TransitionLog.objects.filter(object_id=review.pk, transition="start_scoping").count()


def test_the_same_key_and_body_replays_the_first_response_and_writes_once(api_as, coordinator, review):
    api = api_as(coordinator)
    body = {"expected_state": "notification"}
    first = api.post(_url(review), body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 200 and first.json()["state"] == ReviewState.SCOPING
    again = api.post(_url(review), body, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert _steps(review) == 1
    # Without the key, the same request is a new one: refused for its stale state.
    assert api.post(_url(review), body).status_code == 409


def test_the_same_key_with_another_body_is_422(api_as, coordinator, review):
    api = api_as(coordinator)
    api.post(_url(review), {"expected_state": "notification"}, headers={"Idempotency-Key": "k-2"})
    other = api.post(_url(review), {"expected_state": "scoping"}, headers={"Idempotency-Key": "k-2"})
    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["type"] == "urn:review-engine:problem:idempotency-key-reused"
    assert _steps(review) == 1


def test_an_error_response_is_replayed_too(api_as, coordinator, review):
    api = api_as(coordinator)
    first = api.post(_url(review), {}, headers={"Idempotency-Key": "k-3"})
    assert first.status_code == 400
    assert api.post(_url(review), {}, headers={"Idempotency-Key": "k-3"}).content == first.content


def test_a_key_is_the_users_own(api_as, coordinator, second_coordinator, review):
    """Another user sending the same key runs their own request (here refused: no role)."""
    body = {"expected_state": "notification"}
    api_as(coordinator).post(_url(review), body, headers={"Idempotency-Key": "shared"})
    other = api_as(second_coordinator).post(_url(review), body, headers={"Idempotency-Key": "shared"})
    assert other.status_code == 404 and "Idempotent-Replayed" not in other
    # One row per user: each replays their own first answer.
    assert IdempotencyKey.objects.filter(key="shared").count() == 2
    again = api_as(second_coordinator).post(_url(review), body, headers={"Idempotency-Key": "shared"})
    assert again.status_code == 404 and again["Idempotent-Replayed"] == "true"


def test_keys_older_than_24_hours_are_purged_and_free_again(api_as, coordinator, review):
    api = api_as(coordinator)
    api.post(_url(review), {"expected_state": "notification"}, headers={"Idempotency-Key": "k-5"})
    IdempotencyKey.objects.filter(key="k-5").update(created_at=timezone.now() - timedelta(hours=25))
    # Past its 24 hours: the same key runs again (refused now for the state, not replayed).
    again = api.post(_url(review), {"expected_state": "notification"}, headers={"Idempotency-Key": "k-5"})
    assert again.status_code == 409 and "Idempotent-Replayed" not in again
    IdempotencyKey.objects.filter(key="k-5").update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_keys_purge() == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_with_one_key_write_once(coordinator, review):
    secret = make_token(coordinator)
    body = {"expected_state": "notification"}

    def posting():
        close_old_connections()
        response = ApiClient(secret).post(_url(review), body, headers={"Idempotency-Key": "race"})
        kind = response.json().get("type") if response.status_code >= 400 else None
        return response.status_code, response.get("Idempotent-Replayed"), kind

    results = race(("first", posting), ("second", posting))
    assert all(result[0] == "ok" for result in results.values()), results
    outcomes = sorted((result[1] for result in results.values()), key=lambda o: (o[0], o[1] or ""))
    # Exactly one ran the step; the other found it running (409 "in progress", never the runner's
    # stale-state refusal, which would mean it ran the step's code too) or replayed its answer.
    ran, other = outcomes
    assert ran == (200, None, None), outcomes
    assert other in ((200, "true", None), (409, None, "urn:review-engine:problem:idempotency-key-in-progress")), (
        outcomes
    )
    assert _steps(review) == 1
    assert Review.objects.get(pk=review.pk).state == ReviewState.SCOPING
    assert IdempotencyKey.objects.get(key="race").status == 200
