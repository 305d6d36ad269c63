"""The access matrix (reviews/access.py), proven: every URL the project serves, requested as every
role against the fixture world, answers as its rule says. A URL without a rule fails, so a new
page cannot ship without someone deciding who may see it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from reviews.access import ROLES, RULES, Outcome, markdown
from tests.reviews.world import served_urls, url_kwargs

SIGN_IN_PAGES = ("/accounts/",)


def test_every_served_url_has_a_rule():
    names = [name for name, _ in served_urls()]
    assert "reviews:review" in names and "notifications:inbox" in names  # the walk found the apps
    missing = sorted(set(names) - set(RULES))
    assert not missing, f"New page(s) without a rule in reviews/access.py: {missing}"


def test_every_rule_decides_for_every_role():
    for name, rule in RULES.items():
        assert set(rule.outcomes) == set(ROLES), name


def test_docs_access_md_is_generated_from_the_matrix(capsys):
    call_command("access_matrix")
    printed = capsys.readouterr().out
    assert printed == markdown()
    doc = Path(settings.BASE_DIR, "docs", "ACCESS.md").read_text(encoding="utf-8")
    assert doc == printed, "docs/ACCESS.md is out of date: run `python manage.py access_matrix > docs/ACCESS.md`"


def _problem(name: str, rule, expected: Outcome, response) -> str | None:
    status = response.status_code
    if expected is Outcome.UNAUTHENTICATED:
        return None if status == 401 else f"expected 401, got {status}"
    if rule.api and expected is Outcome.OK and rule.post_only:
        # Taken up: refused for its empty body (400) or the state (409), or done; never for the user.
        return None if status in (200, 201, 400, 409) else f"expected to be taken up, got {status}"
    if rule.api and expected is Outcome.OK:
        return None if status == 200 else f"expected 200, got {status}"
    if expected is Outcome.HIDDEN:
        return None if status == 404 else f"expected 404, got {status}"
    if expected is Outcome.DENIED:
        return None if status == 403 else f"expected 403, got {status}"
    if expected is Outcome.SIGN_IN:
        sent_to_sign_in = status == 302 and response["Location"].startswith(SIGN_IN_PAGES)
        return None if sent_to_sign_in else f"expected to be sent to sign in, got {status}"
    if rule.post_only:
        # Taken up: refused for its empty form (400), its state (409) or done (302), never refused
        # for the user, and never a crash.
        return None if status in (200, 302, 400, 409) else f"expected to be taken up, got {status}"
    signing_in = name in ("login", "logout") or name.startswith("accounts:")
    if status == 302 and not signing_in and response["Location"].startswith(SIGN_IN_PAGES):
        return f"expected 200, was sent to sign in ({response['Location']})"
    return None if status in (200, 302) else f"expected 200, got {status}"


def _api_request(world, role: str, url: str, rule):
    """An API route, as a machine sends it: the role's token and no session (a POST with an empty
    JSON object)."""
    api_client = Client()
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role in world.tokens else {}
    if rule.post_only:
        return api_client.post(url, data={}, content_type="application/json", headers=headers)
    return api_client.get(url, headers=headers)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_url_answers_each_role_as_the_matrix_says(client, world, role):
    user = world.users[role]
    if user is not None:  # the visitor not signed in stays so
        client.force_login(user)
    problems = []
    for name, params in served_urls():
        rule = RULES.get(name)
        if rule is None:
            problems.append(f"{name}: new page without a rule in reviews/access.py")
            continue
        if role == "agency_lead_other" and not rule.agency_scoped:
            continue  # no agency's object in the URL: the own-agency column covers it
        url = reverse(name, kwargs=url_kwargs(world, role, name, params))
        if rule.api:
            response = _api_request(world, role, url, rule)
        else:
            response = client.post(url) if rule.post_only else client.get(url)
        if name == "logout" and user is not None:
            client.force_login(user)
        expected = rule.outcome(role)
        problem = _problem(name, rule, expected, response)
        if problem:
            problems.append(f"{name} {'POST' if rule.post_only else 'GET'} {url}: {problem}")
        if expected is Outcome.HIDDEN:
            # Never a hint: the 404 page does not name the review.
            assert world.review.reference not in response.content.decode(errors="replace"), url
    assert not problems, f"{ROLES[role]}:\n" + "\n".join(problems)
