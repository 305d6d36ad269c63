"""Swagger UI at /api/docs/ in a real browser, under the site's Content-Security-Policy: it draws
the API from the local assets, and the browser reports no CSP violation or script error."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_under_the_csp(browser_page, live_server):
    problems: list[str] = []
    browser_page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    browser_page.on("pageerror", lambda error: problems.append(str(error)))
    outside: list[str] = []
    browser_page.on("request", lambda request: request.url.startswith(live_server.url) or outside.append(request.url))
    browser_page.goto("/api/docs/")
    browser_page.wait_for_selector("text=Safeguarding review engine API")
    browser_page.wait_for_selector("text=/api/v1/reviews/")
    assert not problems, problems
    assert not outside, f"fetched from another site: {outside}"
