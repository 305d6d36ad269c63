"""Chronology entries over the API: a batch is all or nothing through the file import's own
service, its problems named by entry and field; over the import limit it is refused whole; a
replay with the same Idempotency-Key writes once; the list is as the contribution page's."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse

from api.models import Scope
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import ContributionState
from tests.reviews.builders import add_entry
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(contribution) -> str:
    return reverse("api_v1:chronology_entries", args=[contribution.review.reference, contribution.pk])


def entry(number: int = 1, **changes) -> dict:
    values = {
        "event_date": f"2025-03-{number % 28 + 1:02d}",
        "event_time": "09:30",
        "source_record": f"Custody record {number}",
        "what_happened": f"Attendance at the family home ({number})",
        "professional_role": "Response officer",
        "agency_comment": "",
        "significant": number % 2 == 0,
    }
    values.update(changes)
    return values


def test_a_batch_is_written_whole_and_starts_the_contribution(api_as, police_contribution, police_lead):
    batch = [entry(n) for n in range(1, 6)] + [entry(6, event_date="03/2025", date_precision="month")]
    response = api_as(police_lead).post(url(police_contribution), {"entries": batch})
    assert response.status_code == 201, response.content
    assert response.json() == {"imported": 6, "contribution_state": ContributionState.IN_PROGRESS}
    assert ChronologyEntry.objects.filter(contribution=police_contribution).count() == 6
    month = ChronologyEntry.objects.get(source_record="Custody record 6")
    assert (month.event_date, month.date_precision) == (date(2025, 3, 1), "month")
    # Audited as the file import is, with where it came from.
    assert AuditEvent.objects.get(verb="chronology.imported").detail["file"] == "API"


def test_one_bad_row_writes_nothing_and_names_the_row_and_field(api_as, police_contribution, police_lead):
    batch = [entry(n) for n in range(1, 6)]
    batch[2]["event_date"] = "31/02/2025"  # row 3: no such date
    batch[4]["professional_role"] = ""  # row 5: required
    response = api_as(police_lead).post(url(police_contribution), {"entries": batch})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:review-engine:problem:entries-rejected"
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "event_date"), (5, "professional_role")]
    assert "is not a date" in body["errors"][0]["message"]
    assert body["more"] == 0
    assert not ChronologyEntry.objects.filter(contribution=police_contribution).exists()
    police_contribution.refresh_from_db()
    assert police_contribution.state == ContributionState.REQUESTED


def test_a_future_date_is_refused_by_the_same_check_as_the_import(api_as, police_contribution, police_lead):
    response = api_as(police_lead).post(url(police_contribution), {"entries": [entry(1, event_date="2099-01-01")]})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"row": 1, "field": "event_date", "message": "The date is in the future."}]


def test_the_wrong_shape_is_named_by_row_and_field(api_as, police_contribution, police_lead):
    batch = [entry(1), "not an entry", entry(3, colour="blue"), entry(4, what_happened=["a", "list"])]
    body = api_as(police_lead).post(url(police_contribution), {"entries": batch}).json()
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, None), (3, "colour"), (4, "what_happened")]
    assert not ChronologyEntry.objects.exists()


@override_settings(CHRONOLOGY_IMPORT_MAX_ROWS=5)
def test_a_batch_over_the_import_limit_is_refused_with_the_limit_named(api_as, police_contribution, police_lead):
    response = api_as(police_lead).post(url(police_contribution), {"entries": [entry(n) for n in range(1, 7)]})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "entries": ["6 entries were sent; the most one import can take is 5. Send them in batches."]
    }
    assert not ChronologyEntry.objects.exists()
    # At the limit: taken.
    assert (
        api_as(police_lead).post(url(police_contribution), {"entries": [entry(n) for n in range(1, 6)]}).status_code
        == 201
    )


def test_an_empty_batch_is_refused(api_as, police_contribution, police_lead):
    response = api_as(police_lead).post(url(police_contribution), {"entries": []})
    assert response.status_code == 400
    assert "entries" in response.json()["errors"]


def test_a_replay_with_the_same_key_writes_once(api_as, police_contribution, police_lead):
    client = api_as(police_lead)
    batch = {"entries": [entry(n) for n in range(1, 4)]}
    first = client.post(url(police_contribution), batch, headers={"Idempotency-Key": "batch-1"})
    again = client.post(url(police_contribution), batch, headers={"Idempotency-Key": "batch-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert ChronologyEntry.objects.filter(contribution=police_contribution).count() == 3


def test_the_same_batch_sent_again_without_a_key_is_refused_as_already_imported(
    api_as, police_contribution, police_lead
):
    client = api_as(police_lead)
    batch = {"entries": [entry(n) for n in range(1, 4)]}
    assert client.post(url(police_contribution), batch).status_code == 201
    again = client.post(url(police_contribution), batch)
    assert again.status_code == 422
    assert again.json()["errors"][0]["message"].startswith("These entries were already imported on")
    assert ChronologyEntry.objects.filter(contribution=police_contribution).count() == 3


def test_the_coordinator_is_refused_writing_and_the_other_agency_does_not_see_it(
    api_as, police_contribution, coordinator, gp_lead
):
    batch = {"entries": [entry(1)]}
    refused = api_as(coordinator).post(url(police_contribution), batch)
    assert refused.status_code == 403
    assert "Police lead" in refused.json()["detail"]
    assert api_as(gp_lead).post(url(police_contribution), batch).status_code == 404
    assert not ChronologyEntry.objects.exists()


def test_writing_needs_the_contribute_scope(api_as, police_contribution, police_lead):
    response = api_as(police_lead, scopes=[Scope.READ]).post(url(police_contribution), {"entries": [entry(1)]})
    assert response.status_code == 403
    assert response.json()["scope"] == "contribute"


def test_a_submitted_contribution_is_locked(api_as, police_contribution, police_lead):
    from tests.reviews.builders import submit

    add_entry(police_contribution, police_lead)
    submit(police_contribution, police_lead)
    response = api_as(police_lead).post(url(police_contribution), {"entries": [entry(1)]})
    assert response.status_code == 409
    assert response.json()["type"] == "urn:review-engine:problem:contribution-locked"


def test_the_entries_are_listed_to_the_coordinator_and_the_lead_and_logged(
    api_as, police_contribution, police_lead, coordinator, gp_lead, chair
):
    api_as(police_lead).post(url(police_contribution), {"entries": [entry(n) for n in range(1, 4)]})
    for user in (police_lead, coordinator):
        response = api_as(user).get(url(police_contribution))
        assert response.status_code == 200
        assert [e["source_record"] for e in response.json()["results"]] == [f"Custody record {n}" for n in (1, 2, 3)]
    assert AuditEvent.objects.filter(verb="access.contribution", actor=coordinator).exists()
    assert api_as(gp_lead).get(url(police_contribution)).status_code == 404
    assert api_as(chair).get(url(police_contribution)).status_code == 404


def test_the_list_costs_the_same_queries_for_two_entries_and_many(
    api_as, django_assert_num_queries, police_contribution, police_lead
):
    client = api_as(police_lead)
    client.post(url(police_contribution), {"entries": [entry(n) for n in range(1, 3)]})
    client.get(url(police_contribution))
    # The token, its last use, the review and the roles, the contribution, the leads, the access
    # log's row (two), the page.
    with django_assert_num_queries(9):
        assert len(client.get(url(police_contribution)).json()["results"]) == 2
    client.post(url(police_contribution), {"entries": [entry(n) for n in range(3, 40)]})
    with django_assert_num_queries(9):
        assert len(client.get(url(police_contribution)).json()["results"]) == 39


def test_text_postgresql_cannot_store_is_named_not_a_crash(api_as, police_contribution, police_lead):
    # JSON can carry an unpaired surrogate, and a NUL; neither reaches the database.
    raw = (
        '{"entries": [{"event_date": "2025-03-01", "source_record": "Log", "professional_role": "Officer", '
        '"what_happened": "Visit \\ud800"}, {"event_date": "2025-03-02", "source_record": "Log \\u0000", '
        '"professional_role": "Officer", "what_happened": "Visit"}, {"event_date": "2025-03-03", '
        '"source_record": "Log", "professional_role": "Officer", "what_happened": "Visit", "\\ud800x": 1}]}'
    )
    response = api_as(police_lead).post(url(police_contribution), raw=raw)
    assert response.status_code == 422
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "what_happened"), (3, "?x")]
    # Without those two, the NUL is named by the import's own parsing.
    only_nul = raw.replace("Visit \\ud800", "Visit").replace(', "\\ud800x": 1', "")
    nul = api_as(police_lead).post(url(police_contribution), raw=only_nul)
    assert nul.status_code == 422
    assert [(e["row"], e["field"]) for e in nul.json()["errors"]] == [(2, "source_record")]
    assert not ChronologyEntry.objects.exists()


@pytest.mark.parametrize("key", [None, "big-1"])
def test_a_body_over_the_limit_is_refused_before_it_is_read(api_as, police_contribution, police_lead, settings, key):
    """DRF parses JSON from request.body, and the Idempotency-Key hashes it: Django refuses a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE by its declared length before reading it, and the API says so
    with a 413 naming the limit (not a bare 400)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    batch = {"entries": [entry(n, what_happened="x" * 600) for n in range(1, 5)]}
    response = api_as(police_lead).post(
        url(police_contribution), batch, headers={"Idempotency-Key": key} if key else None
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == ("The request body is over the limit of 2 KB: send the data in smaller parts.")
    assert not ChronologyEntry.objects.exists()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
    assert api_as(police_lead).post(url(police_contribution), batch).status_code == 201
