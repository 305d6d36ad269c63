"""Real names typed into free text: the writer is warned, field by field, with the pseudonym to use;
saving anyway is their call, and it is recorded (issue 12, item 10)."""

from __future__ import annotations

import json
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from reviews.models import ChronologyEntry, PanelMeeting
from reviews.services.subjects import SubjectData, subject_add
from tests.reviews.pages import entry_form, url
from workflows.audit import AuditEvent

NAME = "Lily-Mae Orchard"
WARNING = "This looks like the real name of Child K: use “Child K” instead."


@pytest.fixture
def child_k(review, coordinator):
    return subject_add(
        actor=coordinator,
        review_id=review.pk,
        data=SubjectData(pseudonym="Child K", date_of_birth=date(2023, 5, 1), full_name=NAME, nhs_number="9434765919"),
    )


def test_a_real_name_in_a_chronology_entry_is_warned_about_and_saved_only_when_the_lead_says_so(
    client, child_k, police_contribution, police_lead
):
    client.force_login(police_lead)
    form = entry_form(what_happened=f"Officers spoke to {NAME} at the door.")

    first = client.post(url("entry_add", police_contribution), form)

    assert first.status_code == 400
    html = unescape(first.content.decode())
    assert WARNING in html
    assert 'name="save_anyway"' in html
    assert f"Officers spoke to {NAME} at the door." in html  # nothing typed is lost
    assert not ChronologyEntry.objects.exists()
    assert not AuditEvent.objects.filter(verb="identity.saved_anyway").exists()

    second = client.post(url("entry_add", police_contribution), {**form, "save_anyway": "on"})

    assert second.status_code == 302
    assert ChronologyEntry.objects.get().what_happened == f"Officers spoke to {NAME} at the door."
    event = AuditEvent.objects.get(verb="identity.saved_anyway")
    assert event.actor == police_lead
    assert event.detail == {"what": "chronology entry", "fields": ["what_happened"]}
    assert "Orchard" not in json.dumps(event.detail) + event.object_label


def test_pseudonymised_text_saves_at_once_and_records_nothing(client, child_k, police_contribution, police_lead):
    client.force_login(police_lead)
    response = client.post(
        url("entry_add", police_contribution), entry_form(what_happened="Officers spoke to Child K.")
    )
    assert response.status_code == 302
    assert ChronologyEntry.objects.count() == 1
    assert not AuditEvent.objects.filter(verb="identity.saved_anyway").exists()


def test_an_nhs_number_in_the_minutes_of_a_meeting_is_warned_about(
    client, child_k, review, partnership, coordinator, chair
):
    from reviews.services.panels import panel_meeting_create

    meeting = panel_meeting_create(
        actor=coordinator,
        partnership=partnership,
        held_on=date(2026, 3, 16),
        chair=chair,
        members=[],
        review_ids=[review.pk],
    )
    client.force_login(coordinator)
    minutes = {"minutes": "Discussed the referral for 943 476 5919."}

    first = client.post(reverse("reviews:panel_minutes", args=[meeting.pk]), minutes)
    assert first.status_code == 400
    assert "This looks like the NHS number of Child K: use “Child K” instead." in unescape(first.content.decode())
    assert PanelMeeting.objects.get(pk=meeting.pk).minutes == ""

    client.post(reverse("reviews:panel_minutes", args=[meeting.pk]), {**minutes, "save_anyway": "on"})
    assert PanelMeeting.objects.get(pk=meeting.pk).minutes == minutes["minutes"]
    assert AuditEvent.objects.get(verb="identity.saved_anyway").detail == {
        "what": "panel minutes",
        "fields": ["minutes"],
    }


