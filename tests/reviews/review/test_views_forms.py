"""Opening a review and recording its key dates through the forms. Adding subjects and granting roles:
tests/reviews/subjects/test_views.py and tests/reviews/roles/test_views.py."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from reviews.models import Review, ReviewKind, Subject, SubjectIdentity
from tests.reviews.pages import NEW, date_parts, open_data
from workflows.models import AuditEvent


def test_a_coordinator_opens_a_review(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.post(reverse(NEW), open_data(partnership, subject_nhs_number="943 476 5919"))
    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:review", args=[review.reference])
    assert review.kind == ReviewKind.RAPID
    assert review.became_aware_on == date(2026, 10, 1)
    assert review.roles.get().user == coordinator
    subject = review.subjects.get()
    assert (subject.pseudonym, subject.date_of_birth, subject.sex) == ("Child C", date(2022, 2, 3), "female")
    assert subject.identity.nhs_number == "9434765919"


def test_the_form_offers_only_partnerships_the_user_coordinates(client, coordinator, partnership, other_partnership):
    client.force_login(coordinator)
    html = client.get(reverse(NEW)).content.decode()
    assert partnership.name in html
    assert other_partnership.name not in html
    response = client.post(reverse(NEW), open_data(other_partnership))
    assert response.status_code == 400
    assert "Select a partnership you coordinate reviews for" in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message", "anchor"),
    [
        ({"subject_nhs_number": "1234567890"}, "This is not a valid NHS number", "#id_subject_nhs_number"),
        ({"subject_nhs_number": "12345"}, "An NHS number is 10 digits", "#id_subject_nhs_number"),
        (
            date_parts("incident_on", date(2021, 1, 1)),
            "The date of death or incident cannot be before the date of birth.",
            "#id_incident_on-day",
        ),
        ({"kind": ReviewKind.SAR}, "does not run safeguarding adults reviews", "#id_kind"),
        ({"title": ""}, "Enter a title for the review", "#id_title"),
        ({"became_aware_on-day": "31", "became_aware_on-month": "2"}, "must be a real date", "#id_became_aware_on-day"),
        ({"became_aware_on-year": ""}, "must include a year", "#id_became_aware_on-day"),
        (date_parts("became_aware_on", date(2099, 1, 1)), "This date is in the future.", "#id_became_aware_on-day"),
        ({"subject_pseudonym": "", "subject_full_name": "A Name"}, "Enter a pseudonym", "#id_subject_pseudonym"),
    ],
)
def test_bad_input_gets_a_specific_message_and_saves_nothing(
    client, coordinator, partnership, overrides, message, anchor
):
    partnership.review_kinds = [ReviewKind.RAPID, ReviewKind.CSPR]
    partnership.save()
    client.force_login(coordinator)
    response = client.post(reverse(NEW), open_data(partnership, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert f'<a href="{anchor}">' in html
    assert "<title>Error: " in html
    # Nothing saved, and what the user typed is still there.
    assert not Review.objects.exists()
    assert not Subject.objects.exists()
    assert not SubjectIdentity.objects.exists()
    assert not AuditEvent.objects.filter(verb="review.opened").exists()
    if overrides.get("title", "x"):
        assert 'value="Child C (aged 4)"' in html
    assert 'name="became_aware_on-month" type="text" inputmode="numeric" value="' in html


def test_key_dates_form_shows_only_the_dates_of_this_kind(client, review, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("reviews:review_dates", args=[review.reference])).content.decode()
    assert "The local authority became aware" in html
    # Its date is recorded with the notice itself (what happened, agencies, immediate actions).
    assert "notified_on" not in html
    assert 'name="became_aware_on-day" type="text" inputmode="numeric" value="2"' in html
    assert "Ofsted" not in html
    assert "LADO" not in html


def test_key_dates_for_a_child_death_review_use_its_words(client, coordinator, partnership):
    from tests.factories import make_review

    cdr = make_review(coordinator=coordinator, partnership=partnership, kind=ReviewKind.CHILD_DEATH)
    client.force_login(coordinator)
    html = client.get(reverse("reviews:review_dates", args=[cdr.reference])).content.decode()
    assert "The death was notified to the Child Death Overview Panel" in html
    assert "Date of death" in html
    # The 48-hour notification clock runs from when the notifying professional learnt of the death.
    assert "The notifying professional became aware of the death" in html
    assert "local authority became aware" not in html


def test_recording_a_key_date_updates_the_clocks(client, coordinator, partnership):
    from tests.factories import make_review

    review = make_review(
        coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": date(2026, 11, 2)}
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:review_dates", args=[review.reference]),
        {**date_parts("became_aware_on", date(2026, 11, 2)), **date_parts("decision_on", date(2026, 11, 4))},
        follow=True,
    )
    assert "Key dates saved." in response.content.decode()
    review.refresh_from_db()
    assert review.decision_on == date(2026, 11, 4)
    # Became aware Mon 2 Nov 2026: the notification is due 5 working days later, Mon 9 Nov.
    assert review.clocks.get(key="si_notification").due_date == date(2026, 11, 9)


def test_a_key_date_before_awareness_is_refused(client, review, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:review_dates", args=[review.reference]),
        {**date_parts("became_aware_on", date(2026, 3, 2)), **date_parts("decision_on", date(2026, 2, 1))},
    )
    assert response.status_code == 400
    assert "cannot be before the date the case became known" in response.content.decode()
    review.refresh_from_db()
    assert review.decision_on is None
