"""Contributions over the API: the list across reviews (the agency lead's own, the coordinator's
reviews'), filtered by state, at a constant number of queries; one contribution as its page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.models.contributions import ContributionState
from reviews.services.contributions import contribution_advance
from tests.reviews.builders import add_entry
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = reverse("api_v1:contributions")


def detail_url(contribution) -> str:
    return reverse("api_v1:contribution", args=[contribution.review.reference, contribution.pk])


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_an_agency_lead_lists_their_own_agencys_contribution_only(
    api_as, police_contribution, gp_contribution, police_lead
):
    response = api_as(police_lead).get(LIST)
    assert response.status_code == 200
    assert ids(response) == {police_contribution.pk}
    row = response.json()["results"][0]
    assert row["reference"] == police_contribution.review.reference
    assert row["agency"] == "Northbridge Police"
    assert row["state"] == ContributionState.REQUESTED
    assert row["asks"] == ["chronology"]
    assert row["due_date"] == police_contribution.due_date.isoformat()
    assert row["due_text"] in ("Due today",) or row["due_text"].endswith("left")


def test_a_coordinator_lists_every_contribution_of_their_reviews(
    api_as, police_contribution, gp_contribution, coordinator
):
    assert ids(api_as(coordinator).get(LIST)) == {police_contribution.pk, gp_contribution.pk}


@pytest.mark.parametrize("role", ["chair", "panel_member", "scrutineer", "outsider"])
def test_other_roles_list_none(api_as, police_contribution, gp_contribution, role, request):
    # The contribution's pages exist only for its coordinator and its agency's lead.
    response = api_as(request.getfixturevalue(role)).get(LIST)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_list_filters_by_state_and_review(api_as, police_contribution, gp_contribution, gp_lead, coordinator):
    add_entry(gp_contribution, gp_lead)  # the first entry starts it
    client = api_as(coordinator)
    assert ids(client.get(LIST, state=ContributionState.IN_PROGRESS)) == {gp_contribution.pk}
    assert ids(client.get(LIST, state=ContributionState.REQUESTED)) == {police_contribution.pk}
    assert ids(client.get(LIST, review="NO-SUCH-REF")) == set()
    assert ids(client.get(LIST, review=police_contribution.review.reference)) == {
        police_contribution.pk,
        gp_contribution.pk,
    }
    refused = client.get(LIST, state="lost")
    assert refused.status_code == 400
    assert "state" in refused.json()["errors"]


def test_the_list_costs_the_same_queries_for_two_rows_and_many(
    api_as, django_assert_num_queries, scoping, coordinator, partnership, police_contribution, gp_contribution
):
    from reviews.services.contributions import contribution_request
    from tests.factories import AgencyFactory, UserFactory, member

    client = api_as(coordinator)
    client.get(LIST)  # warm: the token's first use, the closure days' caches
    with django_assert_num_queries(5):
        assert len(client.get(LIST).json()["results"]) == 2
    for number in range(8):
        agency = AgencyFactory(name=f"Agency {number}", serves=[partnership])
        lead = member(UserFactory(username=f"lead{number}"), partnership, agency=agency)
        contribution_request(actor=coordinator, review_id=scoping.pk, agency=agency, lead=lead, asks=["chronology"])
    with django_assert_num_queries(5):
        assert len(client.get(LIST).json()["results"]) == 10


def test_one_contribution_as_its_page_with_the_leads_steps_and_logged(api_as, police_contribution, police_lead):
    add_entry(police_contribution, police_lead)
    response = api_as(police_lead).get(detail_url(police_contribution))
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == ContributionState.IN_PROGRESS
    assert body["entry_count"] == 1
    assert {step["name"] for step in body["steps"]} == {"submit", "record_nil_return"}
    assert AuditEvent.objects.filter(verb="access.contribution", actor=police_lead).exists()


def test_the_coordinator_sees_their_steps_once_submitted(api_as, police_contribution, police_lead, coordinator):
    add_entry(police_contribution, police_lead)
    contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="submit")
    body = api_as(coordinator).get(detail_url(police_contribution)).json()
    assert {step["name"] for step in body["steps"]} >= {"accept", "return_to_agency"}


@pytest.mark.parametrize("role", ["gp_lead", "chair", "scrutineer", "outsider"])
def test_anyone_but_the_coordinator_and_the_lead_gets_404(api_as, police_contribution, role, request):
    response = api_as(request.getfixturevalue(role)).get(detail_url(police_contribution))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert police_contribution.review.reference not in response.content.decode()
