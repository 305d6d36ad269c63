"""The shell around every page: signing in and out, GOV.UK assets, and no inline script."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def test_sign_in_page_and_signing_in(client, coordinator):
    html = client.get(reverse("login")).content.decode()
    assert "govuk-frontend/dist/govuk/govuk-frontend.min.css" in html
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in html
    response = client.post(reverse("login"), {"username": "coordinator", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:dashboard")


def test_a_wrong_password_shows_the_error_summary(client, coordinator):
    response = client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Please enter a correct username and password" in html
    assert 'value="coordinator"' in html
    assert 'type="password" value=' not in html  # a password is never echoed back


def test_signing_out_is_a_post(client, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("reviews:dashboard")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}"' in html
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("reviews:dashboard")).status_code == 302


@pytest.mark.parametrize(
    "url_name", ["reviews:review", "reviews:review_dates", "reviews:subject_add", "reviews:review_roles"]
)
def test_pages_carry_no_inline_script(client, review, coordinator, url_name):
    # A later issue turns on a strict Content-Security-Policy: every script must be a file.
    client.force_login(coordinator)
    pages = [
        client.get(reverse(url_name, args=[review.reference])).content.decode(),
        client.get(reverse("reviews:dashboard")).content.decode(),
        client.get(reverse("reviews:review_new")).content.decode(),
    ]
    for html in pages:
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
        assert scripts, "the GOV.UK Frontend scripts are missing"
        assert all(body.strip() == "" for body in scripts)
        assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
        assert " on" + "click=" not in html
        assert "style=" not in html
