"""Fixtures shared by the feature folders of tests/reviews/: contributions asked of the police and
the GP, the review at findings, the world of every object with a URL, a frozen "today", and the
browser.

The browser: Playwright's sync API driving Debian's chromium against the live server. Playwright's
own browser download does not work on our machines, so the test uses the chromium on PATH and
fails (never skips) without it: `make chromium` installs it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from reviews.models import Agency, AgencyKind, Review, ReviewState
from reviews.models.contributions import AgencyContribution, Ask
from reviews.services.contributions import contribution_request
from reviews.services.review import review_advance
from tests.factories import AgencyFactory, advance_to
from tests.reviews.world import World, build_world

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
def broken_assets(browser_page: Any) -> list[str]:
    """Every stylesheet, script, font or image the page failed to load, for the test to assert empty
    at the end: a page that looks unstyled to a person fails the test."""
    broken: list[str] = []
    browser_page.on(
        "response",
        lambda r: (
            broken.append(r.url)
            if r.status >= 400 and r.request.resource_type in ("stylesheet", "script", "font", "image")
            else None
        ),
    )
    return broken


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- contributions -----------------------------------------------------------------------------


@pytest.fixture
def police_contribution(scoping, coordinator, police, police_lead) -> AgencyContribution:
    return contribution_request(
        actor=coordinator, review_id=scoping.pk, agency=police, lead=police_lead, asks=[Ask.CHRONOLOGY]
    )


@pytest.fixture
def gp_contribution(scoping, coordinator, gp, gp_lead) -> AgencyContribution:
    return contribution_request(
        actor=coordinator, review_id=scoping.pk, agency=gp, lead=gp_lead, asks=[Ask.CHRONOLOGY, Ask.AGENCY_REPORT]
    )


# --- findings, panels and actions ------------------------------------------------------------------


@pytest.fixture
def csc(partnership) -> Agency:
    return AgencyFactory(
        name="Northbridge Children's Social Care",
        short_name="Children's social care",
        kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
        serves=[partnership],
    )


@pytest.fixture
def drafting(review, coordinator) -> Review:
    """The fixture review at findings, nothing written yet (advance_to would sign them off)."""
    advance_to(review, ReviewState.PANEL, coordinator)
    return review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")


# --- every object with a URL -----------------------------------------------------------------------


@pytest.fixture
def world(
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
) -> World:
    """The review taken to action tracking with one of every object that has a URL (tests/reviews/world.py)."""
    settings.MEDIA_ROOT = tmp_path  # the evidence files stay out of var/media
    return build_world(
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


@pytest.fixture
def today(monkeypatch):
    """Set "today" for every service and page that asks timezone.localdate() (key-date checks, clock
    readings, reminders), so dated cases such as Christmas 2026 can be recorded and read."""

    class Today:
        value = date(2027, 2, 1)

        def set(self, day: date) -> date:
            self.value = day
            return day

    holder = Today()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: holder.value)
    return holder
