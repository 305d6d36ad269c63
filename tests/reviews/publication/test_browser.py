"""From draft to publication in a real browser, as the demo's people: the chair drafts the overview
report (typing the child's first name, warned, saving anyway), the coordinator sends it to the
police for factual accuracy, the police lead confirms it, the chair finds the name on the leaks
page and writes version 2 with the pseudonym, marks it final; the coordinator records the advance
copy and publication (first too soon after the copy: refused with the first date allowed), and the
published PDF carries the pseudonym, never the name."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reviews.models import Agency, Partnership, Publication, ReviewKind, ReviewState, Role
from reviews.services.review import review_open
from reviews.services.roles import review_role_grant
from reviews.services.subjects import SubjectData
from tests.factories import advance_to
from tests.reviews.browsing import sign_in
from workflows.calendar import add_working_days

# PostgreSQL only, as every live-server journey (tests/reviews/review/test_browser.py says why).
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def fill_date(page, name: str, value) -> None:
    page.fill(f"#id_{name}-day", str(value.day))
    page.fill(f"#id_{name}-month", str(value.month))
    page.fill(f"#id_{name}-year", str(value.year))


def a_cspr_with_signed_findings():
    names = ["coordinator", "chair", "police.lead"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    today = timezone.localdate()
    review = review_open(
        actor=users["coordinator"],
        partnership=Partnership.objects.get(code="NSCP"),
        kind=ReviewKind.CSPR,
        title="Child H (aged 7)",
        key_dates={"became_aware_on": today - timedelta(days=200), "decision_on": today - timedelta(days=180)},
        subject=SubjectData(pseudonym="Child H", full_name="Maisie Thornbury", nhs_number="9434765919"),
    )
    review_role_grant(actor=users["coordinator"], review_id=review.pk, user=users["chair"], role=Role.CHAIR)
    review_role_grant(
        actor=users["coordinator"],
        review_id=review.pk,
        user=users["police.lead"],
        role=Role.AGENCY_LEAD,
        agency=Agency.objects.get(name="Northbridge Police"),
    )
    return advance_to(review, ReviewState.ACTION_TRACKING, users["coordinator"])


def test_from_draft_to_publication(browser_page, broken_assets, artifacts_dir, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    call_command("seed_demo", stdout=io.StringIO())
    review = a_cspr_with_signed_findings()
    ref = review.reference
    today = timezone.localdate()
    page = browser_page

    # The chair drafts version 1; the child's first name is caught as it is saved.
    sign_in(page, "chair")
    page.goto(reverse("reviews:overview_report", args=[ref]))
    page.click("button:has-text('Start the overview report')")
    page.click("#add-section")
    page.fill("#id_heading", "Background")
    page.fill("#id_body", "Maisie was seen by the school nurse twice in March.")
    page.click("button:has-text('Save the section')")
    assert "Child H" in page.locator(".govuk-error-summary, .govuk-warning-text, main").first.inner_text()
    page.check("#id_save_anyway")
    page.click("button:has-text('Save the section')")
    page.click("#add-section")
    page.fill("#id_heading", "What the review found")
    page.check("input[name=kind][value=findings]")
    page.click("button:has-text('Save the section')")
    assert "Agencies did not share what they knew." in page.locator("main").inner_text()

    # The coordinator sends it to the police for factual accuracy; the police lead confirms it.
    sign_in(page, "coordinator")
    page.goto(reverse("reviews:accuracy_send", args=[ref]))
    page.check("input[name=leads]")
    fill_date(page, "due_date", today + timedelta(days=14))
    page.click("button:has-text('Send for factual accuracy')")
    sign_in(page, "police.lead")
    page.goto(reverse("reviews:review", args=[ref]))
    page.click("a:has-text('check it for factual accuracy')")
    page.check("input[name=answer][value=none]")
    page.click("button:has-text('Send the answer')")

    # The chair finds the name on the leaks page, writes version 2 with the pseudonym, marks it final.
    sign_in(page, "chair")
    page.goto(reverse("reviews:leaks", args=[ref]))
    leaks = page.locator("main").inner_text()
    assert "report v1 §1 Background" in leaks and "Child H" in leaks
    assert "Maisie" not in leaks  # the chair reads hits masked
    page.goto(reverse("reviews:overview_report", args=[ref]))
    page.click("button:has-text('Start version 2 from version 1')")
    page.click("a:has-text('Change Background')")
    page.fill("#id_body", "Child H was seen by the school nurse twice in March.")
    page.click("button:has-text('Save the section')")
    page.click("button:has-text('Mark version 2 final')")
    page.screenshot(path=str(artifacts_dir / "report-final.png"), full_page=True)

    # The coordinator records the advance copy, then publication: too soon after the copy, refused.
    sign_in(page, "coordinator")
    page.goto(reverse("reviews:review_notice", args=[ref, "advance_copy"]))
    fill_date(page, "sent_on", today)
    page.click("button:has-text('Record the notice')")
    page.goto(reverse("reviews:publication", args=[ref]))
    page.check("input[name=decision][value=full]")
    fill_date(page, "publish_on", today + timedelta(days=1))
    fill_date(page, "family_told_on", today)
    page.fill("#id_public_url", "https://northbridge.example.org/reviews/child-h")
    page.click("button:has-text('Record the publication')")
    earliest = add_working_days(today, 7)
    assert f"so not before {earliest:%-d %B %Y}" in page.locator(".govuk-error-summary").inner_text()
    assert page.input_value("#id_public_url") == "https://northbridge.example.org/reviews/child-h"
    assert not Publication.objects.exists()
    fill_date(page, "publish_on", earliest)
    page.click("button:has-text('Record the publication')")
    page.wait_for_selector("#publication-record")
    assert f"Scheduled ({earliest:%-d %B %Y})" in page.locator("#publication-state").inner_text()
    page.screenshot(path=str(artifacts_dir / "publication.png"), full_page=True)

    pdf = page.request.get(page.locator("#publication-pdf").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Child H was seen by the school nurse" in text
    assert "Maisie" not in text and "Thornbury" not in text
    assert broken_assets == []
