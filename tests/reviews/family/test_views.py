"""The family's involvement: the coordinator records it (checked, audited, identity-checked), the
chair reads it, other roles get a 403 and those without a role a 404; the publication step's
selector reads the date the family saw the report."""

from __future__ import annotations

import html
import uuid
from datetime import date

import pytest
from django.urls import reverse

from reviews.models import FamilyInvolvement, FamilyMeeting
from reviews.selectors.family import family_involvement
from reviews.services.review import review_advance
from reviews.services.subjects import SubjectData, subject_add
from workflows.models import AuditEvent


def parts(name: str, value: date) -> dict[str, str]:
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


def url(review) -> str:
    return reverse("reviews:family", args=[review.reference])


RECORD = {
    **parts("told_on", date(2026, 3, 5)),
    "told_by": "The chair",
    "told_how": "letter",
    **parts("views_sought_on", date(2026, 3, 10)),
    **parts("views_given_on", date(2026, 3, 24)),
    "views_note": "Mother asked that the review look at the health visiting service.",
}


def test_the_coordinator_records_and_the_chair_reads(client, review, coordinator, chair, today):
    today.set(date(2026, 4, 1))
    client.force_login(coordinator)
    assert family_involvement(review) is None

    response = client.post(url(review), RECORD)

    assert response.status_code == 302
    record = family_involvement(review)
    assert record is not None and record.saw_report_on is None
    assert (record.told_on, record.told_by, record.told_how) == (date(2026, 3, 5), "The chair", "letter")
    event = AuditEvent.objects.get(verb="review.family_involvement_recorded")
    assert event.detail["changes"]["told_on"] == [None, "2026-03-05"]
    assert "views_note" not in event.detail["changes"]  # what the family said stays out of the audit

    client.force_login(chair)
    page = client.get(url(review))
    text = html.unescape(page.content.decode())
    assert page.status_code == 200
    assert "5 March 2026, by letter, by The chair" in text
    assert "24 March 2026" in text and 'id="family-form"' not in text
    assert AuditEvent.objects.filter(verb="access.family", actor=chair).count() == 1


def test_the_date_the_family_saw_the_report_is_read_by_the_selector(client, review, coordinator, today):
    today.set(date(2026, 9, 1))
    client.force_login(coordinator)
    client.post(url(review), {**RECORD, **parts("saw_report_on", date(2026, 8, 14))})

    assert family_involvement(review).saw_report_on == date(2026, 8, 14)


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({**parts("told_on", date(2026, 3, 5))}, "told_by", "Say who told the family (a role, e.g. the chair)."),
        ({**parts("told_on", date(2026, 3, 5)), "told_by": "Chair"}, "told_how", "Say how the family was told."),
        (
            {"told_by": "Chair", "told_how": "phone"},
            "told_on",
            "Enter the date the family was told, or leave who and how empty.",
        ),
        (
            {**RECORD, **parts("views_given_on", date(2026, 3, 9))},
            "views_given_on",
            "The date they gave their views cannot be before they were sought.",
        ),
        (
            {**RECORD, **parts("saw_report_on", date(2026, 4, 2))},
            "saw_report_on",
            "The date they saw the report cannot be in the future.",
        ),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(
    client, review, coordinator, today, sent, field, message
):
    today.set(date(2026, 4, 1))
    client.force_login(coordinator)

    response = client.post(url(review), sent)

    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert response.context["form"].errors[field] == [message]
    assert not FamilyInvolvement.objects.exists()
    assert not AuditEvent.objects.filter(verb="review.family_involvement_recorded").exists()
    if "told_by" in sent:
        assert f'value="{sent["told_by"]}"' in response.content.decode()  # what was typed stays


def test_a_subjects_real_name_in_the_free_text_is_caught_before_saving(client, review, coordinator, today):
    today.set(date(2026, 4, 1))
    subject_add(
        actor=coordinator,
        review_id=review.pk,
        data=SubjectData(pseudonym="Mother M", date_of_birth=date(1998, 6, 1), full_name="Jolene Quarrington"),
    )
    client.force_login(coordinator)

    response = client.post(url(review), {**RECORD, "views_note": "Jolene Quarrington asked for a copy."})

    assert response.status_code in (200, 400)
    assert "Mother M" in html.unescape(response.content.decode())
    assert not FamilyInvolvement.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("panel_member", 403), ("police_lead", 403), ("scrutineer", 403), ("outsider", 404)]
)
def test_other_roles_are_refused_and_those_without_a_role_do_not_see_it(client, review, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url(review)).status_code == status
    assert client.post(url(review), RECORD).status_code == status
    assert client.get(reverse("reviews:family_meeting_add", args=[review.reference])).status_code == status
    assert not FamilyInvolvement.objects.exists()


def test_the_chair_may_not_record(client, review, chair):
    client.force_login(chair)
    response = client.post(url(review), RECORD)
    assert response.status_code == 403
    assert not FamilyInvolvement.objects.exists()


def test_a_meeting_with_the_family_is_recorded_once(client, review, coordinator, today):
    today.set(date(2026, 4, 1))
    client.force_login(coordinator)
    add = reverse("reviews:family_meeting_add", args=[review.reference])
    token = client.get(add).context["form"]["submission"].value()
    sent = {
        "submission": token,
        **parts("held_on", date(2026, 3, 20)),
        "attended": "Mother M; the chair",
        "note": "At home.",
    }

    first = client.post(add, sent)
    again = client.post(add, sent)

    meeting = FamilyMeeting.objects.get()
    assert first.status_code == again.status_code == 302
    assert (meeting.held_on, meeting.attended) == (date(2026, 3, 20), "Mother M; the chair")
    assert "20 March 2026" in client.get(url(review)).content.decode()
    refused = client.post(add, {**sent, "submission": str(uuid.uuid4()), **parts("held_on", date(2026, 4, 2))})
    assert "The date of the meeting cannot be in the future: record it once it has happened." in html.unescape(
        refused.content.decode()
    )
    assert FamilyMeeting.objects.count() == 1


def test_a_withdrawn_reviews_family_record_stands_as_it_was(client, review, coordinator, today):
    today.set(date(2026, 4, 1))
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="Not proceeding")
    client.force_login(coordinator)
    add = reverse("reviews:family_meeting_add", args=[review.reference])
    token = client.get(add).context["form"]["submission"].value()
    refused = client.post(
        add, {"submission": token, **parts("held_on", date(2026, 3, 20)), "attended": "Mother M", "note": ""}
    )
    assert refused.status_code == 409
    assert "is withdrawn (not proceeding): the family's involvement is no longer recorded." in html.unescape(
        refused.content.decode()
    )
    assert not FamilyMeeting.objects.exists()
