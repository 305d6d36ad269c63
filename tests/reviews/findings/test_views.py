"""The findings pages: the coordinator writes findings and recommendations (the form keeps what was
typed), the chair signs them off and sees the hash, signed findings cannot be edited, and a child
death review's editor offers the CDR analysis. Who reaches them: tests/reviews/actions/test_views.py."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from reviews.models import Findings, FindingsState, ReviewState, SignedFindings
from reviews.services.findings import findings_sign_off
from reviews.services.review import review_advance
from tests.factories import make_review
from tests.reviews.builders import add_recommendation, write_findings
from tests.reviews.pages import date_parts, once


def test_the_coordinator_writes_findings_and_the_form_keeps_input_on_error(client, drafting, coordinator):
    client.force_login(coordinator)
    url = reverse("reviews:findings_edit", args=[drafting.reference])
    assert client.get(url).status_code == 200

    response = client.post(url, {"findings": "", "learning": "Kept learning", "themes": ["Neglect"]})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and "Write the findings" in html
    assert "Kept learning" in html
    assert re.search(r'value="Neglect" checked', html)

    response = client.post(url, {"findings": "Found", "learning": "Learnt", "themes": ["Neglect"]})
    assert response.status_code == 302
    assert Findings.objects.get(review=drafting).themes == ["Neglect"]


def test_a_recommendation_with_a_past_date_is_refused_keeping_input(client, drafting, coordinator, police):
    client.force_login(coordinator)
    write_findings(drafting, coordinator)
    url = reverse("reviews:recommendation_add", args=[drafting.reference])
    data = {
        "what": "Train officers",
        "owner_agency": police.pk,
        **date_parts("due_by", timezone.localdate() - timedelta(days=3)),
        "success_measure": "All trained",
        **once(),
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "The date by when it is to be done is in the past." in html
    assert "Train officers" in html and "All trained" in html


def test_the_chair_signs_off_on_the_page_and_sees_the_hash(client, drafting, coordinator, chair, police):
    write_findings(drafting, coordinator)
    add_recommendation(drafting, coordinator, police)
    client.force_login(chair)
    page = client.get(reverse("reviews:findings", args=[drafting.reference])).content.decode()
    assert 'id="sign-off-form"' in page

    response = client.post(reverse("reviews:findings_sign_off", args=[drafting.reference]))
    assert response.status_code == 302
    signed = SignedFindings.objects.get(findings__review=drafting)
    page = client.get(reverse("reviews:findings", args=[drafting.reference])).content.decode()
    assert signed.content_hash in page
    chair_page = client.get(reverse("reviews:chair")).content.decode()
    assert signed.content_hash in chair_page
    version = client.get(reverse("reviews:findings_version", args=[drafting.reference, 1])).content.decode()
    assert 'id="verifies"' in version and "Verified" in version


def test_the_chair_page_lists_what_awaits_sign_off(client, drafting, coordinator, chair):
    write_findings(drafting, coordinator)
    client.force_login(chair)
    html = client.get(reverse("reviews:chair")).content.decode()
    assert 'id="awaiting"' in html and drafting.reference in html


def test_a_coordinator_cannot_sign_off_through_the_page(client, drafting, coordinator):
    write_findings(drafting, coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("reviews:findings_sign_off", args=[drafting.reference]))
    assert response.status_code == 403
    assert Findings.objects.get(review=drafting).state == FindingsState.DRAFT


def test_editing_signed_findings_shows_why_not(client, drafting, coordinator, chair):
    write_findings(drafting, coordinator)
    findings_sign_off(actor=chair, review_id=drafting.pk)
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:findings_edit", args=[drafting.reference]), {"findings": "Changed", "learning": "x"}
    )
    assert response.status_code == 409
    assert "can no longer be changed" in response.content.decode()
    assert Findings.objects.get(review=drafting).findings != "Changed"


def test_a_child_death_review_editor_offers_the_analysis(client, partnership, coordinator, chair):
    from datetime import date

    from reviews.models import ReviewKind, Role
    from tests.factories import advance_to

    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        key_dates={"incident_on": date(2026, 3, 2), "notified_on": date(2026, 3, 3)},
        roles=[(chair, Role.CHAIR, None)],
    )
    advance_to(review, ReviewState.PANEL, coordinator)
    review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    client.force_login(coordinator)
    html = client.get(reverse("reviews:findings_edit", args=[review.reference])).content.decode()
    assert "1. Deliberately inflicted injury, abuse or neglect" in html
    assert "10. Sudden unexpected, unexplained death" in html
    assert "Insufficient information" in html
    assert "choose the first that applies" in html
