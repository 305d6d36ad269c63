"""Scheduling a panel meeting is a create form: sent twice with one token (a double click, a POST
resent after a slow answer), it schedules the meeting once and points the second at the first."""

from __future__ import annotations

from django.urls import reverse

from reviews.models import PanelInvitation, PanelMeeting
from tests.reviews.pages import token_of
from workflows.models import FormSubmission


def meeting_data(partnership, chair, **overrides: str) -> dict[str, object]:
    data = {
        "partnership": partnership.pk,
        "title": "Rapid review panel",
        "chair": chair.pk,
        "held_on-day": "16",
        "held_on-month": "3",
        "held_on-year": "2026",
    }
    return {**data, **overrides}


def test_scheduling_twice_with_one_form_schedules_once(client, coordinator, chair, partnership):
    client.force_login(coordinator)
    url = reverse("reviews:panel_new")
    token = token_of(client.get(url).content.decode())
    first = client.post(url, {**meeting_data(partnership, chair), "submission": token})
    second = client.post(url, {**meeting_data(partnership, chair), "submission": token}, follow=True)
    meeting = PanelMeeting.objects.get()
    assert first["Location"] == second.redirect_chain[-1][0] == reverse("reviews:panel", args=[meeting.pk])
    assert "already been sent" in second.content.decode()
    assert PanelInvitation.objects.filter(meeting=meeting).count() == 1  # the chair, invited once


def test_bad_input_keeps_the_token_for_the_corrected_meeting(client, coordinator, chair, partnership):
    client.force_login(coordinator)
    url = reverse("reviews:panel_new")
    token = token_of(client.get(url).content.decode())
    refused = client.post(url, {**meeting_data(partnership, chair, **{"held_on-day": ""}), "submission": token})
    assert refused.status_code == 400
    assert token_of(refused.content.decode()) == token
    assert not FormSubmission.objects.exists() and not PanelMeeting.objects.exists()
    accepted = client.post(url, {**meeting_data(partnership, chair), "submission": token})
    assert accepted.status_code == 302 and PanelMeeting.objects.count() == 1


def test_a_meeting_sent_without_its_token_is_refused(client, coordinator, chair, partnership):
    client.force_login(coordinator)
    response = client.post(reverse("reviews:panel_new"), meeting_data(partnership, chair))
    assert response.status_code == 400
    assert "sent without its one-time code" in response.content.decode()
    assert not PanelMeeting.objects.exists()
