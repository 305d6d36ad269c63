"""Session limits: a request after SESSION_IDLE_TIMEOUT seconds without activity signs the user out
and sends them to sign in with a message; activity keeps the session alive, but never beyond
SESSION_COOKIE_AGE after signing in; the idle clock costs a database write at most once a minute."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from project.security import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY
from tests.factories import TEST_PASSWORD


def idle_for(client, seconds: float) -> None:
    """Move the stored time of the last request back, rather than sleeping."""
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - seconds
    session.save()


def time_passes(client, seconds: float) -> None:
    """As if ``seconds`` went by: every time the session holds (whatever its key) and the expiry
    date of its row are moved back by that much, rather than sleeping."""
    session = client.session
    now = time.time()
    for key, value in list(session.items()):
        if isinstance(value, float) and abs(now - value) < 365 * 24 * 3600:  # a timestamp
            session[key] = value - seconds
    session.save()  # sets the row's expiry date from now, as a request saving it would
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=F("expire_date") - timedelta(seconds=seconds)
    )


def session_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")]


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
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60


def test_an_active_session_still_ends_its_lifetime_after_signing_in(client, coordinator, review, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_COOKIE_AGE = 60 * 60
    review_url = reverse("reviews:review", args=[review.reference])
    assert client.post(reverse("login"), {"username": "coordinator", "password": TEST_PASSWORD}).status_code == 302
    for _ in range(4):  # a request every 14 minutes: never idle, 56 minutes in all
        time_passes(client, 14 * 60)
        assert client.get(review_url).status_code == 200

    time_passes(client, 5 * 60)  # 61 minutes after signing in
    response = client.get(review_url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={review_url}"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "You have been signed out because you signed in more than 1 hour ago. Sign in again to continue." in page


def test_the_first_request_after_signing_in_is_idle_checked(client, coordinator, review, settings):
    settings.SESSION_IDLE_TIMEOUT = 300
    assert client.post(reverse("login"), {"username": "coordinator", "password": TEST_PASSWORD}).status_code == 302
    time_passes(client, 301)  # nothing since the sign-in itself
    response = client.get(reverse("reviews:review", args=[review.reference]))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_the_idle_clock_is_written_at_most_once_a_minute(client, coordinator, settings):
    settings.SESSION_IDLE_TIMEOUT = 300
    client.force_login(coordinator)
    dashboard = reverse("reviews:dashboard")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get(dashboard).status_code == 200
    assert session_writes(queries) == []

    time_passes(client, 61)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard).status_code == 200
    assert len(session_writes(queries)) == 1
    assert time.time() - client.session[LAST_ACTIVITY_KEY] < 5


def test_a_signed_in_session_without_its_sign_in_time_is_ended(client, coordinator, review):
    # A session signed in before the time was recorded: its age is unknown, so it cannot be kept.
    client.force_login(coordinator)
    session = client.session
    session.pop(SIGNED_IN_AT_KEY)
    session.save()
    response = client.get(reverse("reviews:dashboard"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert "Your session has ended. Sign in again to continue." in client.get(response["Location"]).content.decode()


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
