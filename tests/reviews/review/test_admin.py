"""The review admin: state read-only, steps as admin actions through the services, refusals that say
why; the partnership and review changelists; and a subject's identity for superusers only, audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from reviews.models import Review, ReviewClock, ReviewState
from tests.factories import CHILD_A, UserFactory, make_review
from workflows.models import AuditEvent, TransitionLog

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reviews_review_changelist")


def run_action(client, action: str, *reviews: Review):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [review.pk for review in reviews], "index": 0}, follow=True
    )


def shown_messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


@pytest.fixture
def staff_viewer(partnership):
    """Staff with model-level view permissions but no role on any review."""
    user = UserFactory(username="staff.viewer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="reviews", codename__in=["view_review", "view_subject"])
    )
    return user


def test_changelist_lists_reviews_with_their_state(admin_client, review):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert review.reference in response.content.decode()
    assert "Notification" in response.content.decode()


def test_review_page_shows_state_and_reference_but_cannot_edit_them(admin_client, review):
    response = admin_client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert review.reference in page
    assert 'name="state"' not in page and 'name="reference"' not in page
    assert 'name="_save"' not in page


def test_steps_that_need_a_reason_are_not_actions(admin_user, rf: RequestFactory):
    """Withdrawing, converting and closing ask for a reason (issue 12: never one click): they stay on
    the review page, behind its confirmation page."""
    request = rf.get(CHANGELIST)
    request.user = admin_user
    actions = admin.site._registry[Review].get_actions(request)
    assert "advance_start_scoping" in actions
    for name in ("withdraw", "convert_to_cspr", "close"):
        assert f"advance_{name}" not in actions
    assert "delete_selected" not in actions


def test_action_advances_the_review_through_the_service(admin_client, admin_user, review):
    response = run_action(admin_client, "advance_start_scoping", review)

    review.refresh_from_db()
    assert review.state == ReviewState.SCOPING
    log = TransitionLog.objects.get(object_id=review.pk, transition="start_scoping")
    assert (log.from_state, log.to_state, log.actor) == ("notification", "scoping", admin_user)
    assert ("success", f"{review.reference}: moved from Notification to Scoping.") in shown_messages(response)
    # The service also refreshed the clocks: the rapid review clock runs from the notification.
    assert ReviewClock.objects.get(review=review, key="rapid_review").due_date == date(2026, 3, 25)


def test_action_refused_by_a_condition_leaves_the_state_and_says_why(admin_client, coordinator, partnership):
    review = make_review(
        coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": date(2026, 3, 2)}
    )

    response = run_action(admin_client, "advance_start_scoping", review)

    review.refresh_from_db()
    assert review.state == ReviewState.NOTIFICATION
    assert not TransitionLog.objects.filter(object_id=review.pk).exists()
    [(level, text)] = shown_messages(response)
    assert level == "error"
    assert text.startswith(f"{review.reference}: {review.reference} cannot move on yet.")
    assert "record the serious incident notification sent to the national panel (under onward notices)." in text.lower()


def test_action_from_the_wrong_state_is_refused(admin_client, review):
    response = run_action(admin_client, "advance_start_action_tracking", review)
    review.refresh_from_db()
    assert review.state == ReviewState.NOTIFICATION
    [(level, text)] = shown_messages(response)
    assert level == "error" and "this step is not possible from there" in text


def test_staff_without_a_role_on_the_review_is_refused(client, staff_viewer, review):
    client.force_login(staff_viewer)
    response = run_action(client, "advance_start_scoping", review)
    review.refresh_from_db()
    assert review.state == ReviewState.NOTIFICATION
    [(level, text)] = shown_messages(response)
    assert level == "error"
    assert text == f"{review.reference}: You need the review coordinator's role on {review.reference} to start scoping."


def test_each_selected_review_is_reported_on_its_own(admin_client, review, coordinator, partnership):
    undated = make_review(coordinator=coordinator, partnership=partnership, title="Child G (aged 5)", key_dates={})

    response = run_action(admin_client, "advance_start_scoping", review, undated)

    review.refresh_from_db()
    undated.refresh_from_db()
    assert (review.state, undated.state) == (ReviewState.SCOPING, ReviewState.NOTIFICATION)
    levels = {text.split(":")[0]: level for level, text in shown_messages(response)}
    assert levels == {review.reference: "success", undated.reference: "error"}


@pytest.mark.parametrize(
    "model", ["partnership", "partnershipmember", "agency", "review", "reviewrole", "subject", "reviewclock"]
)
def test_changelists_load(admin_client, review, model):
    response = admin_client.get(reverse(f"admin:reviews_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["review", "reviewrole", "subject", "reviewclock"])
def test_service_written_rows_cannot_be_added_in_the_admin(admin_client, model):
    assert admin_client.get(reverse(f"admin:reviews_{model}_add")).status_code == 403


def test_clock_list_shows_each_clocks_status(admin_client, review):
    response = admin_client.get(reverse("admin:reviews_reviewclock_changelist"))
    page = response.content.decode()
    assert "met" in page  # the notification was sent within 5 working days
    assert "overdue" in page  # the 15 working days ran out on 25 March 2026
    assert "breached" not in page


def test_identity_is_shown_to_superusers_only_and_the_look_is_audited(
    admin_client, client, staff_viewer, partnership, coordinator
):
    from reviews.services.subjects import SubjectData

    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        subject=SubjectData(pseudonym="Child A", full_name="Ellie Marchbank", nhs_number="9434765919"),
    )
    subject = review.subjects.get()
    url = reverse("admin:reviews_subject_change", args=[subject.pk])

    assert "9434765919" in admin_client.get(url).content.decode()
    assert AuditEvent.objects.filter(verb="identity.viewed", object_id=review.pk).count() == 1

    client.force_login(staff_viewer)
    page = client.get(url).content.decode()
    assert "Child A" in page
    assert "9434765919" not in page and "Ellie Marchbank" not in page


def test_subject_search_never_matches_a_real_name(admin_client, coordinator, partnership):
    from reviews.services.subjects import SubjectData

    make_review(
        coordinator=coordinator,
        partnership=partnership,
        subject=SubjectData(pseudonym="Child A", full_name="Ellie Marchbank", nhs_number="9434765919"),
    )
    response = admin_client.get(reverse("admin:reviews_subject_changelist"), {"q": "Marchbank"})
    assert "Child A" not in response.content.decode()
    assert CHILD_A.pseudonym in admin_client.get(reverse("admin:reviews_subject_changelist")).content.decode()
