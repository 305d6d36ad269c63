"""Browser fixtures: Playwright's sync API driving Debian's chromium against the live server.

Playwright's own browser download does not work on our machines, so the test uses the chromium
on PATH and fails (never skips) without it: `make chromium` installs it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture
def chromium_browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
    # ORM calls the test makes (seeding, checking the database) as if they came from async code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: run `make chromium` (./scripts/ensure-chromium.sh)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # ORM calls made while Playwright runs get their own connection (Django keys
            # connections by context, and Playwright switches greenlets); close it here, or the
            # test database cannot be dropped at the end of the session.
            connections.close_all()


@pytest.fixture
def browser_page(chromium_browser: Any, live_server: Any) -> Iterator[Any]:
    context = chromium_browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# Contribution fixtures shared by the contribution and chronology tests of this folder.
from tests.reviews.contributions_support import gp_contribution, police_contribution, scoping  # noqa: E402, F401