def test_a_real_name_in_the_findings_is_warned_about_and_nothing_is_saved_until_the_writer_says_so(
    client, drafting, coordinator
):
    import re

    from reviews.models import Findings

    subject_add(actor=coordinator, review_id=drafting.pk, data=SubjectData(pseudonym="Child K", full_name=NAME))
    url_ = reverse("reviews:findings_edit", args=[drafting.reference])
    client.force_login(coordinator)
    based_on = re.search(r'name="based_on" value="([0-9a-f]{64})"', client.get(url_).content.decode())[1]
    data = {"findings": "Agencies did not share what they knew.", "learning": f"{NAME}'s voice was not heard."}

    first = client.post(url_, {**data, "based_on": based_on})

    assert first.status_code == 400
    html = unescape(first.content.decode())
    assert WARNING in html and 'name="save_anyway"' in html
    assert not Findings.objects.filter(review=drafting, learning__contains="voice").exists()

    second = client.post(url_, {**data, "based_on": based_on, "save_anyway": "on"})
    assert second.status_code == 302
    assert AuditEvent.objects.get(verb="identity.saved_anyway").detail == {"what": "findings", "fields": ["learning"]}


def test_an_import_with_a_real_name_in_a_row_is_refused_until_imported_anyway(
    client, child_k, police_contribution, police_lead
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.reviews.pages import csv_file, once

    data = csv_file(
        "14/03/2025,,09:30,Custody record 2231,Arrest at the family home,Response officer,Child present,yes",
        f"15/03/2025,,,Custody record 2232,{NAME} was interviewed,Detective,,no",
    )
    client.force_login(police_lead)
    form = once()

    first = client.post(
        url("chronology_import", police_contribution), {"file": SimpleUploadedFile("p.csv", data), **form}
    )

    assert first.status_code == 400
    html = unescape(first.content.decode())
    assert f"Row 3, What happened: {WARNING}" in html
    assert 'name="save_anyway"' in html
    assert not ChronologyEntry.objects.exists()

    second = client.post(
        url("chronology_import", police_contribution),
        {"file": SimpleUploadedFile("p.csv", data), **form, "save_anyway": "on"},
    )
    assert second.status_code == 302
    assert ChronologyEntry.objects.count() == 2
    event = AuditEvent.objects.get(verb="identity.saved_anyway")
    assert event.detail == {"what": "chronology import", "fields": ["What happened"]}


def test_an_nhs_number_in_an_action_s_evidence_is_warned_about_on_the_step(
    client, drafting, coordinator, chair, police, police_lead
):
    from reviews.models import Action, ActionState
    from reviews.services.review import review_advance
    from tests.reviews.builders import add_action, signed_with_recommendation

    subject_add(
        actor=coordinator, review_id=drafting.pk, data=SubjectData(pseudonym="Child K", nhs_number="9434765919")
    )
    recommendation = signed_with_recommendation(drafting, coordinator, chair, police)
    review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    action = add_action(recommendation, coordinator)
    step = reverse("reviews:action_step", args=[drafting.reference, action.pk, "complete"])
    client.force_login(police_lead)
    evidence = {"expected_state": "open", "evidence": "Case file 943 476 5919 audited"}

    first = client.post(step, evidence)
    assert first.status_code == 400
    assert "This looks like the NHS number of Child K" in unescape(first.content.decode())
    assert Action.objects.get(pk=action.pk).state == ActionState.OPEN

    assert client.post(step, {**evidence, "save_anyway": "on"}).status_code == 302
    assert Action.objects.get(pk=action.pk).state == ActionState.COMPLETED
    assert AuditEvent.objects.get(verb="identity.saved_anyway").detail == {
        "what": "action step",
        "fields": ["evidence"],
    }


def test_a_real_name_in_a_withdrawal_reason_is_warned_about(client, child_k, review, coordinator):
    from reviews.models import Review, ReviewState

    url_ = reverse("reviews:review_transition", args=[review.reference, "withdraw"])
    client.force_login(coordinator)
    data = {"expected_state": review.state, "reason": f"{NAME}'s family moved abroad.", "confirmed": "yes"}
    first = client.post(url_, data)
    assert first.status_code == 400
    assert WARNING in unescape(first.content.decode())
    assert Review.objects.get(pk=review.pk).state == ReviewState.NOTIFICATION
    client.post(url_, {**data, "save_anyway": "on"})
    assert Review.objects.get(pk=review.pk).state == ReviewState.WITHDRAWN
    assert AuditEvent.objects.get(verb="identity.saved_anyway").detail == {"what": "stage change", "fields": ["reason"]}
