"""Every review URL is 404 to anyone without a role on the review, 403 to a role without the right."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from reviews.models import Review, ReviewState
from tests.factories import UserFactory, member
from workflows.models import TransitionLog


def review_urls(review: Review) -> dict[str, str]:
    subject = review.subjects.get()
    return {
        "review": reverse("reviews:review", args=[review.reference]),
        "transition": reverse("reviews:review_transition", args=[review.reference, "start_scoping"]),
        "withdraw": reverse("reviews:review_transition", args=[review.reference, "withdraw"]),
        "dates": reverse("reviews:review_dates", args=[review.reference]),
        "subject_add": reverse("reviews:subject_add", args=[review.reference]),
        "identity": reverse("reviews:subject_identity", args=[review.reference, subject.pk]),
        "roles": reverse("reviews:review_roles", args=[review.reference]),
    }


URL_NAMES = ["review", "transition", "withdraw", "dates", "subject_add", "identity", "roles"]
POST_DATA = {
    "expected_state": ReviewState.NOTIFICATION,
    "reason": "Testing",
    "pseudonym": "Child Z",
    "notified_on-day": "5",
    "notified_on-month": "3",
    "notified_on-year": "2026",
    "role": "chair",
}


@pytest.fixture
def member_without_role(partnership):
    return member(UserFactory(username="no.role"), partnership)


@pytest.fixture
def superuser_without_role(partnership):
    # Global permissions never open a review: only a role on it does.
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.mark.parametrize("who", ["outsider", "member_without_role", "second_coordinator", "superuser_without_role"])
@pytest.mark.parametrize("url_name", URL_NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anyone_without_a_role_gets_404_on_every_review_url(client, review, request, who, url_name, method):
    client.force_login(request.getfixturevalue(who))
    before = Review.objects.values_list("state", "notified_on").get(pk=review.pk)
    subjects_before = review.subjects.count()

    response = getattr(client, method)(review_urls(review)[url_name], POST_DATA if method == "post" else None)

    assert response.status_code == 404
    assert review.reference not in response.content.decode()
    assert Review.objects.values_list("state", "notified_on").get(pk=review.pk) == before
    assert review.subjects.count() == subjects_before
    assert not TransitionLog.objects.filter(object_id=review.pk).exists()


def test_an_unknown_reference_is_404_like_a_forbidden_one(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("reviews:review", args=["NSCP-RR-2026-999"])).status_code == 404


@pytest.mark.parametrize("url_name", URL_NAMES)
def test_signed_out_visitors_are_sent_to_sign_in(client, review, url_name):
    url = review_urls(review)[url_name]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_and_open_review_need_sign_in(client, db):
    for url in (reverse("reviews:dashboard"), reverse("reviews:review_new")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["chair", "panel_member", "police_lead", "scrutineer"])
@pytest.mark.parametrize("url_name", ["dates", "subject_add", "identity"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_role_without_coordination_gets_403_on_coordinator_pages(client, review, request, who, url_name, method):
    client.force_login(request.getfixturevalue(who))
    response = getattr(client, method)(review_urls(review)[url_name], POST_DATA if method == "post" else None)
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.notified_on.isoformat() == "2026-03-04"
    assert review.subjects.count() == 1


@pytest.mark.parametrize("who", ["chair", "police_lead", "scrutineer"])
def test_a_role_without_coordination_cannot_take_a_step(client, review, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(review_urls(review)["transition"], {"expected_state": ReviewState.NOTIFICATION})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.state == ReviewState.NOTIFICATION


def test_a_role_without_coordination_cannot_grant_roles(client, review, chair, gp_lead):
    client.force_login(chair)
    response = client.post(review_urls(review)["roles"], {"user": gp_lead.pk, "role": "panel_member"})
    assert response.status_code == 403
    assert not review.roles.filter(user=gp_lead, role="panel_member").exists()


def test_a_transition_get_is_not_allowed_for_those_with_a_role(client, review, coordinator):
    client.force_login(coordinator)
    assert client.get(review_urls(review)["transition"]).status_code == 405


def test_an_unknown_step_is_404(client, review, coordinator):
    client.force_login(coordinator)
    url = reverse("reviews:review_transition", args=[review.reference, "delete"])
    assert client.post(url, {"expected_state": ReviewState.NOTIFICATION}).status_code == 404


def test_only_partnership_coordinators_may_open_reviews(client, chair, coordinator):
    client.force_login(chair)
    assert client.get(reverse("reviews:review_new")).status_code == 403
    assert "Open a review" not in client.get(reverse("reviews:dashboard")).content.decode()
    client.force_login(coordinator)
    assert client.get(reverse("reviews:review_new")).status_code == 200
    assert "Open a review" in client.get(reverse("reviews:dashboard")).content.decode()


def refusal_shown(response) -> str:
    """The 403 page's message, as the user reads it."""
    assert response.status_code == 403
    return unescape(response.content.decode())


@pytest.mark.parametrize(
    ("who", "url_name", "missing", "doing"),
    [
        ("scrutineer", "dates", "the review coordinator's role", "record key dates"),
        ("chair", "subject_add", "the review coordinator's role", "add a subject"),
        ("police_lead", "identity", "the review coordinator's role", "see who a subject is"),
    ],
)
def test_a_refusal_names_the_role_that_is_missing(client, review, request, who, url_name, missing, doing):
    client.force_login(request.getfixturevalue(who))
    shown = refusal_shown(client.get(review_urls(review)[url_name]))
    assert f"You need {missing} on {review.reference} to {doing}." in shown
    assert "Only the review coordinator" not in shown


def test_the_chair_s_refusals_name_the_chair(client, review, coordinator):
    # Case detail first (the coordinator has it), then the chair's own step.
    client.force_login(coordinator)
    shown = refusal_shown(client.post(reverse("reviews:findings_reopen", args=[review.reference]), {"reason": "x"}))
    assert f"You need the chair's role on {review.reference} to reopen the findings." in shown


def test_a_scrutineer_is_told_which_roles_read_case_detail(client, review, scrutineer):
    client.force_login(scrutineer)
    for name, doing in (("findings", "read the findings"), ("chronology", "read the merged chronology")):
        shown = refusal_shown(client.get(reverse(f"reviews:{name}", args=[review.reference])))
        roles = (
            "the review coordinator's, the chair's, a panel member's, an agency lead's "
            "or the partnership's business manager's role"
        )
        assert f"You need {roles} on {review.reference} to {doing}." in shown


def test_opening_a_review_names_the_standing_needed(client, chair):
    client.force_login(chair)
    shown = refusal_shown(client.get(reverse("reviews:review_new")))
    assert "You need to be a review coordinator of a partnership to open a review." in shown
