"""Actions over the API (reviews/api/actions.py): who sees which action (as action_for), a progress
update, an evidence file checked by its content and size as on the page, the steps with the
expected state, scopes, idempotent writes, and a list whose query count does not grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import Scope
from reviews.models import Action, ActionEvidenceFile, ActionState, ActionUpdate
from reviews.services.findings import findings_sign_off
from reviews.services.review import review_advance
from reviews.services.subjects import SubjectData, subject_add
from tests.factories import read_hash
from tests.reviews.builders import add_action, add_recommendation, write_findings
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# A Windows executable's first bytes ("MZ" and the DOS stub), named as a PDF.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def actions(drafting, coordinator, chair, police, gp):
    """A police and a GP action on the review at action tracking."""
    write_findings(drafting, coordinator)
    police_recommendation = add_recommendation(drafting, coordinator, police)
    gp_recommendation = add_recommendation(drafting, coordinator, gp, what="Audit GP referrals.")
    findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    return {"police": add_action(police_recommendation, coordinator), "gp": add_action(gp_recommendation, coordinator)}


def url(action: Action, name: str = "action", *extra) -> str:
    return reverse(f"api_v1:{name}", args=[action.review.reference, action.pk, *extra])


def list_url() -> str:
    return reverse("api_v1:actions")


# --- who sees which ---------------------------------------------------------------------------------


def test_the_list_holds_what_each_may_open(api_as, actions, coordinator, police_lead, gp_lead, chair, scrutineer):
    def codes(user) -> set[tuple[str, str]]:
        response = api_as(user).get(list_url())
        assert response.status_code == 200
        return {(row["owner_agency"], row["code"]) for row in response.json()["results"]}

    police, gp = actions["police"], actions["gp"]
    assert codes(coordinator) == {(police.owner_agency.name, "R1.1"), (gp.owner_agency.name, "R2.1")}
    assert codes(police_lead) == {(police.owner_agency.name, "R1.1")}
    assert codes(gp_lead) == {(gp.owner_agency.name, "R2.1")}
    assert codes(chair) == set() and codes(scrutineer) == set()


def test_one_action_is_found_as_on_its_page(api_as, actions, coordinator, police_lead, gp_lead, chair, outsider):
    police = actions["police"]
    for user in (coordinator, police_lead):
        response = api_as(user).get(url(police))
        assert response.status_code == 200, user
        body = response.json()
        assert body["code"] == "R1.1" and body["state"] == "open" and body["reference"] == police.review.reference
        assert body["updates"] == [] and body["evidence_files"] == []
    # The other agency's lead, a chair on the review, an outsider: no such action.
    for user in (gp_lead, chair, outsider):
        response = api_as(user).get(url(police))
        assert response.status_code == 404, user
        assert response["Content-Type"] == "application/problem+json"
    # The owner's lead may start and complete; verifying is the coordinator's.
    assert sorted(s["name"] for s in api_as(police_lead).get(url(police)).json()["steps"]) == ["complete", "start"]


def test_the_list_filters_by_state_and_refuses_an_unknown_one(api_as, actions, coordinator):
    assert api_as(coordinator).get(list_url(), state="completed").json()["results"] == []
    response = api_as(coordinator).get(list_url(), state="finished")
    assert response.status_code == 400
    assert response.json()["errors"]["state"][0].startswith("Unknown state 'finished'")


def test_the_list_costs_the_same_queries_however_many_actions(api_as, actions, coordinator, django_assert_num_queries):
    api = api_as(coordinator)
    api.get(list_url())  # the token's first use writes its last-used time once
    with CaptureQueriesContext(connection) as two:
        assert len(api.get(list_url()).json()["results"]) == 2
    recommendation = actions["police"].recommendation
    for n in range(12):
        add_action(recommendation, coordinator, description=f"Action {n}", due_date=timezone.localdate() + timedelta(n))
    with django_assert_num_queries(len(two.captured_queries)):
        assert len(api.get(list_url()).json()["results"]) == 14


# --- progress ---------------------------------------------------------------------------------------


def test_the_owner_lead_records_progress_which_starts_the_action(api_as, actions, police_lead):
    police = actions["police"]
    response = api_as(police_lead).post(
        url(police, "action_progress"),
        {"progress_on": timezone.localdate().isoformat(), "note": "Two of six teams trained."},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "in_progress"
    assert [(u["note"], u["progress_on"]) for u in body["updates"]] == [
        ("Two of six teams trained.", timezone.localdate().isoformat())
    ]
    assert ActionUpdate.objects.filter(action=police).count() == 1


def test_progress_is_refused_field_by_field_in_the_pages_words(api_as, actions, police_lead):
    api = api_as(police_lead)
    response = api.post(url(actions["police"], "action_progress"), {"progress_on": "31/12/2026", "note": ""})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors == {
        "progress_on": ["The date of the progress must be a real date"],
        "note": ["Say what progress has been made"],
    }
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api.post(url(actions["police"], "action_progress"), {"progress_on": tomorrow, "note": "Done."})
    assert response.status_code == 400
    assert response.json()["errors"] == {"progress_on": ["The date of the progress is in the future."]}
    assert not ActionUpdate.objects.exists()


def test_progress_needs_the_contribute_scope_and_the_other_agency_gets_404(api_as, actions, police_lead, gp_lead):
    body = {"progress_on": timezone.localdate().isoformat(), "note": "Started."}
    response = api_as(police_lead, scopes=[Scope.READ]).post(url(actions["police"], "action_progress"), body)
    assert response.status_code == 403 and response.json()["scope"] == "contribute"
    assert api_as(gp_lead).post(url(actions["police"], "action_progress"), body).status_code == 404
    assert not ActionUpdate.objects.exists()


def test_a_progress_update_sent_twice_with_one_key_is_written_once(api_as, actions, police_lead):
    api = api_as(police_lead)
    body = {"progress_on": timezone.localdate().isoformat(), "note": "Sent once."}
    first = api.post(url(actions["police"], "action_progress"), body, headers={"Idempotency-Key": "progress-1"})
    again = api.post(url(actions["police"], "action_progress"), body, headers={"Idempotency-Key": "progress-1"})
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert ActionUpdate.objects.count() == 1


def test_a_note_naming_an_identity_is_refused_unless_saved_anyway(api_as, actions, coordinator, police_lead):
    police = actions["police"]
    subject_add(
        actor=coordinator,
        review_id=police.review_id,
        data=SubjectData(pseudonym="Mother M", full_name="Jolene Quarrington-Fairweather"),
    )
    api = api_as(police_lead)
    body = {"progress_on": timezone.localdate().isoformat(), "note": "Met Jolene Quarrington-Fairweather."}
    response = api.post(url(police, "action_progress"), body)
    assert response.status_code == 400
    assert "Mother M" in response.json()["errors"]["note"][0]
    assert not ActionUpdate.objects.exists()
    response = api.post(url(police, "action_progress"), {**body, "save_anyway": True})
    assert response.status_code == 201
    assert AuditEvent.objects.filter(verb="identity.saved_anyway").count() == 1


# --- evidence files ---------------------------------------------------------------------------------


def upload(api, action, name: str, content: bytes, key: str | None = None):
    headers = api.headers({"Idempotency-Key": key} if key else None)
    return api.client.post(url(action, "action_evidence"), {"file": SimpleUploadedFile(name, content)}, headers=headers)


def test_the_owner_lead_attaches_a_pdf(api_as, actions, police_lead):
    response = upload(api_as(police_lead), actions["police"], "register.pdf", PDF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "register.pdf" and body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    detail = api_as(police_lead).get(url(actions["police"])).json()
    assert [f["name"] for f in detail["evidence_files"]] == ["register.pdf"]


def test_an_executable_named_pdf_is_refused_by_its_content(api_as, actions, police_lead):
    response = upload(api_as(police_lead), actions["police"], "register.pdf", EXECUTABLE)
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": ["register.pdf is named .pdf but its content is not."]}
    assert not ActionEvidenceFile.objects.exists()


def test_evidence_over_the_size_limit_or_missing_is_refused(api_as, actions, police_lead, settings):
    settings.ACTION_EVIDENCE_MAX_BYTES = 1024 * 1024
    api = api_as(police_lead)
    response = upload(api, actions["police"], "big.pdf", PDF + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["The file is 2.0 MB; the most allowed is 1 MB."]
    # No file at all, as multipart or as JSON: the page's message.
    assert api.client.post(url(actions["police"], "action_evidence"), {}, headers=api.headers()).json()["errors"] == {
        "file": ["Choose a file to attach."]
    }
    assert api.post(url(actions["police"], "action_evidence"), {}).json()["errors"] == {
        "file": ["Choose a file to attach."]
    }
    assert not ActionEvidenceFile.objects.exists()


def test_evidence_is_the_owning_agencys_the_coordinator_is_refused(api_as, actions, coordinator, gp_lead):
    response = upload(api_as(coordinator), actions["police"], "register.pdf", PDF)
    assert response.status_code == 403
    assert upload(api_as(gp_lead), actions["police"], "register.pdf", PDF).status_code == 404
    assert not ActionEvidenceFile.objects.exists()


def test_an_upload_sent_twice_with_one_key_is_stored_once(api_as, actions, police_lead):
    api = api_as(police_lead)
    first = upload(api, actions["police"], "register.pdf", PDF, key="file-1")
    again = upload(api, actions["police"], "register.pdf", PDF, key="file-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert ActionEvidenceFile.objects.count() == 1


# --- steps ------------------------------------------------------------------------------------------


def test_steps_with_the_expected_state(api_as, actions, police_lead, coordinator):
    police = actions["police"]
    api = api_as(police_lead)
    response = api.post(url(police, "action_step", "start"), {"expected_state": "open"})
    assert response.status_code == 200 and response.json()["state"] == "in_progress"
    # Sent again for the state it has left: refused, nothing applied twice.
    response = api.post(url(police, "action_step", "start"), {"expected_state": "open"})
    assert response.status_code == 409
    assert response.json()["type"] == "urn:review-engine:problem:stale-state"
    # Completing needs the evidence, in the page's words.
    response = api.post(url(police, "action_step", "complete"), {"expected_state": "in_progress", "evidence": " "})
    assert response.status_code == 400
    assert response.json()["errors"]["evidence"][0].startswith("Give the evidence of completion of R1.1")
    response = api.post(
        url(police, "action_step", "complete"), {"expected_state": "in_progress", "evidence": "Registers for 6 teams."}
    )
    assert response.status_code == 200 and response.json()["state"] == "completed"
    # Verifying is the coordinator's, with the coordinate scope.
    verify = url(police, "action_step", "verify")
    without = api_as(coordinator, scopes=[Scope.READ, Scope.CONTRIBUTE]).post(verify, {"expected_state": "completed"})
    assert without.status_code == 403 and without.json()["scope"] == "coordinate"
    response = api_as(coordinator, scopes=[Scope.COORDINATE]).post(verify, {"expected_state": "completed"})
    assert response.status_code == 200 and response.json()["state"] == "verified"
    assert Action.objects.get(pk=police.pk).state == ActionState.VERIFIED


def test_an_unknown_step_or_anothers_action_is_not_found(api_as, actions, police_lead, gp_lead):
    assert api_as(police_lead).post(url(actions["police"], "action_step", "finish"), {}).status_code == 404
    response = api_as(gp_lead).post(url(actions["police"], "action_step", "start"), {"expected_state": "open"})
    assert response.status_code == 404
    assert Action.objects.get(pk=actions["police"].pk).state == ActionState.OPEN
