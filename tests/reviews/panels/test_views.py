"""The panel pages: scheduling, attendance, the quorum shown and enforced, a decision converting a
rapid review, papers for attendees only, and 404 for anyone neither coordinating nor invited."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from reviews.models import PanelDecision, PanelInvitation, PanelMeeting, Review, ReviewState
from reviews.services.panels import panel_attendance_record, panel_meeting_create
from tests.factories import advance_to
from tests.reviews.pages import assert_no_inline, once

DAY = date(2026, 3, 16)


@pytest.fixture
def meeting(review, partnership, coordinator, chair, police_lead, police, gp_lead, gp, csc, panel_member):
    advance_to(review, ReviewState.SCOPING, coordinator)
    return panel_meeting_create(
        actor=coordinator,
        partnership=partnership,
        held_on=DAY,
        chair=chair,
        members=[(police_lead, police), (gp_lead, gp), (panel_member, csc)],
        review_ids=[review.pk],
    )


def attendance(meeting: PanelMeeting, **by_username: str) -> dict[str, str]:
    data = {}
    for invitation in meeting.invitations.select_related("user"):
        data[f"attended_{invitation.pk}"] = by_username.get(invitation.user.username, "")
    return data


def test_scheduling_a_meeting_keeps_input_on_error(client, coordinator, chair, partnership):
    client.force_login(coordinator)
    url = reverse("reviews:panel_new")
    response = client.post(
        url, {"partnership": partnership.pk, "title": "Rapid review panel", "chair": chair.pk, **once()}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the date of the meeting" in html and 'value="Rapid review panel"' in html
    response = client.post(
        url,
        {
            **once(),
            "partnership": partnership.pk,
            "title": "Rapid review panel",
            "chair": chair.pk,
            "held_on-day": "16",
            "held_on-month": "3",
            "held_on-year": "2026",
        },
    )
    meeting = PanelMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reviews:panel", args=[meeting.pk])


def test_a_decision_without_quorum_is_refused_on_the_page(client, meeting, review, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("reviews:panel", args=[meeting.pk])).content.decode()
    assert 'id="not-quorate"' in html
    url = reverse("reviews:panel_decision", args=[meeting.pk, review.reference])
    response = client.post(url, {"outcome": "local_cspr", "rationale": "Criteria met"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "No decision can be recorded: the meeting was not quorate." in html
    assert "Criteria met" in html  # what was typed is kept
    assert not PanelDecision.objects.exists()
    assert Review.objects.get(pk=review.pk).state == ReviewState.SCOPING


def test_attendance_then_a_cspr_decision_converts_the_rapid_review(client, meeting, review, coordinator):
    client.force_login(coordinator)
    present = {"chair": "present", "police.lead": "present", "gp.lead": "present", "panel": "present"}
    response = client.post(reverse("reviews:panel_attendance", args=[meeting.pk]), attendance(meeting, **present))
    assert response.status_code == 302
    assert 'id="quorate"' in client.get(reverse("reviews:panel", args=[meeting.pk])).content.decode()

    response = client.post(
        reverse("reviews:panel_decision", args=[meeting.pk, review.reference]),
        {"outcome": "local_cspr", "rationale": "Criteria met"},
    )
    assert response.status_code == 302
    cspr = Review.objects.get(converted_from=review)
    assert Review.objects.get(pk=review.pk).state == ReviewState.CLOSED
    html = client.get(reverse("reviews:panel", args=[meeting.pk])).content.decode()
    assert f"Converted into {cspr.reference}" in html


def test_papers_are_for_attendees_only(client, meeting, review, police_lead, gp_lead, coordinator):
    papers = reverse("reviews:panel_papers", args=[meeting.pk, review.reference])
    client.force_login(police_lead)
    assert papers in client.get(reverse("reviews:panel", args=[meeting.pk])).content.decode()
    response = client.get(papers)
    assert response.status_code == 200
    assert_no_inline(response.content.decode())

    gp = PanelInvitation.objects.get(meeting=meeting, user=gp_lead)
    panel_attendance_record(actor=coordinator, meeting_id=meeting.pk, attended={gp.pk: False})
    client.force_login(gp_lead)
    assert papers not in client.get(reverse("reviews:panel", args=[meeting.pk])).content.decode()
    response = client.get(papers)
    assert response.status_code == 403
    assert "You need to be at the meeting of 16 March 2026 to read its papers: you were recorded as absent." in (
        unescape(response.content.decode())
    )


@pytest.mark.parametrize("who", ["outsider", "scrutineer"])
def test_anyone_neither_coordinating_nor_invited_gets_404(client, meeting, review, who, request):
    client.force_login(request.getfixturevalue(who))
    for method, url in [
        ("get", reverse("reviews:panel", args=[meeting.pk])),
        ("get", reverse("reviews:panel_papers", args=[meeting.pk, review.reference])),
        ("get", reverse("reviews:panel_decision", args=[meeting.pk, review.reference])),
        ("post", reverse("reviews:panel_attendance", args=[meeting.pk])),
        ("post", reverse("reviews:panel_minutes", args=[meeting.pk])),
        ("post", reverse("reviews:panel_invite", args=[meeting.pk])),
        ("post", reverse("reviews:panel_agenda", args=[meeting.pk])),
    ]:
        assert getattr(client, method)(url, {"minutes": "Guessed"}).status_code == 404, url
    assert PanelMeeting.objects.get(pk=meeting.pk).minutes == ""


def test_an_invitee_reads_but_cannot_record(client, meeting, review, police_lead):
    client.force_login(police_lead)
    url = reverse("reviews:panel_decision", args=[meeting.pk, review.reference])
    assert client.post(url, {"outcome": "local_cspr", "rationale": "x"}).status_code == 403
    response = client.post(reverse("reviews:panel_minutes", args=[meeting.pk]), {"minutes": "x"})
    assert response.status_code == 403
    partnership = meeting.partnership
    shown = unescape(response.content.decode())
    assert f"You need to be a review coordinator of {partnership} to write the minutes." in shown


def test_the_panel_pages_carry_no_inline_script_or_style(client, meeting, coordinator):
    client.force_login(coordinator)
    for url in [reverse("reviews:panels"), reverse("reviews:panel_new"), reverse("reviews:panel", args=[meeting.pk])]:
        html = client.get(url).content.decode()
        assert_no_inline(html)
    assert re.search(r'id="attendance-form"', client.get(reverse("reviews:panel", args=[meeting.pk])).content.decode())


# --- the list at scale (issue 12) -----------------------------------------------------------------


def list_page(client) -> tuple[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reviews:panels"))
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_the_meetings_list_pages_and_costs_the_same_for_more_meetings(
    client, meeting, partnership, coordinator, chair, police_lead
):
    from ui.pagination import PAGE_SIZE

    client.force_login(coordinator)
    html, few = list_page(client)
    assert "1 meeting" in html
    PanelMeeting.objects.bulk_create(
        PanelMeeting(partnership=partnership, held_on=date(2025, 1, 1 + i % 28), chair=chair, created_by=coordinator)
        for i in range(PAGE_SIZE + 4)
    )
    client.force_login(coordinator)
    html, many = list_page(client)
    assert html.count('<tr class="govuk-table__row"><td') == PAGE_SIZE
    assert f"{PAGE_SIZE + 5} meetings, showing 1 to {PAGE_SIZE}" in html and "Page 1 of 2" in html
    assert many == few
    # The police lead was invited to one of them only: the invitations read are their own.
    client.force_login(police_lead)
    html, _ = list_page(client)
    assert "1 meeting" in html and html.count('<tr class="govuk-table__row"><td') == 1
