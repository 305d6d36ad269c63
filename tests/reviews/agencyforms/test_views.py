"""The agency lead's form page (draft, save and submit through the contribution's own step, each
missing required question named in the error summary), the coordinator's side-by-side page, asking
for a form from the invite page, and who reaches each page."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models.agencyforms import AgencyFormAnswers
from reviews.models.contributions import AgencyContribution, ContributionState
from reviews.selectors.agencyforms import current_definitions
from reviews.selectors.contributions import default_due_date
from reviews.services.agencyforms import agency_form_publish
from reviews.services.subjects import SubjectData, subject_add
from tests.factories import UserFactory, member
from tests.reviews.agencyforms.conftest import FORM
from tests.reviews.builders import answer_form, submit
from tests.reviews.pages import date_parts, url
from workflows.models import AuditEvent

REQUIRED_MESSAGES = {
    "agency_role": "Enter an answer to ‘What was your agency's role with the child or family?’",
    "summary_of_involvement": "Enter an answer to ‘Summary of your agency's involvement with the child and family’",
    "immediate_safeguarding": (
        "Enter an answer to ‘Immediate safeguarding action taken (for this child and any others)’"
    ),
    "emerging_learning": "Enter an answer to ‘Emerging learning for your agency or the partnership’",
    "cspr_view": "Select an answer to ‘In your agency's view, is a local child safeguarding practice review needed?’",
}


def form_url(contribution: AgencyContribution, key: str = FORM) -> str:
    return url("agency_form_edit", contribution, key)


def compare_url(contribution: AgencyContribution, key: str = FORM) -> str:
    return reverse("reviews:agency_form_compare", args=[contribution.review.reference, key])


def complete_post(**changes: str) -> dict[str, str]:
    data = {
        "q-agency_role": "Response policing",
        **date_parts("q-involvement_period_from", date(2025, 9, 1)),
        "q-summary_of_involvement": "Two calls to the home.",
        "q-immediate_safeguarding": "Sibling safety plan agreed.",
        "q-emerging_learning": "Share domestic abuse notifications with health.",
        "q-cspr_view": "yes",
    }
    data.update(changes)
    return data


def test_the_lead_sees_the_forms_sections_and_questions(client, police_asked, police_lead):
    client.force_login(police_lead)
    response = client.get(form_url(police_asked))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    for text in ("Rapid review agency summary", "Your agency's involvement", "What happened", "Learning", "Version 1"):
        assert text in html
    assert 'name="q-cspr_view" type="radio" value="unsure"' in html
    assert 'name="q-involvement_period_from-day"' in html
    assert AuditEvent.objects.filter(verb="access.agency_form").exists()


def test_submitting_with_required_questions_missing_names_each_in_the_error_summary(client, police_asked, police_lead):
    client.force_login(police_lead)
    client.post(form_url(police_asked), {"q-agency_role": "Kept draft", "intent": "draft"})
    response = client.post(form_url(police_asked), {"q-good_practice": "Quick response", "intent": "submit"})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "There is a problem" in html
    for name, message in REQUIRED_MESSAGES.items():
        assert f'<a href="#id_q-{name}">{message}</a>' in html, name
    # Nothing changed: the draft is as it was, what was typed is on the page.
    assert police_asked.form_answers.get().answers == {"agency_role": "Kept draft"}
    assert "Quick response" in html


def test_a_draft_is_saved_with_questions_unanswered(client, police_asked, police_lead):
    client.force_login(police_lead)
    response = client.post(
        form_url(police_asked),
        {
            "q-agency_role": "Response policing",
            **date_parts("q-last_contact_on", date(2026, 1, 5)),
            "intent": "draft",
        },
    )
    assert response.status_code == 302
    assert police_asked.form_answers.get().answers == {
        "agency_role": "Response policing",
        "last_contact_on": "2026-01-05",
    }
    html = unescape(client.get(form_url(police_asked)).content.decode())
    assert ">Response policing</textarea>" in html
    assert 'name="q-last_contact_on-day" type="text" inputmode="numeric" value="5"' in html


def test_save_and_submit_goes_through_the_contributions_own_confirmation(client, police_asked, police_lead):
    client.force_login(police_lead)
    response = client.post(form_url(police_asked), {**complete_post(), "intent": "submit"})
    step = url("contribution_step", police_asked, "submit")
    assert response.status_code == 302 and response["Location"] == step
    confirm = client.get(step)
    assert confirm.status_code == 200
    assert "Submit the contribution?" in unescape(confirm.content.decode())
    police_asked.refresh_from_db()
    client.post(step, {"expected_state": police_asked.state, "confirmed": "yes", "reason": ""})
    police_asked.refresh_from_db()
    assert police_asked.state == ContributionState.SUBMITTED
    # Frozen: the form page now only says so, and a post changes nothing.
    response = client.post(form_url(police_asked), {**complete_post(**{"q-agency_role": "Changed"}), "intent": "draft"})
    assert response.status_code == 302
    assert police_asked.form_answers.get().answers["agency_role"] == "Response policing"


def test_the_contribution_page_shows_the_answers_on_the_version_written_on(
    client, police_asked, police_lead, coordinator
):
    answer_form(police_asked, police_lead, FORM, agency_role="Response policing")
    submit(police_asked, police_lead)
    v1 = current_definitions([FORM])[FORM]
    reworded = {**v1.definition, "title": "Rapid review agency summary (2027)"}
    agency_form_publish(actor=coordinator, key=FORM, definition=reworded)
    client.force_login(coordinator)
    html = unescape(client.get(url("contribution", police_asked)).content.decode())
    assert "Rapid review agency summary</h2>" in html and "(2027)" not in html
    assert "Response policing" in html
    assert "Compare every agency's answers" in html


def test_the_coordinator_compares_every_agencys_submitted_answers(
    client, police_asked, gp_asked, police_lead, gp_lead, coordinator
):
    answer_form(police_asked, police_lead, FORM, agency_role="Police: response and CID")
    submit(police_asked, police_lead)
    answer_form(gp_asked, gp_lead, FORM, agency_role="GP: registered practice")
    submit(gp_asked, gp_lead)
    client.force_login(coordinator)
    response = client.get(compare_url(police_asked))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    row = html.split("What was your agency's role with the child or family?</th>")[1].split("</tr>")[0]
    assert row.index("GP: registered practice") < row.index("Police: response and CID")
    assert html.count("version 1") == 2
    assert AuditEvent.objects.filter(verb="access.agency_form_compare").exists()


def test_the_compare_page_costs_the_same_queries_for_more_agencies(
    client, police_asked, gp_asked, police_lead, gp_lead, coordinator
):
    answer_form(police_asked, police_lead, FORM)
    submit(police_asked, police_lead)
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as one:
        client.get(compare_url(police_asked))
    answer_form(gp_asked, gp_lead, FORM)
    submit(gp_asked, gp_lead)
    with CaptureQueriesContext(connection) as two:
        client.get(compare_url(police_asked))
    assert len(two) == len(one)


def test_asking_for_a_form_from_the_invite_page(client, shipped_forms, scoping, coordinator, police, police_lead):
    client.force_login(coordinator)
    html = unescape(client.get(reverse("reviews:contribution_invite", args=[scoping.reference])).content.decode())
    assert "Supplementary form: sudden unexpected death in infancy or childhood" in html
    assert "CDR reporting form" in html
    response = client.post(
        reverse("reviews:contribution_invite", args=[scoping.reference]),
        {
            "agency": police.pk,
            "lead": police_lead.pk,
            "agency_forms": ["sudi_supplementary", "cdr_reporting_form"],
            **date_parts("due_date", default_due_date(scoping)),
        },
    )
    assert response.status_code == 302, unescape(response.content.decode())
    contribution = AgencyContribution.objects.get()
    assert sorted(contribution.form_answers.values_list("form__key", flat=True)) == [
        "cdr_reporting_form",
        "sudi_supplementary",
    ]


def test_asking_for_nothing_is_refused_naming_the_field(
    client, shipped_forms, scoping, coordinator, police, police_lead
):
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:contribution_invite", args=[scoping.reference]), {"agency": police.pk, "lead": police_lead.pk}
    )
    assert response.status_code == 400
    assert "Select at least one thing to ask for, or a form" in unescape(response.content.decode())
    assert not AgencyFormAnswers.objects.exists()


# --- who reaches the pages --------------------------------------------------------------------------


@pytest.fixture
def stranger(partnership):
    return member(UserFactory(username="stranger"), partnership)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("police_lead", 200),
        ("coordinator", 403),
        ("gp_lead", 404),
        ("chair", 404),
        ("scrutineer", 404),
        ("outsider", 404),
        ("stranger", 404),
    ],
)
def test_only_the_agencys_own_lead_reaches_its_form(client, request, police_asked, gp_asked, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(form_url(police_asked)).status_code == status
    response = client.post(form_url(police_asked), {**complete_post(), "intent": "submit"})
    assert response.status_code == (302 if status == 200 else status)
    if status != 200:
        assert police_asked.form_answers.get().answers == {}


def test_a_form_not_asked_is_not_found(client, police_asked, police_lead):
    client.force_login(police_lead)
    assert client.get(form_url(police_asked, "cardiac_supplementary")).status_code == 404
    assert client.get(form_url(police_asked, "no_such_form")).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 200),
        ("chair", 403),
        ("panel_member", 403),
        ("police_lead", 403),
        ("scrutineer", 403),
        ("outsider", 404),
        ("stranger", 404),
    ],
)
def test_only_the_coordinator_compares_the_agencies(client, request, police_asked, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(compare_url(police_asked))
    assert response.status_code == status
    if status == 403:
        assert "review coordinator" in unescape(response.content.decode())


def test_comparing_a_form_nobody_was_asked_for_is_not_found(client, police_asked, coordinator):
    client.force_login(coordinator)
    assert client.get(compare_url(police_asked, "cardiac_supplementary")).status_code == 404


def test_the_forms_asked_are_listed_with_the_contribution(client, police_asked, gp_asked, police_lead, coordinator):
    client.force_login(coordinator)
    html = unescape(client.get(reverse("reviews:contributions", args=[police_asked.review.reference])).content.decode())
    assert html.count("Rapid review agency summary") == 2
    client.force_login(police_lead)
    html = unescape(client.get(reverse("reviews:my_requests")).content.decode())
    assert "Rapid review agency summary" in html


NAME = "Lily-Mae Orchard"


def test_a_real_name_in_an_answer_is_warned_about_and_saved_only_when_the_lead_says_so(
    client, police_asked, police_lead, coordinator
):
    subject_add(
        actor=coordinator,
        review_id=police_asked.review_id,
        data=SubjectData(pseudonym="Child K", date_of_birth=date(2023, 5, 1), full_name=NAME, nhs_number="9434765919"),
    )
    client.force_login(police_lead)
    data = {"q-summary_of_involvement": f"Officers spoke to {NAME}.", "intent": "draft"}
    first = client.post(form_url(police_asked), data)
    html = unescape(first.content.decode())
    assert first.status_code == 400
    assert "This looks like the real name of Child K: use “Child K” instead." in html
    assert '<a href="#id_q-summary_of_involvement">' in html
    assert police_asked.form_answers.get().answers == {}
    second = client.post(form_url(police_asked), {**data, "save_anyway": "on"})
    assert second.status_code == 302
    assert police_asked.form_answers.get().answers == {"summary_of_involvement": f"Officers spoke to {NAME}."}
    event = AuditEvent.objects.get(verb="identity.saved_anyway")
    assert event.detail == {
        "what": "agency form (Rapid review agency summary)",
        "fields": ["summary_of_involvement"],
    }
