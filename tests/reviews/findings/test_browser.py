"""One journey through a real browser (issue 12): the demo coordinator sends findings for sign-off;
the demo chair finds them on their dashboard's to-do and opens the sign-off page; the coordinator
changes the findings meanwhile, so the chair's confirmation signs nothing and the page says what
changed; read again and confirmed, they are signed. Then the coordinator closes the review through
its confirmation page, which asks for a reason that the review's history keeps."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from reviews.models import Findings, FindingsState, Review, ReviewState, SignedFindings
from reviews.services.actions import ActionData, action_advance, action_create
from reviews.services.findings import FindingsData, findings_save
from reviews.services.review import review_advance
from tests.reviews.browsing import review_at_findings, sign_in

# PostgreSQL only, like tests/reviews/review/test_browser.py: the live server needs a transactional test.
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_sign_off_of_what_was_read_then_closing_through_the_confirmation_page(
    browser_page, broken_assets, artifacts_dir
):
    call_command("seed_demo", stdout=io.StringIO())
    review, users, police = review_at_findings()
    reference = review.reference
    page = browser_page

    # The coordinator sends the findings for sign-off.
    sign_in(page, "coordinator")
    page.goto(f"/reviews/{reference}/findings/")
    page.click("#send-form button")
    page.wait_for_selector("text=The findings have been sent to the chair")
    assert Findings.objects.get(review=review).state == FindingsState.AWAITING_SIGN_OFF
    page.click("button:has-text('Sign out')")

    # The chair has a to-do on the dashboard, and opens the sign-off page from it.
    sign_in(page, "chair")
    to_do = page.locator("#to-do")
    assert f"Sign off the findings of {reference}" in to_do.inner_text()
    page.screenshot(path=str(artifacts_dir / "sign-off-to-do.png"), full_page=True)
    to_do.locator("a").first.click()
    page.wait_for_selector("h1:has-text('Sign off the findings')")
    assert "You are signing off version 1" in page.locator("#what-will-happen").inner_text()

    # Meanwhile the coordinator rewrites the learning.
    findings = Findings.objects.get(review=review)
    findings_save(
        actor=users["coordinator"],
        review_id=review.pk,
        data=FindingsData(
            findings=findings.findings, learning="Rewritten after the chair opened the page.", themes=findings.themes
        ),
    )
    page.click("#confirm-sign-off")
    refusal = page.locator("#refusal")
    refusal.wait_for()
    assert "nothing was signed" in refusal.inner_text()
    assert "The learning changed." in refusal.inner_text()
    assert not SignedFindings.objects.filter(findings__review=review).exists()
    assert "Rewritten after the chair opened the page." in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts_dir / "sign-off-refused-changed.png"), full_page=True)
    page.click("#confirm-sign-off")
    page.wait_for_selector("text=You signed off version 1 of the findings.")
    signed = SignedFindings.objects.get(findings__review=review)
    assert signed.content["learning"] == "Rewritten after the chair opened the page."
    page.click("button:has-text('Sign out')")

    # The coordinator takes the review to action tracking and closes it: the button leads to a
    # confirmation page that says what will happen and asks why; without a reason nothing happens.
    coordinator = users["coordinator"]
    review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")
    # Its one recommendation's action is closed as not implemented: the close is then possible.
    action = action_create(
        actor=coordinator,
        recommendation_id=signed.findings.recommendations.get().pk,
        data=ActionData(
            description="Run the bruising protocol training.",
            owner_agency=police,
            owner_role="Head of public protection",
            due_date=timezone.localdate() + timedelta(days=60),
            success_measure="Attendance records.",
        ),
    )
    action_advance(actor=coordinator, action_id=action.pk, transition="close_not_implemented", reason="Superseded.")
    sign_in(page, "coordinator")
    page.goto(f"/reviews/{reference}/")
    page.click("#transition-close button")
    page.wait_for_selector("h1:has-text('Close the review?')")
    assert "will be closed" in page.locator("#what-will-happen").inner_text()
    page.click("#confirm-button")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Give the reason for closing the review" in summary.inner_text()
    assert Review.objects.get(pk=review.pk).state == ReviewState.ACTION_TRACKING
    page.fill("#id_reason", "Every recommendation was withdrawn by the partnership board.")
    page.screenshot(path=str(artifacts_dir / "close-confirmation.png"), full_page=True)
    page.click("#confirm-button")
    page.wait_for_selector(f"text={reference} is now at Closed.")
    history = page.locator("#history").locator("xpath=following-sibling::table[1]").inner_text()
    assert "Every recommendation was withdrawn by the partnership board." in history
    assert broken_assets == []
