"""One journey through a real browser: the demo police lead imports a chronology, fixes the bad
row the import reports, submits; the demo coordinator accepts it and reads it in the merged
chronology."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from reviews.imports.chronology import HEADERS
from reviews.models import ReviewRole, ReviewState, Role
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import AgencyContribution, Ask
from reviews.services.contributions import REQUESTING_STAGES, contribution_request

# PostgreSQL only, like tests/reviews/review/test_browser.py: the live server needs a transactional test.
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def police_contribution_of_the_demo() -> AgencyContribution:
    """The seeded review where the police are asked; asked here, as the coordinator would, if the
    seed asks no agency yet."""
    users = get_user_model().objects
    police_lead, coordinator = users.get(username="police.lead"), users.get(username="coordinator")
    roles = (
        ReviewRole.objects.filter(user=police_lead, role=Role.AGENCY_LEAD, review__state__in=REQUESTING_STAGES)
        .select_related("review", "agency")
        .order_by("review__state", "review__reference")  # agency submissions before scoping
    )
    for role in roles:
        existing = AgencyContribution.objects.filter(review=role.review, agency=role.agency).first()
        if existing is not None and existing.is_editable and not existing.entries.exists():
            return existing
    role = roles.first()
    assert role is not None, "seed_demo gives the police lead no review in scoping or agency submissions"
    assert role.review.state in (ReviewState.SCOPING, ReviewState.AGENCY_SUBMISSIONS)
    return contribution_request(
        actor=coordinator, review_id=role.review_id, agency=role.agency, lead=police_lead, asks=[Ask.CHRONOLOGY]
    )


def chronology_csv(*rows: str) -> bytes:
    return ("\n".join([",".join(HEADERS), *rows]) + "\n").encode("utf-8")


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/")


def test_police_lead_imports_fixes_submits_and_coordinator_accepts(browser_page, broken_assets, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    contribution = police_contribution_of_the_demo()
    reference = contribution.review.reference
    page = browser_page
    today = timezone.localdate()
    first, second = today - timedelta(days=200), today - timedelta(days=150)
    good_row = (
        f"{first:%d/%m/%Y},,22:10,Custody record 2231,Arrest at the family home; child present,"
        "Response officer,First police contact,yes"
    )
    bad_row = "31/02/2025,,,Intelligence log 88,Neighbour reported shouting,Call handler,,no"
    fixed_row = f"{second:%m/%Y},,,Intelligence log 88,Neighbour reported shouting,Call handler,,no"

    # The police lead finds the request under "My requests".
    sign_in(page, "police.lead")
    page.click("nav a:has-text('My requests')")
    page.wait_for_selector("h1:has-text('My requests')")
    page.screenshot(path=str(artifacts_dir / "chronology-my-requests.png"), full_page=True)
    page.click(f"#my-requests a:has-text('{reference}')")
    page.wait_for_selector("h1:has-text('contribution')")
    assert "Submit: not possible yet" in page.locator("#blocked-submit").inner_text()

    # An import with one bad row: the row is reported, nothing is saved.
    page.click("#import-entries")
    page.set_input_files(
        "#id_file",
        {"name": "police-chronology.csv", "mimeType": "text/csv", "buffer": chronology_csv(good_row, bad_row)},
    )
    page.click("button:has-text('Import the file')")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Row 3, Date: '31/02/2025' is not a date" in summary.inner_text()
    assert summary.evaluate("e => e === document.activeElement")
    assert ChronologyEntry.objects.filter(contribution=contribution).count() == 0
    page.screenshot(path=str(artifacts_dir / "chronology-import-error.png"), full_page=True)

    # The corrected file goes in whole.
    page.set_input_files(
        "#id_file",
        {"name": "police-chronology.csv", "mimeType": "text/csv", "buffer": chronology_csv(good_row, fixed_row)},
    )
    page.click("button:has-text('Import the file')")
    page.wait_for_selector("text=2 entries imported.")
    entries = page.locator("#entries")
    assert "Custody record 2231" in entries.inner_text()
    assert "(month only)" in entries.inner_text()
    page.screenshot(path=str(artifacts_dir / "chronology-imported.png"), full_page=True)

    page.click("#step-submit button")
    page.wait_for_selector("h1:has-text('Submit the contribution?')")  # the confirmation page
    page.click("#confirm-button")
    page.wait_for_selector("text=contribution is now submitted")
    assert page.locator("#state").inner_text().strip() == "Submitted"
    assert page.locator("#read-only").count() == 1
    page.screenshot(path=str(artifacts_dir / "chronology-submitted.png"), full_page=True)
    page.click("button:has-text('Sign out')")

    # The coordinator accepts it and reads it in the merged chronology.
    sign_in(page, "coordinator")
    page.goto(f"/reviews/{reference}/")
    page.click("#contributions-link")
    page.click(f"#contribution-{contribution.pk} a")
    page.click("#step-accept button")
    page.wait_for_selector("h1:has-text('Accept the contribution?')")
    page.click("#confirm-button")
    page.wait_for_selector("text=contribution is now accepted")
    page.goto(f"/reviews/{reference}/")
    page.click("#chronology-link")
    page.wait_for_selector("h1:has-text('Merged chronology')")
    table = page.locator("#merged-chronology")
    assert "Arrest at the family home; child present" in table.inner_text()
    assert "Neighbour reported shouting" in table.inner_text()
    # The agency's colour comes from the stylesheet (no inline style), on the first cell.
    border = table.locator("tbody tr td").first.evaluate("e => getComputedStyle(e).borderLeftWidth")
    assert border == "6px"
    page.screenshot(path=str(artifacts_dir / "chronology-merged.png"), full_page=True)

    assert broken_assets == []
    assert AgencyContribution.objects.get(pk=contribution.pk).state == "accepted"
