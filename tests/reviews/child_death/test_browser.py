"""A child death review's own steps in a real browser: at the panel stage the demo CDR waits for its
child death review meeting, not a panel meeting; the coordinator records the meeting (first with too
little notice: a specific message, what was typed kept), moves to findings; a panel member reads the
CDOP's anonymised papers, with no real name on them; the coordinator records the CDOP's review."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from reviews.models import ChildDeath, Review, ReviewKind, ReviewState
from reviews.services.review import review_advance
from tests.factories import settle_contributions
from tests.reviews.browsing import sign_in

# PostgreSQL only, as every live-server journey (tests/reviews/review/test_browser.py says why).
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def fill_date(page, name: str, value) -> None:
    page.fill(f"#id_{name}-day", str(value.day))
    page.fill(f"#id_{name}-month", str(value.month))
    page.fill(f"#id_{name}-year", str(value.year))


def test_the_cdr_meeting_then_the_cdop_on_the_review_page(browser_page, broken_assets, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    coordinator = get_user_model().objects.get(username="coordinator")
    review = Review.objects.get(kind=ReviewKind.CHILD_DEATH, title="Child C (aged 4 months)")
    settle_contributions(review, coordinator)
    review_advance(actor=coordinator, review_id=review.pk, transition="convene_panel")
    today = timezone.localdate()
    page = browser_page

    sign_in(page, "coordinator")
    page.goto(f"/reviews/{review.reference}/")
    blocked = page.locator("#blocked-draft_findings").inner_text()
    assert "Record the child death review meeting first" in blocked
    assert "panel meeting" not in blocked.replace("child death review meeting", "")

    page.click("a:has-text('record the meeting')")
    fill_date(page, "post_mortem_received_on", today - timedelta(days=10))
    fill_date(page, "notice_given_on", today - timedelta(days=20))  # under a month before
    fill_date(page, "held_on", today)
    page.fill("#id_notes", "Child C's sleeping arrangements were discussed; the GP shared the last contact.")
    page.click("button:has-text('Record the meeting')")
    summary = page.locator(".govuk-error-summary")
    assert "Give at least a month's notice of the meeting" in summary.inner_text()
    assert page.input_value("#id_notes").startswith("Child C's sleeping arrangements")
    assert ChildDeath.objects.get(review=review).meeting_held_on is None
    page.screenshot(path=str(artifacts_dir / "cdr-meeting-errors.png"), full_page=True)

    fill_date(page, "notice_given_on", today - timedelta(days=40))
    page.click("button:has-text('Record the meeting')")
    page.wait_for_selector("text=Child death review meeting recorded.")
    assert f"held {today:%-d %B %Y}" in page.locator("#cdr-steps").inner_text()
    page.click("#transition-draft_findings button")
    page.wait_for_selector("#next-steps")
    assert Review.objects.get(pk=review.pk).state == ReviewState.FINDINGS
    assert "Child death review meeting held" in page.locator("main").inner_text()  # in the history

    # A panel member reads the anonymised papers: the meeting's notes, never the child's name.
    sign_in(page, "panel")
    page.goto(f"/reviews/{review.reference}/child-death/cdop/")
    papers = page.locator("main").inner_text()
    assert "Child C" in papers and "sleeping arrangements were discussed" in papers
    for identity in ("Oscar", "Penhallow", "Larkspur", "NB4 2QT"):
        assert identity not in page.content()
    assert page.locator("#cdop-form").count() == 0  # the coordinator records the CDOP's review

    sign_in(page, "coordinator")
    page.goto(f"/reviews/{review.reference}/child-death/cdop/")
    fill_date(page, "reviewed_on", today)
    page.click("button:has-text('Record the CDOP')")
    page.wait_for_selector("#cdop-reviewed")
    assert Review.objects.get(pk=review.pk).cdop_reviewed_on == today
    page.screenshot(path=str(artifacts_dir / "cdop-reviewed.png"), full_page=True)
    assert broken_assets == []
