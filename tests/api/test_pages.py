"""The token pages (/accounts/tokens/): making a token needs a session that passed two-factor
sign-in; the secret is shown once; revoking is the owner's alone."""

from __future__ import annotations

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import PersonalAccessToken
from tests.api.client import ApiClient
from workflows.models import AuditEvent

FORM = {"name": "Police case system", "scopes": ["read", "contribute"], "lifetime": "90"}


def _verified(client, user) -> None:
    """Signed in with a second factor, as django-otp's login records it in the session."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def test_a_token_cannot_be_made_without_two_factor_sign_in(client, police_lead):
    client.force_login(police_lead)  # a password alone (the suite runs with TWO_FACTOR_REQUIRED off)
    page = client.get(reverse("tokens:list"))
    assert page.status_code == 200 and "sign in with your authenticator app" in page.content.decode()
    assert 'name="scopes"' not in page.content.decode()
    refused = client.post(reverse("tokens:list"), FORM)
    assert refused.status_code == 403
    assert not PersonalAccessToken.objects.exists()


def test_a_token_is_made_shown_once_and_works(client, police_lead, review):
    _verified(client, police_lead)
    made = client.post(reverse("tokens:list"), FORM)
    assert made.status_code == 201
    token = PersonalAccessToken.objects.get(user=police_lead)
    assert token.scopes == ["contribute", "read"]
    page = made.content.decode()
    secret = page.split('<code class="api-token-secret">')[1].split("</code>")[0]
    assert secret.startswith(token.prefix)
    assert ApiClient(secret).get(reverse("api_v1:review", args=[review.reference])).status_code == 200
    later = client.get(reverse("tokens:list")).content.decode()
    assert secret not in later and token.prefix in later


def test_bad_input_names_the_field(client, police_lead):
    _verified(client, police_lead)
    response = client.post(reverse("tokens:list"), {"name": "", "lifetime": "90"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter a name for the token" in text and "Choose at least one scope" in text


def test_revoking_is_the_owners_alone_and_audited(client, police_lead, gp_lead, review):
    _verified(client, police_lead)
    client.post(reverse("tokens:list"), FORM)
    token = PersonalAccessToken.objects.get(user=police_lead)
    client.force_login(gp_lead)
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    client.force_login(police_lead)
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(verb="api_token.revoked", object_id=token.pk, actor=police_lead).exists()
