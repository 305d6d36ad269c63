"""The front door in a real browser: a hospital registrar, not signed in, tells the panel about a
child's death, is sent back with a specific message (what they typed kept), corrects it and gets a
reference; the demo coordinator finds it in the queue with its match and opens a child death review."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reviews.models import IntakeItem, Review, ReviewKind, SubjectIdentity

# PostgreSQL only, as every live-server journey (tests/reviews/review/test_browser.py says why).
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def fill_date(page, name: str, value) -> None:
    page.fill(f"#id_{name}-day", str(value.day))
    page.fill(f"#id_{name}-month", str(value.month))
    page.fill(f"#id_{name}-year", str(value.year))


def test_a_professional_notifies_a_death_and_the_coordinator_opens_a_review(browser_page, broken_assets, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    page = browser_page
    died = timezone.localtime() - timedelta(hours=20)

    page.goto("/notify/")
    assert page.url.endswith("/notify/")  # no sign-in asked for
    assert page.locator("h1").inner_text() == "Tell us about a child's death"
    # The honeypot is there for robots, out of sight for people.
    assert not page.locator("#id_website").is_visible()
    page.fill("#id_child_name", "Poppy Ashcombe-Lindqvist")
    fill_date(page, "date_of_birth", died.date() - timedelta(days=600))
    page.fill("#id_nhs_number", "943 476 5918")  # a wrong check digit
    page.check("label:has-text('Female')")
    page.select_option("#id_ethnicity", "white_irish")
    page.fill("#id_address", "3 Orchard Row\nNorthbridge")
    page.fill("#id_postcode", "NB3 7QT")
    fill_date(page, "died_on", died)
    page.fill("#id_died_time", died.strftime("%H:%M"))
    page.fill("#id_place_of_death", "Northbridge General Hospital")
    page.check("label:has-text('Unexpected')")
    page.fill("#id_notifier_name", "Dr Amara Okafor")
    page.fill("#id_notifier_role", "Paediatric registrar")
    page.fill("#id_notifier_organisation", "Northbridge General Hospital")
    page.fill("#id_notifier_email", "amara.okafor@nbgh.example.nhs.uk")
    page.fill("#id_notifier_phone", "01632 960 123")
    # Aware half an hour after the death, its date and time from the same moment (between 19:30 and
    # 20:00 the half hour crosses midnight: the death's date with the later time was before the death).
    aware = died + timedelta(minutes=30)
    fill_date(page, "became_aware_on", aware)
    page.fill("#id_became_aware_time", aware.strftime("%H:%M"))
    page.fill("#id_account", "Brought in by ambulance after a cardiac arrest at home.")
    page.click("button:has-text('Send the notification')")

    summary = page.locator(".govuk-error-summary")
    assert "This is not a valid NHS number: its check digit does not match." in summary.inner_text()
    assert summary.evaluate("e => e === document.activeElement")
    assert page.input_value("#id_notifier_name") == "Dr Amara Okafor"
    assert page.input_value("#id_account") == "Brought in by ambulance after a cardiac arrest at home."
    assert page.input_value("#id_ethnicity") == "white_irish"
    page.screenshot(path=str(artifacts_dir / "notify-errors.png"), full_page=True)
    assert not IntakeItem.objects.exists()

    page.fill("#id_nhs_number", "943 476 5919")
    page.click("button:has-text('Send the notification')")
    page.wait_for_selector("text=Notification sent")
    reference = page.locator("#intake-reference").inner_text().strip()
    assert re.fullmatch(r"CDN-[A-Z0-9]{8}", reference)
    assert "Poppy" not in page.content()
    page.screenshot(path=str(artifacts_dir / "notify-sent.png"), full_page=True)

    # The coordinator signs in and finds it in the queue.
    page.goto("/accounts/login/?next=/intake/")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/intake/")
    # The queue is in the coordinator's navigation, and the notification in their inbox.
    page.click(f".govuk-service-navigation a[href='{reverse('notifications:inbox')}']")
    page.click(f"a:has-text('{reference}: A child')")
    page.wait_for_url(f"**/intake/{reference}/")
    page.click(".govuk-service-navigation a:has-text('Death notifications')")
    page.click(f"a:has-text('{reference}')")
    assert "Poppy Ashcombe-Lindqvist" in page.locator("main").inner_text()
    page.click("button:has-text('Open a child death review')")
    page.wait_for_selector("text=opened for")
    review = Review.objects.get(intake_items__reference=reference)
    assert review.kind == ReviewKind.CHILD_DEATH
    assert page.url.endswith(f"/reviews/{review.reference}/")
    assert "Poppy" not in page.locator("main").inner_text()  # the review page uses the pseudonym
    identity = SubjectIdentity.objects.get(subject__review=review)
    assert identity.nhs_number == "9434765919"
    assert review.became_aware_on == aware.date()
    assert broken_assets == []
