"""Agency forms over the API: the forms asked with definition and answers, a draft, and submitting
(which takes the contribution's submit step and freezes the answers), as the form page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.models.agencyforms import AgencyFormAnswers
from reviews.models.contributions import ContributionState
from reviews.services.agencyforms import agency_forms_load_defaults
from reviews.services.contributions import contribution_request
from tests.reviews.builders import complete_answers
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db

FORM = "rapid_review_summary"


@pytest.fixture
def police_asked(scoping, coordinator, police, police_lead):
    """The police asked for the rapid review agency summary only (as tests/reviews/agencyforms)."""
    agency_forms_load_defaults()
    return contribution_request(
        actor=coordinator, review_id=scoping.pk, agency=police, lead=police_lead, asks=[], forms=[FORM]
    )


def forms_url(contribution) -> str:
    return reverse("api_v1:agency_forms", args=[contribution.review.reference, contribution.pk])


def write_url(contribution, what: str, key: str = FORM) -> str:
    return reverse(f"api_v1:agency_form_{what}", args=[contribution.review.reference, contribution.pk, key])


def definition(contribution) -> dict:
    return contribution.form_answers.select_related("form").get(form__key=FORM).form.definition


def answers(contribution) -> dict:
    return AgencyFormAnswers.objects.get(contribution=contribution, form__key=FORM).answers


def test_the_lead_and_the_coordinator_read_the_form_with_its_definition(api_as, police_asked, police_lead, coordinator):
    for user, editable in ((police_lead, True), (coordinator, False)):
        response = api_as(user).get(forms_url(police_asked))
        assert response.status_code == 200
        [form] = response.json()["results"]
        assert (form["key"], form["version"], form["editable"]) == (FORM, 1, editable)
        assert form["definition"]["title"] == "Rapid review agency summary"
        assert form["answers"] == {}
        assert "agency_role" in form["missing"]
    assert AuditEvent.objects.filter(verb="access.contribution", actor=coordinator).exists()


@pytest.mark.parametrize("role", ["gp_lead", "chair", "outsider"])
def test_anyone_else_gets_404(api_as, police_asked, role, request):
    assert api_as(request.getfixturevalue(role)).get(forms_url(police_asked)).status_code == 404


def test_a_draft_is_saved_with_questions_unanswered(api_as, police_asked, police_lead):
    client = api_as(police_lead)
    response = client.post(write_url(police_asked, "draft"), {"answers": {"agency_role": "Response to a call"}})
    assert response.status_code == 200, response.content
    assert response.json()["answers"] == {"agency_role": "Response to a call"}
    assert "summary_of_involvement" in response.json()["missing"]
    # PUT is the same write.
    put = client.client.put(
        write_url(police_asked, "draft"),
        data='{"answers": {"agency_role": "Changed"}}',
        content_type="application/json",
        headers=client.headers(),
    )
    assert put.status_code == 200
    assert answers(police_asked) == {"agency_role": "Changed"}
    police_asked.refresh_from_db()
    assert police_asked.state == ContributionState.IN_PROGRESS


def test_a_wrong_answer_is_named_by_its_question(api_as, police_asked, police_lead):
    response = api_as(police_lead).post(
        write_url(police_asked, "draft"), {"answers": {"involvement_period_from": "not a date"}}
    )
    assert response.status_code == 400
    assert "involvement_period_from" in response.json()["errors"]
    assert answers(police_asked) == {}


def test_a_draft_replayed_with_the_same_key_writes_once(api_as, police_asked, police_lead):
    client = api_as(police_lead)
    body = {"answers": {"agency_role": "Response to a call"}}
    first = client.post(write_url(police_asked, "draft"), body, headers={"Idempotency-Key": "draft-1"})
    again = client.post(write_url(police_asked, "draft"), body, headers={"Idempotency-Key": "draft-1"})
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert AuditEvent.objects.filter(verb="agency_form.saved").count() == 1


def test_submitting_with_required_questions_missing_names_each_and_saves_nothing(api_as, police_asked, police_lead):
    response = api_as(police_lead).post(write_url(police_asked, "submit"), {"answers": {"agency_role": "A role"}})
    assert response.status_code == 400
    assert "summary_of_involvement" in response.json()["errors"]
    assert answers(police_asked) == {}
    police_asked.refresh_from_db()
    assert police_asked.state == ContributionState.REQUESTED


def test_submitting_submits_the_contribution_and_freezes_the_answers(api_as, police_asked, police_lead, coordinator):
    client = api_as(police_lead)
    complete = complete_answers(definition(police_asked))
    response = client.post(write_url(police_asked, "submit"), {"answers": complete})
    assert response.status_code == 200, response.content
    assert response.json()["editable"] is False
    police_asked.refresh_from_db()
    assert police_asked.state == ContributionState.SUBMITTED
    # Frozen: neither a draft nor another submission changes them.
    for what in ("draft", "submit"):
        refused = client.post(write_url(police_asked, what), {"answers": {**complete, "agency_role": "Changed"}})
        assert refused.status_code == 409
        assert refused.json()["type"] == "urn:review-engine:problem:contribution-locked"
    assert answers(police_asked) == complete


def test_a_stale_expected_state_is_refused_and_saves_nothing(api_as, police_asked, police_lead):
    complete = complete_answers(definition(police_asked))
    response = api_as(police_lead).post(
        write_url(police_asked, "submit"), {"answers": complete, "expected_state": ContributionState.RETURNED}
    )
    assert response.status_code == 409
    assert answers(police_asked) == {}


def test_the_coordinator_may_not_write_and_a_form_not_asked_is_404(api_as, police_asked, police_lead, coordinator):
    refused = api_as(coordinator).post(write_url(police_asked, "draft"), {"answers": {}})
    assert refused.status_code == 403
    missing = api_as(police_lead).post(write_url(police_asked, "draft", key="no_such_form"), {"answers": {}})
    assert missing.status_code == 404


def test_an_answer_postgresql_cannot_store_is_named_not_a_crash(api_as, police_asked, police_lead):
    client = api_as(police_lead)
    for text in ("\\u0000", "\\ud800"):
        response = client.post(write_url(police_asked, "draft"), raw='{"answers": {"agency_role": "A' + text + '"}}')
        assert response.status_code == 400, response.content
        assert "agency_role" in response.json()["errors"]["answers"]
    assert answers(police_asked) == {}
