"""The findings pages: the coordinator writes findings and recommendations (the form keeps what was
typed), the chair signs them off and sees the hash, signed findings cannot be edited, and a child
death review's editor offers the CDR analysis. Who reaches them: tests/reviews/actions/test_views.py."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from reviews.models import Findings, FindingsState, ReviewState, SignedFindings
from reviews.services.findings import findings_sign_off
from reviews.services.review import review_advance
from tests.factories import make_review, read_hash
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
    assert 'id="sign-off-link"' in page
    # The sign-off page shows what will be signed, and carries its hash and content.
    confirm = client.get(reverse("reviews:findings_sign_off", args=[drafting.reference])).content.decode()
    assert "You are signing off version 1 of the findings" in confirm
    assert "Train all front-line officers in the bruising protocol." in confirm
    assert read_hash(drafting.pk) in confirm
    assert Findings.objects.get(review=drafting).state == FindingsState.DRAFT

    response = client.post(reverse("reviews:findings_sign_off", args=[drafting.reference]), sign_off_form(confirm))
    assert response.status_code == 302
    signed = SignedFindings.objects.get(findings__review=drafting)
    page = client.get(reverse("reviews:findings", args=[drafting.reference])).content.decode()
    assert signed.content_hash in page
    chair_page = client.get(reverse("reviews:chair")).content.decode()
    assert signed.content_hash in chair_page
    version = client.get(reverse("reviews:findings_version", args=[drafting.reference, 1])).content.decode()
    assert 'id="verifies"' in version and "Verified" in version


def sign_off_form(page: str) -> dict[str, str]:
    """The hidden fields of the sign-off page, as the browser sends them back."""
    found = dict(re.findall(r'<input type="hidden" name="(content_hash|content)" value="([^"]*)"', page))
    return {name: html.unescape(value) for name, value in found.items()}


def test_findings_changed_after_the_page_was_opened_are_not_signed_and_the_page_says_what_changed(
    client, drafting, coordinator, chair, police
):
    """Issue 12: the chair could sign what they never saw."""
    write_findings(drafting, coordinator)
    client.force_login(chair)
    url = reverse("reviews:findings_sign_off", args=[drafting.reference])
    read = sign_off_form(client.get(url).content.decode())
    write_findings(drafting, coordinator, learning="A lesson written after the chair opened the page.")
    add_recommendation(drafting, coordinator, police)

    response = client.post(url, read)

    page = response.content.decode()
    assert response.status_code == 409
    assert "The findings changed after you opened the sign-off page: nothing was signed." in page
    assert "<li>The learning changed.</li>" in page
    assert "<li>Recommendation R1 was added: Train all front-line officers in the bruising protocol.</li>" in page
    assert "A lesson written after the chair opened the page." in page  # shown again, to be read
    assert not SignedFindings.objects.exists()
    assert client.post(url, sign_off_form(page)).status_code == 302  # read again, signed
    assert SignedFindings.objects.get().content["learning"] == "A lesson written after the chair opened the page."


def test_a_sign_off_page_whose_content_does_not_match_its_hash_signs_nothing(client, drafting, coordinator, chair):
    write_findings(drafting, coordinator)
    client.force_login(chair)
    url = reverse("reviews:findings_sign_off", args=[drafting.reference])
    read = sign_off_form(client.get(url).content.decode())
    response = client.post(url, {**read, "content": read["content"].replace("Escalate", "Ignore")})
    assert response.status_code == 400
    assert "The sign-off page was incomplete" in response.content.decode()
    assert not SignedFindings.objects.exists()


def test_of_two_people_saving_the_findings_form_at_once_the_later_is_refused(client, drafting, coordinator, chair):
    """Issue 12: the later save silently overwrote the earlier one."""
    write_findings(drafting, coordinator)
    url = reverse("reviews:findings_edit", args=[drafting.reference])
    client.force_login(coordinator)
    based_on = re.search(r'name="based_on" value="([0-9a-f]{64})"', client.get(url).content.decode())[1]
    data = {"learning": "Learnt", "themes": ["Neglect"], "based_on": based_on}
    assert client.post(url, {**data, "findings": "The coordinator's findings"}).status_code == 302

    client.force_login(chair)  # opened the same version before the coordinator saved
    response = client.post(url, {**data, "findings": "The chair's findings"})

    page = response.content.decode()
    assert response.status_code == 409
    assert "Your changes were not saved, so as not to overwrite theirs" in page
    assert "The coordinator&#x27;s findings" in page.split('id="their-version"')[1]  # theirs shown
    assert "The chair&#x27;s findings" in page.split('id="findings-form"')[1]  # what was typed kept
    assert Findings.objects.get(review=drafting).findings == "The coordinator's findings"
    # Saving again from this page replaces their version knowingly.
    again = re.search(r'name="based_on" value="([0-9a-f]{64})"', page)[1]
    assert client.post(url, {**data, "based_on": again, "findings": "The chair's findings"}).status_code == 302
    assert Findings.objects.get(review=drafting).findings == "The chair's findings"


def test_the_coordinator_sends_for_sign_off_and_the_chair_has_a_to_do(client, drafting, coordinator, chair):
    """Issue 12: the chair was never told that findings await sign-off."""
    write_findings(drafting, coordinator)
    client.force_login(chair)
    assert 'id="to-do"' not in client.get(reverse("reviews:dashboard")).content.decode()

    client.force_login(coordinator)
    page = client.get(reverse("reviews:findings", args=[drafting.reference])).content.decode()
    assert 'id="send-form"' in page
    response = client.post(reverse("reviews:findings_send", args=[drafting.reference]), follow=True)
    assert "The findings have been sent to the chair" in response.content.decode()
    assert Findings.objects.get(review=drafting).state == FindingsState.AWAITING_SIGN_OFF
    assert Notification.objects.filter(recipient=chair, channel="in_app", kind="deadline_set").exists()

    client.force_login(chair)
    dashboard = client.get(reverse("reviews:dashboard")).content.decode()
    to_do = dashboard.split('id="to-do"')[1].split("</ul>")[0]
    assert f"Sign off the findings of {drafting.reference}" in to_do
    assert reverse("reviews:findings_sign_off", args=[drafting.reference]) in to_do
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "Findings to sign off" in inbox

    client.post(
        reverse("reviews:findings_sign_off", args=[drafting.reference]),
        sign_off_form(client.get(reverse("reviews:findings_sign_off", args=[drafting.reference])).content.decode()),
    )
    assert 'id="to-do"' not in client.get(reverse("reviews:dashboard")).content.decode()


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
    findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
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
