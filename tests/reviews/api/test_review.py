"""Reviews over the API: the list (the user's own, filtered, cursor pages, constant queries), one
review (logged as the page is), and steps (200, 409 stale or blocked with reasons, 404/403 as the
page)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from reviews.models import Review, ReviewKind, ReviewState
from tests.factories import make_review
from workflows.models import AuditEvent, TransitionLog


def _step(review, name: str) -> str:
    return reverse("api_v1:review_transition", args=[review.reference, name])


def test_the_list_holds_the_users_reviews_only(api_as, coordinator, outsider, review):
    listed = api_as(coordinator).get(reverse("api_v1:reviews")).json()
    assert [row["reference"] for row in listed["results"]] == [review.reference]
    assert listed["results"][0] == {
        "reference": review.reference,
        "title": review.title,
        "kind": "rapid_review",
        "kind_label": "Rapid review",
        "state": "notification",
        "state_label": "Notification",
        "partnership": review.partnership.code,
    }
    assert api_as(outsider).get(reverse("api_v1:reviews")).json()["results"] == []


def test_the_list_filters_by_state_and_kind(api_as, coordinator, partnership, review, scoping):
    cspr = make_review(coordinator=coordinator, partnership=partnership, kind=ReviewKind.CSPR, title="Child B")
    api = api_as(coordinator)

    def refs(**filters):
        return {row["reference"] for row in api.get(reverse("api_v1:reviews"), **filters).json()["results"]}

    assert refs() == {review.reference, cspr.reference}
    assert refs(state="scoping") == {review.reference}
    assert refs(kind="cspr") == {cspr.reference}
    assert refs(state="scoping", kind="cspr") == set()


def test_the_list_pages_with_a_cursor_at_constant_queries(api_as, coordinator, partnership, django_assert_num_queries):
    api = api_as(coordinator)
    url = reverse("api_v1:reviews")
    for n in range(3):
        make_review(coordinator=coordinator, partnership=partnership, title=f"Child {n}")
    api.get(url)  # the token's last use is written once a minute: not counted below
    with django_assert_num_queries(2) as few:  # the token (with its user), the page
        small = api.get(url, page_size=10).json()
    for n in range(3, 15):
        make_review(coordinator=coordinator, partnership=partnership, title=f"Child {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        first = api.get(url, page_size=10).json()
    assert len(small["results"]) == 3 and len(first["results"]) == 10
    second = api.client.get(first["next"], headers=api.headers()).json()
    seen = [r["reference"] for r in first["results"]] + [r["reference"] for r in second["results"]]
    assert len(seen) == len(set(seen)) == Review.objects.count() == 15
    assert second["next"] is None


def test_one_review_with_clocks_and_the_steps_the_user_may_take(api_as, coordinator, scoping):
    body = api_as(coordinator).get(reverse("api_v1:review", args=[scoping.reference])).json()
    assert body["state"] == "scoping"
    assert {step["name"] for step in body["steps"]} == {"request_submissions", "withdraw"}
    assert body["blocked_steps"] == [
        {
            "name": "convert_to_cspr",
            "label": body["blocked_steps"][0]["label"],
            "target": body["blocked_steps"][0]["target"],
            "needs_reason": True,
            "reasons": ["Record the date of the partners' decision to initiate a local review."],
        }
    ]
    assert body["clocks"] and {"key", "status", "due_date", "days_left_text"} <= set(body["clocks"][0])


def test_a_role_without_steps_sees_none(api_as, scrutineer, scoping):
    body = api_as(scrutineer).get(reverse("api_v1:review", args=[scoping.reference])).json()
    assert body["steps"] == [] and body["blocked_steps"] == []


def test_reading_a_review_is_logged_as_the_page_is(api_as, police_lead, review):
    api_as(police_lead).get(reverse("api_v1:review", args=[review.reference]))
    event = AuditEvent.objects.get(verb="access.review")
    assert event.actor == police_lead and event.object_id == review.pk
    assert event.detail["page"] == reverse("api_v1:review", args=[review.reference])


def test_a_refused_read_is_not_logged_and_is_404(api_as, outsider, review):
    response = api_as(outsider).get(reverse("api_v1:review", args=[review.reference]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(verb="access.review").exists()


def test_a_step_is_taken(api_as, coordinator, review):
    response = api_as(coordinator).post(_step(review, "start_scoping"), {"expected_state": "notification"})
    assert response.status_code == 200
    assert response.json()["state"] == "scoping"
    assert Review.objects.get(pk=review.pk).state == ReviewState.SCOPING
    assert TransitionLog.objects.filter(object_id=review.pk, transition="start_scoping", actor=coordinator).exists()


def test_a_stale_state_is_409_with_the_stage_now(api_as, coordinator, scoping):
    response = api_as(coordinator).post(_step(scoping, "start_scoping"), {"expected_state": "notification"})
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "urn:review-engine:problem:stale-state"
    assert body["state"] == "scoping" and "nothing was changed" in body["detail"]
    assert isinstance(body["reasons"], list)


def test_a_blocked_step_is_409_with_the_reasons(api_as, coordinator, scoping):
    response = api_as(coordinator).post(
        _step(scoping, "convert_to_cspr"), {"expected_state": "scoping", "reason": "Partners agreed."}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "urn:review-engine:problem:blocked"
    assert body["reasons"] == ["Record the date of the partners' decision to initiate a local review."]
    assert Review.objects.get(pk=scoping.pk).state == ReviewState.SCOPING


def test_a_blocked_step_goes_once_its_condition_is_met(api_as, coordinator, scoping):
    Review.objects.filter(pk=scoping.pk).update(decision_on=date(2026, 3, 20))
    response = api_as(coordinator).post(
        _step(scoping, "convert_to_cspr"), {"expected_state": "scoping", "reason": "Partners agreed."}
    )
    assert response.status_code == 200, response.json()


def test_an_unknown_step_is_404_and_no_role_is_404_as_the_page(api_as, coordinator, outsider, chair, review):
    assert api_as(coordinator).post(_step(review, "fly"), {"expected_state": "notification"}).status_code == 404
    hidden = api_as(outsider).post(_step(review, "start_scoping"), {"expected_state": "notification"})
    assert hidden.status_code == 404 and review.reference not in hidden.content.decode()
    denied = api_as(chair).post(_step(review, "start_scoping"), {"expected_state": "notification"})
    assert denied.status_code == 403 and "coordinator" in denied.json()["detail"]
    assert Review.objects.get(pk=review.pk).state == ReviewState.NOTIFICATION
