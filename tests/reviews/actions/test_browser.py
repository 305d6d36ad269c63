"""One journey through a real browser: the demo chair signs off a review's findings; the demo
police lead completes the resulting action with evidence; the demo coordinator verifies it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from reviews.models import Action, ActionState, Agency, Findings, Partnership, ReviewKind, ReviewState, Role
from reviews.services.actions import ActionData, action_create
from reviews.services.findings import FindingsData, RecommendationData, findings_save, recommendation_save
from reviews.services.review import review_advance, review_open
from reviews.services.roles import review_role_grant
from reviews.services.subjects import SubjectData
from tests.factories import advance_to

# PostgreSQL only, like tests/reviews/review/test_browser.py: the live server needs a transactional test.
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def review_at_findings():
    """A demo rapid review brought to findings through the services, with draft findings and one
    recommendation owned by the police."""
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["coordinator", "chair", "police.lead"])
    }
    coordinator = users["coordinator"]
    partnership = Partnership.objects.get(code="NSCP")
    police = Agency.objects.get(name="Northbridge Police")
    today = timezone.localdate()
    review = review_open(
        actor=coordinator,
        partnership=partnership,
        kind=ReviewKind.RAPID,
        title="Child G (aged 1)",
        key_dates={"became_aware_on": today - timedelta(days=30), "notified_on": today - timedelta(days=29)},
        subject=SubjectData(pseudonym="Child G"),
    )
    review_role_grant(actor=coordinator, review_id=review.pk, user=users["chair"], role=Role.CHAIR)
    review_role_grant(
        actor=coordinator, review_id=review.pk, user=users["police.lead"], role=Role.AGENCY_LEAD, agency=police
    )
    advance_to(review, ReviewState.PANEL, coordinator)
    review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    findings_save(
        actor=coordinator,
        review_id=review.pk,
        data=FindingsData(
            findings="Bruising on a non-mobile baby was seen by three agencies and escalated by none.",
            learning="Any bruise on a non-mobile baby is referred the same day.",
            themes=["Physical abuse"],
        ),
    )
    recommendation_save(
        actor=coordinator,
        review_id=review.pk,
        data=RecommendationData(
            what="Train every response officer in the bruising protocol.",
            owner_agency=police,
            due_by=today + timedelta(days=90),
            success_measure="Every response team trained; dip-sample audit in six months.",
        ),
    )
    return review, users, police


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/")


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
    page.click("#sign-off-form button")
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
