"""One journey through a real browser: the demo coordinator opens a rapid review, sees why it
cannot start scoping yet, records what is missing and starts scoping."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from reviews.models import Review, ReviewState

# PostgreSQL only: the live server needs a transactional test, whose teardown empties every table,
# and on SQLite that is a DELETE the append-only triggers on the audit tables rightly refuse
# (PostgreSQL empties them with TRUNCATE). `make test` and CI run on PostgreSQL.
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def fill_date(page, name: str, value) -> None:
    page.fill(f"#id_{name}-day", str(value.day))
    page.fill(f"#id_{name}-month", str(value.month))
    page.fill(f"#id_{name}-year", str(value.year))


def test_coordinator_opens_and_advances_a_review(browser_page, broken_assets, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    coordinator_name = get_user_model().objects.get(username="coordinator").get_full_name()
    page = browser_page
    today = timezone.localdate()

    page.goto("/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Your reviews"
    # GOV.UK Frontend's CSS is loaded (the header is styled) and its JS set up the page.
    assert page.locator(".govuk-header").evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    page.screenshot(path=str(artifacts_dir / "dashboard.png"), full_page=True)

    page.click("a:has-text('Open a review')")
    page.click("button:has-text('Open the review')")
    summary = page.locator(".govuk-error-summary")
    assert "Select the kind of review" in summary.inner_text()
    assert "Enter a title for the review" in summary.inner_text()
    # GOV.UK Frontend's JS moves focus to the error summary, so screen readers announce it.
    assert summary.evaluate("e => e === document.activeElement")
    page.screenshot(path=str(artifacts_dir / "open-review-errors.png"), full_page=True)
    page.check("label:has-text('Rapid review')")
    page.fill("#id_title", "Child E (aged 3)")
    fill_date(page, "became_aware_on", today - timedelta(days=1))
    page.click("button:has-text('Open the review')")
    page.wait_for_selector("text=opened.")
    reference = page.locator(".govuk-caption-l").inner_text().strip()
    assert re.fullmatch(r"NSCP-RR-\d{4}-\d{3}", reference)

    blocked = page.locator("#blocked-start_scoping")
    assert "Start scoping: not possible yet" in blocked.inner_text()
    assert "Add at least one subject" in blocked.inner_text()
    assert "Record the serious incident notification" in blocked.inner_text()
    assert page.locator("#transition-start_scoping").count() == 0
    page.screenshot(path=str(artifacts_dir / "review-blocked.png"), full_page=True)

    # The notification is an onward notice: its date and what the Panel asks for, recorded once.
    page.click("#notice-serious_incident a:has-text('Record')")
    fill_date(page, "sent_on", today)
    page.click("button:has-text('Record the notice')")
    assert "Say what happened" in page.locator(".govuk-error-summary").inner_text()
    page.fill("#id_what_happened", "Child E (aged 3) was admitted to hospital with injuries.")
    page.fill("#id_agencies_involved", "Police, children's social care, the GP.")
    page.fill("#id_immediate_actions", "A strategy meeting; the sibling is placed with family.")
    page.click("button:has-text('Record the notice')")
    page.wait_for_selector("text=Serious incident notification recorded.")
    assert "Met" in page.locator("#notice-serious_incident").inner_text().title()
    assert "Record the serious incident notification" not in page.locator("#blocked-start_scoping").inner_text()

    page.click("a:has-text('Add a subject')")
    page.fill("#id_pseudonym", "Child E")
    page.click("button:has-text('Add the subject')")
    page.wait_for_selector("text=Child E added.")
    assert page.locator("#blocked-start_scoping").count() == 0

    page.click("#transition-start_scoping button")
    page.wait_for_selector(f"text={reference} is now at Scoping")
    assert page.locator("#stage").inner_text().strip() == "Scoping"
    history = page.locator("table", has=page.locator("caption:has-text('Stage changes')"))
    assert "Notification → Scoping" in history.inner_text()
    assert coordinator_name in history.inner_text()
    page.screenshot(path=str(artifacts_dir / "review-scoping.png"), full_page=True)

    assert broken_assets == []
    review = Review.objects.get(reference=reference)
    assert review.state == ReviewState.SCOPING
    assert review.subjects.get().pseudonym == "Child E"
