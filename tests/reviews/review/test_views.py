"""The review page: what each role sees, the steps offered, and taking them."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import Review, ReviewKind, ReviewState, Role
from reviews.services.review import review_advance, review_record_key_dates
from reviews.services.subjects import SubjectData
from tests.factories import make_review
from workflows.models import AuditEvent, TransitionLog

FULL_NAME = "Jordan Quillfeather"
NHS_NUMBER = "9434765919"


def page(client: Client, review: Review) -> str:
    response = client.get(reverse("reviews:review", args=[review.reference]))
    assert response.status_code == 200
    return response.content.decode()


def transition_url(review: Review, name: str) -> str:
    return reverse("reviews:review_transition", args=[review.reference, name])


@pytest.fixture
def identified_review(coordinator, chair, scrutineer, police_lead, police, partnership):
    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
        subject=SubjectData(
            pseudonym="Child B",
            date_of_birth=date(2023, 6, 1),
            full_name=FULL_NAME,
            nhs_number=NHS_NUMBER,
            address="1 Example Row, Northbridge",
        ),
        roles=[(chair, Role.CHAIR, None), (scrutineer, Role.SCRUTINEER, None), (police_lead, Role.AGENCY_LEAD, police)],
    )


@pytest.mark.parametrize("who", ["coordinator", "chair", "police_lead", "scrutineer"])
def test_the_review_page_never_shows_a_subjects_identity(client, identified_review, request, who):
    client.force_login(request.getfixturevalue(who))
    html = page(client, identified_review)
    assert FULL_NAME not in html
    assert NHS_NUMBER not in html
    assert "943 476 5919" not in html
    assert "Example Row" not in html
    dashboard = client.get(reverse("reviews:dashboard")).content.decode()
    assert FULL_NAME not in dashboard and NHS_NUMBER not in dashboard


def test_coordinators_see_the_identity_on_its_own_page_only(client, identified_review, coordinator):
    client.force_login(coordinator)
    html = page(client, identified_review)
    subject = identified_review.subjects.get()
    identity_url = reverse("reviews:subject_identity", args=[identified_review.reference, subject.pk])
    assert identity_url in html
    identity_page = client.get(identity_url).content.decode()
    assert FULL_NAME in identity_page
    assert "943 476 5919" in identity_page
    # Every reading of an identity is attributable.
    viewed = AuditEvent.objects.get(verb="access.identity")
    assert viewed.actor == coordinator
    assert viewed.detail == {"page": identity_url, "pseudonym": "Child B"}


@pytest.mark.parametrize("who", ["chair", "police_lead", "scrutineer"])
def test_others_with_a_role_are_refused_the_identity_page(client, identified_review, request, who):
    client.force_login(request.getfixturevalue(who))
    subject = identified_review.subjects.get()
    response = client.get(reverse("reviews:subject_identity", args=[identified_review.reference, subject.pk]))
    assert response.status_code == 403
    assert FULL_NAME not in response.content.decode()
    assert "Identity" not in page(client, identified_review).split('<h2 class="govuk-heading-m" id="history">')[0]


def test_a_subject_of_another_review_is_404_on_the_identity_page(client, identified_review, review, coordinator):
    client.force_login(coordinator)
    other_subject = review.subjects.get()
    url = reverse("reviews:subject_identity", args=[identified_review.reference, other_subject.pk])
    assert client.get(url).status_code == 404


def test_the_coordinator_sees_stage_clocks_subjects_key_dates_roles_and_the_steps(client, review, coordinator):
    client.force_login(coordinator)
    html = page(client, review)
    assert "Notification" in html
    assert "Rapid review completed and sent to the Panel" in html
    assert "statute or national guidance" in html
    assert "Child A" in html
    assert "2 March 2026" in html  # became aware, in the key dates
    assert "Chair / independent reviewer" in html
    assert 'action="' + transition_url(review, "start_scoping") + '"' in html
    assert 'name="expected_state" value="notification"' in html
    # Only a rapid review converts, and not from notification: nothing about it here.
    assert "Convert into a local CSPR" not in html


def test_a_scrutineer_sees_progress_but_not_case_detail(client, identified_review, scrutineer):
    review = identified_review
    client.force_login(scrutineer)
    html = page(client, review)
    assert "Notification" in html
    assert "Rapid review completed and sent to the Panel" in html
    assert 'id="history"' in html
    assert "Child B" not in html  # the subject's pseudonym
    assert "2 March 2026" not in html  # the date the case became known
    assert 'id="key-dates"' not in html
    assert 'id="subjects"' not in html
    assert "<button" not in html.split('id="next-steps"')[1].split('id="clocks"')[0]
    assert "Only the review coordinator can start scoping." in html


def test_a_chair_sees_case_detail_but_no_buttons(client, review, chair):
    client.force_login(chair)
    html = page(client, review)
    assert "Child A" in html
    assert transition_url(review, "start_scoping") not in html
    assert "Only the review coordinator can start scoping." in html
    assert "Record key dates" not in html


def test_blocked_steps_show_each_reason(client, coordinator, partnership):
    review = make_review(
        coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": date(2026, 3, 2)}, subject=None
    )
    client.force_login(coordinator)
    html = page(client, review)
    assert "Start scoping: not possible yet" in html
    assert "Add at least one subject (for example &#x27;Child A&#x27;) before moving on." in html
    assert "Record the serious incident notification sent to the national" in html
    assert transition_url(review, "start_scoping") not in html
    # Withdrawal has no conditions, so it is offered with its rationale box.
    assert transition_url(review, "withdraw") in html


def test_posting_a_blocked_step_is_refused_with_its_reasons(client, coordinator, partnership):
    review = make_review(coordinator=coordinator, partnership=partnership, subject=None)
    client.force_login(coordinator)
    response = client.post(transition_url(review, "start_scoping"), {"expected_state": "notification"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "This step was not taken" in html
    assert "cannot move on yet" in html
    assert "Add at least one subject" in html
    review.refresh_from_db()
    assert review.state == ReviewState.NOTIFICATION


def test_the_coordinator_starts_scoping_and_the_history_shows_it(client, review, coordinator):
    client.force_login(coordinator)
    response = client.post(transition_url(review, "start_scoping"), {"expected_state": "notification"}, follow=True)
    html = response.content.decode()
    assert "is now at Scoping" in html
    assert "Notification → Scoping" in html
    review.refresh_from_db()
    assert review.state == ReviewState.SCOPING
    log = TransitionLog.objects.get(object_id=review.pk)
    assert log.actor == coordinator


def test_withdrawing_without_a_rationale_changes_nothing(client, review, coordinator):
    client.force_login(coordinator)
    response = client.post(transition_url(review, "withdraw"), {"expected_state": "notification", "reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert '<a href="#id_reason">Give the reason for not proceeding</a>' in html
    assert "govuk-textarea--error" in html
    review.refresh_from_db()
    assert review.state == ReviewState.NOTIFICATION
    assert review.withdrawal_rationale == ""
    assert not TransitionLog.objects.filter(object_id=review.pk).exists()


def test_withdrawing_with_a_rationale_records_it(client, review, coordinator):
    client.force_login(coordinator)
    reason = "Partners agreed the threshold for a review is not met."
    response = client.post(
        transition_url(review, "withdraw"), {"expected_state": "notification", "reason": reason}, follow=True
    )
    assert reason in response.content.decode()
    review.refresh_from_db()
    assert review.state == ReviewState.WITHDRAWN
    assert review.withdrawal_rationale == reason


def test_a_stale_page_is_refused_with_a_clear_message(client, review, coordinator):
    client.force_login(coordinator)
    # Someone else moves the review after this user loaded the page at notification.
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    response = client.post(
        transition_url(review, "withdraw"), {"expected_state": "notification", "reason": "Not needed"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "has already moved to Scoping since you loaded the page; nothing was changed." in html
    review.refresh_from_db()
    assert review.state == ReviewState.SCOPING
    assert review.withdrawal_rationale == ""


def test_a_step_without_csrf_token_is_refused(review, coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(transition_url(review, "start_scoping"), {"expected_state": "notification"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.state == ReviewState.NOTIFICATION


def test_converting_a_rapid_review_opens_the_cspr_with_the_whole_history(client, review, coordinator, scrutineer):
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": date(2026, 3, 20)})
    client.force_login(coordinator)
    assert "Convert into a local CSPR" in page(client, review)

    # The button leads to a confirmation page that says what will happen and asks why (issue 12).
    confirm = client.post(transition_url(review, "convert_to_cspr"), {"expected_state": "scoping"})
    assert confirm.status_code == 200
    assert "Convert into a local CSPR?" in confirm.content.decode()
    assert "will be closed, and a local child safeguarding practice review opened from it" in confirm.content.decode()
    assert not Review.objects.filter(converted_from=review).exists()
    data = {"expected_state": "scoping", "confirmed": "yes"}
    response = client.post(transition_url(review, "convert_to_cspr"), data)
    assert response.status_code == 400
    assert "Give the reason for converting the rapid review" in response.content.decode()
    assert not Review.objects.filter(converted_from=review).exists()

    response = client.post(transition_url(review, "convert_to_cspr"), {**data, "reason": "Panel decided: CSPR."})
    cspr = Review.objects.get(converted_from=review)
    assert cspr.kind == ReviewKind.CSPR
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:review", args=[cspr.reference])

    html = page(client, cspr)
    assert f"was converted into {cspr.reference}" in html
    assert "Notification → Scoping" in html  # taken on the rapid review
    # The conversion reads as one, with its reason (it read "Scoping → Closed –").
    assert f"Converted into a local CSPR: {cspr.reference} (from scoping)" in html
    assert "Scoping → Closed" not in html
    assert "Panel decided: CSPR." in html
    assert f"on {review.reference}" in html
    assert review.reference in html  # "Converted from"
    rapid_html = page(client, review)
    assert cspr.reference in rapid_html  # "Converted into"
    # The scrutineer's role came across, so the CSPR is on their dashboard too.
    client.force_login(scrutineer)
    assert cspr.reference in client.get(reverse("reviews:dashboard")).content.decode()
