"""Bearer tokens: hashed at rest, refused when expired, revoked or unknown (401 problem), last
use recorded at most once a minute, acting as the user with exactly the user's roles."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from api.models import PersonalAccessToken, Scope
from api.services import token_create, token_revoke
from tests.api.client import ApiClient
from workflows.models import AuditEvent

PROBLEM = "application/problem+json"


def test_the_secret_is_stored_hashed_only(coordinator):
    token, secret = token_create(
        actor=coordinator, name="Case system", scopes=["read"], expires_at=timezone.now() + timedelta(days=5)
    )
    row = PersonalAccessToken.objects.get(pk=token.pk)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(value) for value in PersonalAccessToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(secret in value for value in stored)
    assert secret.startswith(row.prefix) and len(row.prefix) < len(secret) // 4
    assert AuditEvent.objects.filter(verb="api_token.created", object_id=token.pk).exists()
    assert secret not in str(AuditEvent.objects.get(verb="api_token.created", object_id=token.pk).detail)


def test_a_token_acts_as_its_user(coordinator, review):
    _, secret = token_create(
        actor=coordinator, name="t", scopes=["read"], expires_at=timezone.now() + timedelta(days=1)
    )
    response = ApiClient(secret).get(reverse("api_v1:review", args=[review.reference]))
    assert response.status_code == 200
    assert response.json()["reference"] == review.reference


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (None, "Send a personal access token"),
        ("Bearer rvt_not-a-real-token", "not valid"),
        ("Bearer", "must be 'Bearer <token>'"),
    ],
)
def test_no_or_an_unknown_token_is_401_problem(client, review, header, why):
    headers = {"Authorization": header} if header else {}
    response = client.get(reverse("api_v1:reviews"), headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and why in body["detail"] and body["title"] == "Unauthorized"


def test_an_expired_token_is_refused(coordinator, review):
    token, secret = token_create(
        actor=coordinator, name="t", scopes=["read"], expires_at=timezone.now() + timedelta(days=1)
    )
    PersonalAccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = ApiClient(secret).get(reverse("api_v1:reviews"))
    assert response.status_code == 401
    assert response.json()["detail"] == "The token has expired."


def test_a_revoked_token_is_refused_and_revocation_is_audited(coordinator, review):
    token, secret = token_create(
        actor=coordinator, name="t", scopes=["read"], expires_at=timezone.now() + timedelta(days=1)
    )
    assert ApiClient(secret).get(reverse("api_v1:reviews")).status_code == 200
    token_revoke(actor=coordinator, token_id=token.pk)
    response = ApiClient(secret).get(reverse("api_v1:reviews"))
    assert response.status_code == 401
    assert response.json()["detail"] == "The token has been revoked."
    assert AuditEvent.objects.filter(verb="api_token.revoked", object_id=token.pk).count() == 1


def test_a_token_cannot_be_made_without_an_expiry_in_the_next_year_or_a_scope(coordinator):
    with pytest.raises(ValidationError) as refused:
        token_create(actor=coordinator, name="t", scopes=["admin"], expires_at=timezone.now() - timedelta(days=1))
    assert set(refused.value.message_dict) == {"scopes", "expires_at"}
    with pytest.raises(ValidationError) as refused:
        token_create(actor=coordinator, name=" ", scopes=["read"], expires_at=timezone.now() + timedelta(days=400))
    assert set(refused.value.message_dict) == {"name", "expires_at"}


def test_last_used_is_written_at_most_once_a_minute(coordinator, review, django_assert_num_queries):
    token, secret = token_create(
        actor=coordinator, name="t", scopes=["read"], expires_at=timezone.now() + timedelta(days=1)
    )
    api = ApiClient(secret)
    api.get(reverse("api_v1:reviews"))
    first = PersonalAccessToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    api.get(reverse("api_v1:reviews"))
    assert PersonalAccessToken.objects.get(pk=token.pk).last_used_at == first
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api.get(reverse("api_v1:reviews"))
    assert PersonalAccessToken.objects.get(pk=token.pk).last_used_at > first


def test_a_token_gives_no_more_than_its_users_roles(api_as, outsider, review):
    # The outsider coordinates another partnership: with every scope, this review does not exist.
    response = api_as(outsider).get(reverse("api_v1:review", args=[review.reference]))
    assert response.status_code == 404
    assert review.reference not in response.content.decode()


@pytest.mark.parametrize(
    ("scopes", "status"), [([Scope.READ], 403), ([Scope.CONTRIBUTE], 403), ([Scope.COORDINATE], 400)]
)
def test_a_write_needs_its_scope_and_a_read_needs_read(api_as, coordinator, review, scopes, status):
    api = api_as(coordinator, scopes)
    response = api.post(reverse("api_v1:review_transition", args=[review.reference, "start_scoping"]), {})
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    if status == 403:
        assert response.json()["scope"] == "coordinate"
        assert "'coordinate' scope" in response.json()["detail"]
    read = api.get(reverse("api_v1:reviews"))
    assert read.status_code == (200 if Scope.READ in scopes else 403)
