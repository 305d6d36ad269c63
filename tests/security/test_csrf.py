"""CSRF is enforced on every state change: a POST without a token to any route the project
serves (found by walking the resolver) is refused and changes nothing in the database."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client

from tests.security.routes import every_route, route_url
from workflows.models import AuditEvent, TransitionLog

ROUTES = every_route()


def database_state() -> dict[str, list[dict]]:
    """Every row of every table, except sessions (the idle timeout stamps the session on every
    request, by design, before the CSRF check runs)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model is not Session
    }


def test_the_walk_finds_the_state_changing_routes():
    names = {route.name for route in ROUTES}
    assert {"reviews:review_transition", "reviews:review_new", "notifications:mark_read", "logout"} <= names
    assert {"accounts:two_factor", "accounts:two_factor_setup"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(route, url_values, coordinator):
    url = route_url(route, url_values)
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    client.get(url)  # a session and a CSRF cookie, as a browser would have; the form token is withheld
    logs, events = TransitionLog.objects.count(), AuditEvent.objects.count()
    before = database_state()

    response = client.post(url, {"confirm": "yes", "title": "Changed", "code": "123456"})

    # The API (/api/) takes no session at all, only a Bearer token: a session's POST is a 401.
    refusals = (401, 405) if url.startswith("/api/") else (403, 404, 405)
    assert response.status_code in refusals, f"{url} answered {response.status_code}"
    assert not 200 <= response.status_code < 400
    assert (TransitionLog.objects.count(), AuditEvent.objects.count()) == (logs, events)
    assert database_state() == before
