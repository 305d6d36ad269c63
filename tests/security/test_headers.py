"""Headers on every page: a strict Content-Security-Policy (django-csp) with no inline script,
framing refused, no MIME sniffing, a same-origin referrer; and the sign-in pages added for
issue 6 carry no inline script or style, so the policy holds on them too."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security.two_factor import give_totp_device, totp_code


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict_headers(response) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def assert_no_inline_script_or_style(html: str) -> None:
    for tag, body in re.findall(r"(<script\b[^>]*>)(.*?)</script>", html, flags=re.S):
        assert "src=" in tag and body.strip() == ""
    assert "<style" not in html
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no event-handler attributes
    assert "javascript:" not in html


def test_pages_signed_out_carry_the_policy(client):
    for url in (reverse("login"), reverse("reviews:dashboard")):
        assert_strict_headers(client.get(url))


@pytest.mark.parametrize("url_name", ["reviews:dashboard", "reviews:review", "reviews:chronology"])
def test_case_pages_carry_the_policy(client, coordinator, review, url_name):
    client.force_login(coordinator)
    url = reverse(url_name, args=[review.reference]) if url_name != "reviews:dashboard" else reverse(url_name)
    response = client.get(url)
    assert response.status_code == 200
    assert_strict_headers(response)


def test_errors_and_the_lockout_page_carry_the_policy(sign_in_hardened, client, coordinator):
    assert_strict_headers(client.get("/no-such-page/"))
    for _ in range(sign_in_hardened.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    assert response.status_code == 429
    assert_strict_headers(response)
    assert_no_inline_script_or_style(response.content.decode())


def test_the_sign_in_and_two_factor_pages_have_no_inline_script_or_style(sign_in_hardened, client, coordinator):
    assert_no_inline_script_or_style(client.get(reverse("login")).content.decode())
    client.force_login(coordinator)
    setup = client.get(reverse("accounts:two_factor_setup"))
    assert_strict_headers(setup)
    assert_no_inline_script_or_style(setup.content.decode())
    device = TOTPDevice.objects.get(user=coordinator)
    client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device)})
    codes = client.get(reverse("accounts:two_factor_backup_codes"))
    assert codes.status_code == 200
    assert_no_inline_script_or_style(codes.content.decode())


def test_the_code_step_has_no_inline_script_or_style(sign_in_hardened, client, coordinator):
    give_totp_device(coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("accounts:two_factor"))
    assert response.status_code == 200
    assert_strict_headers(response)
    assert_no_inline_script_or_style(response.content.decode())
