"""Nothing a signed-in user is sent is stored by a browser or proxy cache (Cache-Control: no-store):
every page the project serves, its CSV exports and evidence downloads; static files stay cacheable."""

from __future__ import annotations

import urllib.request

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.reviews.world import build_world, served_urls, url_kwargs


def not_stored(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_page_export_and_download_for_a_signed_in_user_is_not_stored(
    client,
    review,
    partnership,
    coordinator,
    chair,
    panel_member,
    police_lead,
    gp_lead,
    scrutineer,
    outsider,
    police,
    gp,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(
        review=review,
        partnership=partnership,
        coordinator=coordinator,
        chair=chair,
        panel_member=panel_member,
        police_lead=police_lead,
        gp_lead=gp_lead,
        scrutineer=scrutineer,
        outsider=outsider,
        police=police,
        gp=gp,
    )
    client.force_login(coordinator)
    stored, statuses = [], {}
    for name, params in served_urls():
        if name == "logout":  # signing out is a POST, tested below
            continue
        url = reverse(name, kwargs=url_kwargs(world, "coordinator", name, params))
        response = client.get(url)
        statuses[name] = response.status_code
        if not not_stored(response):
            stored.append(f"{url} ({response.status_code}): {response.get('Cache-Control')!r}")
    assert stored == []
    # The walk really reached the case pages, the exports and the downloads, not only refusals.
    for name in (
        "reviews:review",
        "reviews:chronology",
        "reviews:chronology_export",
        "reviews:action_evidence_download",
        "reviews:action_tracker_export",
        "reviews:subject_identity",
    ):
        assert statuses[name] == 200, (name, statuses[name])


def test_the_responses_that_sign_in_and_out_are_not_stored(client, coordinator):
    signed_in = client.post(reverse("login"), {"username": "coordinator", "password": TEST_PASSWORD})
    assert signed_in.status_code == 302 and not_stored(signed_in)
    assert not_stored(client.get(reverse("reviews:dashboard")))
    signed_out = client.post(reverse("logout"))
    assert signed_out.status_code == 302 and not_stored(signed_out)


def test_a_page_refused_to_a_signed_in_user_is_not_stored(client, outsider, review):
    client.force_login(outsider)
    response = client.get(reverse("reviews:review", args=[review.reference]))
    assert response.status_code == 404
    assert not_stored(response)


@pytest.mark.django_db(transaction=True)
def test_static_files_stay_cacheable_for_a_signed_in_user(live_server, client, coordinator):
    # Through a real server, as runserver serves them: static files before any middleware.
    client.force_login(coordinator)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    def get(path: str):
        request = urllib.request.Request(live_server.url + path, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=30) as response:  # the 200s only
            return response.status, response.headers.get("Cache-Control", ""), response.url

    status, cache_control, _ = get(f"/{settings.STATIC_URL.lstrip('/')}reviews/js-enabled.js")
    assert status == 200
    assert "no-store" not in cache_control
    status, cache_control, url = get(reverse("reviews:dashboard"))
    assert (status, url) == (200, live_server.url + reverse("reviews:dashboard"))  # signed in, not sent away
    assert "no-store" in cache_control
