"""One journey through a real browser: the demo coordinator asks the police for the CDR reporting
form on the invite page; the police lead sends it without its required answers (the error summary
names each), answers them and submits through the contribution's confirmation; the coordinator
reads the answers side by side."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reviews.models import Agency, Review
from reviews.models.contributions import AgencyContribution, ContributionState
from reviews.services.contributions import REQUESTING_STAGES
from tests.reviews.chronology.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

REQUIRED = (
    "Enter an answer to ‘What was your agency's role with the child or family?’",
    "Select an answer to ‘Was the child known to your agency before the death?’",
    "Select an answer to ‘Was the child subject to a child protection plan, child in need plan or looked after "
    "at the time of death?’",
    "Enter an answer to ‘Factors your agency thinks may have contributed to the death’",
    "Enter an answer to ‘Learning for your agency or others’",
)


def review_without_the_police() -> Review:
    """A seeded review open for requests whose coordinator has not asked the police yet."""
    police = Agency.objects.get(name="Northbridge Police")
    asked = AgencyContribution.objects.filter(agency=police).values("review_id")
    review = (
        Review.objects.filter(state__in=REQUESTING_STAGES, partnership__agencies=police)
        .exclude(pk__in=asked)
        .order_by("reference")
        .first()
    )
    assert review is not None, "seed_demo leaves no review open for requests without the police asked"
    return review


def test_coordinator_asks_for_a_form_lead_answers_it_and_coordinator_compares(
    browser_page, broken_assets, artifacts_dir
):
    call_command("seed_demo", stdout=io.StringIO())
    review = review_without_the_police()
    police_lead = get_user_model().objects.get(username="police.lead")
    page = browser_page

    # The coordinator asks the police for the CDR reporting form, and nothing else.
    sign_in(page, "coordinator")
    page.goto(f"/reviews/{review.reference}/contributions/invite/")
    page.select_option("#id_agency", label="Northbridge Police")
    page.select_option("#id_lead", value=str(police_lead.pk))
    page.check("label:has-text('CDR reporting form')")
    page.click("button:has-text('Send the request')")
    page.wait_for_selector("text=has been asked for a contribution")
    contribution = AgencyContribution.objects.get(review=review, agency__name="Northbridge Police")
    assert list(contribution.form_answers.values_list("form__key", flat=True)) == ["cdr_reporting_form"]
    page.click("button:has-text('Sign out')")

    # The police lead opens the form and sends it for submission with nothing answered.
    sign_in(page, "police.lead")
    page.goto(f"/reviews/{review.reference}/contributions/{contribution.pk}/")
    page.click("a:has-text('Start the CDR reporting form')")
    page.wait_for_selector("h1:has-text('CDR reporting form')")
    page.fill("#id_q-health_needs", "Eczema, treated by the GP.")
    page.click("button:has-text('Save and submit')")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    text = summary.inner_text()
    for message in REQUIRED:
        assert message in text
    assert summary.evaluate("e => e === document.activeElement")
    assert page.input_value("#id_q-health_needs") == "Eczema, treated by the GP."
    page.screenshot(path=str(artifacts_dir / "agencyforms-required.png"), full_page=True)
    assert AgencyContribution.objects.get(pk=contribution.pk).form_answers.get().answers == {}

    # Answered, it goes on to the contribution's own confirmation, then is submitted.
    page.fill("#id_q-agency_role", "Response policing and the child abuse investigation team.")
    page.check("#id_q-child_known_to_agency")  # the first choice: Yes
    page.check("#id_q-child_protection_plan-4")  # None of these
    page.fill("#id_q-factors_identified", "Unsafe sleeping arrangements after a night out.")
    page.fill("#id_q-learning", "Share domestic abuse notifications with health visiting.")
    page.click("button:has-text('Save and submit')")
    page.wait_for_selector("h1:has-text('Submit the contribution?')")
    page.click("#confirm-button")
    page.wait_for_selector("text=contribution is now submitted")
    assert AgencyContribution.objects.get(pk=contribution.pk).state == ContributionState.SUBMITTED
    page.click("button:has-text('Sign out')")

    # The coordinator reads the answers, question by question, beside any other agency's.
    sign_in(page, "coordinator")
    page.goto(f"/reviews/{review.reference}/contributions/{contribution.pk}/")
    page.click("a:has-text('Compare every agency')")
    table = page.locator("#side-by-side")
    table.wait_for()
    row = table.locator("tr", has_text="Concerns about parenting capacity")
    assert "Not answered" in row.inner_text()
    row = table.locator("tr", has_text="Was the child subject to a child protection plan")
    assert "None of these" in row.inner_text()
    assert "Eczema, treated by the GP." in table.inner_text()
    page.screenshot(path=str(artifacts_dir / "agencyforms-side-by-side.png"), full_page=True)
    assert broken_assets == []
