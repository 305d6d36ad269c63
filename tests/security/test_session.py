"""Idle session timeout: a request after SESSION_IDLE_TIMEOUT seconds without activity signs the
user out and sends them to sign in with a message; activity keeps the session alive."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from project.security import LAST_ACTIVITY_KEY
from tests.factories import TEST_PASSWORD


def idle_for(client, seconds: float) -> None:
    """Move the stored time of the last request back, rather than sleeping."""
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - seconds
    session.save()


def test_an_idle_session_is_signed_out_with_a_message(client, coordinator, review, settings):
    settings.SESSION_IDLE_TIMEOUT = 300
    client.force_login(coordinator)
    review_url = reverse("reviews:review", args=[review.reference])
    assert client.get(review_url).status_code == 200

    idle_for(client, 301)
    response = client.get(review_url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={review_url}"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "You have been signed out because you had not used the service for 5 minutes" in page
    assert review.title not in page
    # Still signed out afterwards.
    assert client.get(review_url).status_code == 302


def test_an_idle_post_changes_nothing(client, coordinator, review, settings):
    settings.SESSION_IDLE_TIMEOUT = 300
    client.force_login(coordinator)
    client.get(reverse("reviews:dashboard"))
    idle_for(client, 301)
    response = client.post(reverse("reviews:review_new"), {"title": "Child Z"})
    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session


def test_activity_refreshes_the_idle_clock(client, coordinator, review, settings):
    settings.SESSION_IDLE_TIMEOUT = 300
    client.force_login(coordinator)
    client.get(reverse("reviews:dashboard"))
    for _ in range(3):  # 4 minutes idle, three times over: 12 minutes in all, never 5 in a row
        idle_for(client, 240)
        assert client.get(reverse("reviews:dashboard")).status_code == 200
        assert time.time() - client.session[LAST_ACTIVITY_KEY] < 5


def test_sessions_end_with_the_browser_and_the_default_is_thirty_minutes():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60


def test_an_idle_session_on_the_sign_in_page_shows_it_and_signs_in_again(client, coordinator, settings):
    # Not a redirect to the sign-in page with ?next= pointing at itself (signing in would then land
    # the user back on the sign-in form).
    settings.SESSION_IDLE_TIMEOUT = 300
    client.force_login(coordinator)
    client.get(reverse("reviews:dashboard"))
    idle_for(client, 301)
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert SESSION_KEY not in client.session
    assert "You have been signed out because you had not used the service" in page.content.decode()

    client.force_login(coordinator)
    idle_for(client, 301)
    response = client.post(reverse("login"), {"username": coordinator.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:dashboard")
    assert client.session[SESSION_KEY] == str(coordinator.pk)
