"""One journey through a real browser: the demo chair signs off a review's findings; the demo
police lead completes the resulting action with evidence; the demo coordinator verifies it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from reviews.models import Action, ActionState, Findings
from reviews.services.actions import ActionData, action_create
from reviews.services.review import review_advance
from tests.reviews.browsing import review_at_findings, sign_in

# PostgreSQL only, like tests/reviews/review/test_browser.py: the live server needs a transactional test.
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_chair_signs_off_lead_completes_and_coordinator_verifies(browser_page, broken_assets, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    review, users, police = review_at_findings()
    reference = review.reference
    page = browser_page

    # The chair finds the findings waiting for them and signs them off.
    sign_in(page, "chair")
    page.click("nav a:has-text('Sign-offs')")
    page.wait_for_selector("h1:has-text('Your sign-offs')")
    page.click(f"#awaiting a:has-text('{reference}')")
    page.wait_for_selector("h1:has-text('Findings')")
    assert "Train every response officer" in page.locator("#recommendation-1").inner_text()
    page.click("#sign-off-link")
    page.wait_for_selector("h1:has-text('Sign off the findings')")  # what will be signed, then confirm
    page.click("#confirm-sign-off")
    page.wait_for_selector("text=You signed off version 1 of the findings.")
    assert page.locator("#findings-state").inner_text().strip() == "Signed off"
    findings = Findings.objects.get(review=review)
    assert page.locator("#findings-hash").inner_text().strip() == findings.content_hash
    assert findings.signed_by == users["chair"]
    page.screenshot(path=str(artifacts_dir / "findings-signed.png"), full_page=True)
    page.click("button:has-text('Sign out')")

    # The coordinator moves to action tracking and turns the recommendation into an action.
    coordinator = users["coordinator"]
    review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")
    action = action_create(
        actor=coordinator,
        recommendation_id=findings.recommendations.get().pk,
        data=ActionData(
            description="Run the bruising protocol training for every response team.",
            owner_agency=police,
            owner_role="Head of public protection",
            due_date=timezone.localdate() + timedelta(days=60),
            success_measure="Attendance records for every team.",
        ),
    )

    # The police lead completes it with evidence, from "My actions".
    sign_in(page, "police.lead")
    page.click("nav a:has-text('My actions')")
    page.wait_for_selector("h1:has-text('My actions')")
    page.click(f"#action-{action.pk} a:has-text('R1.1')")
    page.wait_for_selector("h1:has-text('Action R1.1')")
    # Without evidence: refused, with the reason, nothing changed.
    page.click("#step-complete button")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Give the evidence of completion of R1.1" in summary.inner_text()
    assert Action.objects.get(pk=action.pk).state == ActionState.OPEN
    page.fill("#id_complete_evidence", "Attendance sheets for all 14 response teams, signed by the trainer.")
    page.click("#step-complete button")
    page.wait_for_selector("text=Action R1.1 is now completed")
    assert "Attendance sheets for all 14 response teams" in page.locator("#evidence").inner_text()
    assert page.locator("#step-verify").count() == 0  # never verified by its owner
    page.screenshot(path=str(artifacts_dir / "action-completed.png"), full_page=True)
    page.click("button:has-text('Sign out')")

    # The coordinator verifies it on the partnership's behalf, from the tracker.
    sign_in(page, "coordinator")
    page.click("nav a:has-text('Action tracker')")
    page.wait_for_selector("h1:has-text('Action tracker')")
    page.click(f"#action-{action.pk} a:has-text('R1.1')")
    page.wait_for_selector("h1:has-text('Action R1.1')")
    page.click("#step-verify button")
    page.wait_for_selector("text=Action R1.1 is now verified")
    assert page.locator("#action-state").inner_text().strip() == "Verified"
    page.screenshot(path=str(artifacts_dir / "action-verified.png"), full_page=True)

    assert broken_assets == []
    verified = Action.objects.get(pk=action.pk)
    assert (verified.state, verified.completed_by, verified.verified_by) == (
        ActionState.VERIFIED,
        users["police.lead"],
        coordinator,
    )
