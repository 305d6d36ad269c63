"""The notice page: the coordinator records a notice once; afterwards those with case detail read it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from reviews.models import Notice, ReviewKind
from reviews.services.review import review_record_key_dates
from tests.factories import make_review
from workflows.audit import AuditEvent


def date_parts(name: str, value: date) -> dict[str, str]:
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


def url(review, kind: str) -> str:
    return reverse("reviews:review_notice", args=[review.reference, kind])


SI_FORM = {
    **date_parts("sent_on", date(2026, 3, 4)),
    "what_happened": "Child A (aged 2) was admitted to hospital with a head injury.",
    "agencies_involved": "Police; children's social care.",
    "immediate_actions": "Strategy meeting held the same day.",
}


@pytest.fixture
def unnotified(partnership, coordinator, chair, scrutineer):
    from reviews.models import Role

    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 3, 2)},
        roles=[(chair, Role.CHAIR, None), (scrutineer, Role.SCRUTINEER, None)],
    )


def test_the_coordinator_records_the_notification_and_the_review_page_shows_it_met(client, unnotified, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("reviews:review", args=[unnotified.reference])).content.decode()
    assert 'id="notice-serious_incident"' in page
    assert 'id="notice-panel_reply"' in page
    assert url(unnotified, "serious_incident") in page

    response = client.post(url(unnotified, "serious_incident"), SI_FORM, follow=True)

    html = response.content.decode()
    assert "Serious incident notification recorded." in html
    notice = Notice.objects.get(review=unnotified)
    assert (notice.sent_on, notice.recorded_by) == (date(2026, 3, 4), coordinator)
    # Aware Mon 2 March 2026; due Mon 9 March; sent Wed 4 March: met.
    row = html.split('id="notice-serious_incident"')[1].split("</tr>")[0]
    assert "4 Mar 2026" in row and ">met<" in row and "due 9 Mar 2026" in row


def test_a_notice_without_its_content_is_sent_back_with_each_field_named_and_nothing_saved(
    client, unnotified, coordinator
):
    client.force_login(coordinator)
    response = client.post(
        url(unnotified, "serious_incident"), {**SI_FORM, "what_happened": "", "immediate_actions": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what happened: the Panel asks for it in the notification." in html
    assert "Say what was done straight away to keep children safe." in html
    assert "Police; children&#x27;s social care." in html  # what was typed stays on the page
    assert not Notice.objects.exists()
    unnotified.refresh_from_db()
    assert unnotified.notified_on is None


def test_a_notice_posted_twice_is_refused_the_second_time(client, unnotified, coordinator):
    client.force_login(coordinator)
    client.post(url(unnotified, "serious_incident"), SI_FORM)
    # The page now shows the notice; posting again records nothing.
    response = client.post(url(unnotified, "serious_incident"), {**SI_FORM, **date_parts("sent_on", date(2026, 3, 3))})
    assert response.status_code == 200
    assert "Agencies involved" in response.content.decode()
    assert list(Notice.objects.values_list("sent_on", flat=True)) == [date(2026, 3, 4)]


def test_a_recorded_notice_is_read_by_the_chair_logged_and_hidden_from_the_scrutineer(
    client, unnotified, coordinator, chair, scrutineer
):
    client.force_login(coordinator)
    client.post(url(unnotified, "serious_incident"), SI_FORM)

    client.force_login(chair)
    response = client.get(url(unnotified, "serious_incident"))
    assert response.status_code == 200
    assert "Strategy meeting held the same day." in response.content.decode()
    assert AuditEvent.objects.filter(verb="access.notice", actor=chair, object_id=unnotified.pk).count() == 1

    client.force_login(scrutineer)
    assert client.get(url(unnotified, "serious_incident")).status_code == 403
    page = client.get(reverse("reviews:review", args=[unnotified.reference])).content.decode()
    # Progress (the date and the clock) but not what was sent.
    assert 'id="notice-serious_incident"' in page
    assert url(unnotified, "serious_incident") not in page


@pytest.mark.parametrize("kind", ["home_office_decision", "lac_death", "no_such_notice"])
def test_a_notice_the_review_does_not_owe_does_not_exist(client, unnotified, coordinator, kind):
    client.force_login(coordinator)
    assert client.get(url(unnotified, kind)).status_code == 404


def test_the_looked_after_box_on_a_child_death_s_key_dates_brings_its_notice(client, partnership, coordinator, today):
    cdr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        key_dates={"became_aware_on": date(2026, 3, 2), "incident_on": date(2026, 3, 1)},
    )
    client.force_login(coordinator)
    page = client.get(reverse("reviews:review", args=[cdr.reference])).content.decode()
    assert "notice-lac_death" not in page
    form = client.get(reverse("reviews:review_dates", args=[cdr.reference])).content.decode()
    assert "The child was looked after by a local authority" in form

    client.post(
        reverse("reviews:review_dates", args=[cdr.reference]),
        {
            **date_parts("became_aware_on", date(2026, 3, 2)),
            **date_parts("incident_on", date(2026, 3, 1)),
            "child_looked_after": "on",
        },
    )
    page = client.get(reverse("reviews:review", args=[cdr.reference])).content.decode()
    row = page.split('id="notice-lac_death"')[1].split("</tr>")[0]
    # Aware Mon 2 March 2026, 5 working days (common, not confirmed): Mon 9 March.
    assert "due 9 Mar 2026" in row
    assert "Required by statute or national guidance; deadline not confirmed" in row


def test_a_cspr_asks_for_its_planned_publication_date_even_ahead(client, partnership, coordinator, today):
    today.set(date(2026, 3, 2))
    cspr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CSPR,
        key_dates={"became_aware_on": date(2025, 12, 1), "decision_on": date(2026, 1, 2)},
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:review_dates", args=[cspr.reference]),
        {
            **date_parts("became_aware_on", date(2025, 12, 1)),
            **date_parts("decision_on", date(2026, 1, 2)),
            **date_parts("publication_planned_on", date(2026, 4, 10)),
        },
        follow=True,
    )
    assert "Key dates saved." in response.content.decode()
    html = response.content.decode()
    row = html.split('id="notice-advance_copy"')[1].split("</tr>")[0]
    assert "due 30 Mar 2026" in row
    assert "7 working days before" in html  # the clock's row says which way it counts


def test_a_date_recorded_before_notices_were_kept_is_offered_with_the_form(client, unnotified, coordinator):
    review_record_key_dates(actor=coordinator, review_id=unnotified.pk, key_dates={"notified_on": date(2026, 3, 4)})
    client.force_login(coordinator)
    html = client.get(url(unnotified, "serious_incident")).content.decode()
    assert "The date 4 March 2026 is already recorded as a key date" in html


def test_a_real_name_in_the_notification_is_warned_about_before_it_is_recorded(client, unnotified, coordinator):
    from reviews.services.subjects import SubjectData, subject_add

    subject_add(
        actor=coordinator, review_id=unnotified.pk, data=SubjectData(pseudonym="Child K", full_name="Ava Tillbrook")
    )
    client.force_login(coordinator)
    form = {**SI_FORM, "what_happened": "Ava Tillbrook was admitted to hospital."}
    first = client.post(url(unnotified, "serious_incident"), form)
    assert first.status_code == 400
    assert "use “Child K” instead" in first.content.decode()
    assert not Notice.objects.exists()
    assert client.post(url(unnotified, "serious_incident"), {**form, "save_anyway": "on"}).status_code == 302
    assert Notice.objects.count() == 1
