"""Every API error is RFC 9457 problem details, Django's own 404 for an unknown /api/ URL included;
pages elsewhere keep their HTML."""

from __future__ import annotations

from django.urls import reverse

PROBLEM = "application/problem+json"


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def test_an_unknown_api_url_is_a_problem_not_a_page(client, api_as, coordinator):
    _is_problem(client.get("/api/v1/no-such-thing/"), 404)
    body = _is_problem(api_as(coordinator).get("/api/v2/reviews/"), 404)
    assert "/api/v2" not in body["detail"]


def test_a_page_404_is_still_the_page(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_nul_in_an_api_query_is_a_400_problem(api_as, coordinator):
    _is_problem(api_as(coordinator).get(reverse("api_v1:reviews"), state="a\x00b"), 400)


def test_a_method_not_allowed_is_a_405_problem(api_as, coordinator):
    response = api_as(coordinator).client.delete(reverse("api_v1:reviews"), headers=api_as(coordinator).headers())
    _is_problem(response, 405)
    assert "GET" in response["Allow"]


def test_bad_fields_are_listed_by_field(api_as, coordinator, review):
    api = api_as(coordinator)
    response = api.post(reverse("api_v1:review_transition", args=[review.reference, "start_scoping"]), {})
    body = _is_problem(response, 400)
    assert body["type"] == "urn:review-engine:problem:validation"
    assert body["errors"] == {"expected_state": ["This field is required."]}
    filtered = _is_problem(api.get(reverse("api_v1:reviews"), state="nowhere", kind="x"), 400)
    assert set(filtered["errors"]) == {"state", "kind"}


def test_a_body_that_is_not_json_is_a_problem(api_as, coordinator, review):
    url = reverse("api_v1:review_transition", args=[review.reference, "start_scoping"])
    _is_problem(api_as(coordinator).post(url, raw="{not json"), 400)
    response = api_as(coordinator).client.post(
        url, data="a=b", content_type="text/plain", headers=api_as(coordinator).headers()
    )
    _is_problem(response, 415)


def test_too_many_requests_is_a_429_problem_with_retry_after(settings, api_as, coordinator):
    from django.core.cache import cache

    cache.clear()
    settings.API_THROTTLE_RATE = "2/minute"
    try:
        api = api_as(coordinator)
        other = api_as(coordinator)  # another token of the same user has a count of its own
        assert [api.get(reverse("api_v1:reviews")).status_code for _ in range(2)] == [200, 200]
        body = _is_problem(api.get(reverse("api_v1:reviews")), 429)
        assert int(api.get(reverse("api_v1:reviews"))["Retry-After"]) > 0
        assert "throttled" in body["detail"].lower()
        assert other.get(reverse("api_v1:reviews")).status_code == 200
    finally:
        cache.clear()


def test_a_crash_on_an_api_path_is_a_500_problem_and_a_page_elsewhere(rf):
    from api.problems import server_error

    crashed = server_error(rf.get("/api/v1/reviews/"))
    assert crashed.status_code == 500 and crashed["Content-Type"] == PROBLEM
    assert "Traceback" not in crashed.content.decode()
    page = server_error(rf.get("/reviews/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_errors_of_a_batch_are_listed_per_row():
    from rest_framework.exceptions import ValidationError

    from api.problems import exception_handler

    response = exception_handler(ValidationError([{}, {"date": ["Enter a real date."]}]), {})
    assert response.status_code == 400
    assert response.data["errors"] == [{}, {"date": ["Enter a real date."]}]
    single = exception_handler(ValidationError("Not now."), {})
    assert single.data["errors"] == {"non_field_errors": ["Not now."]}


def test_api_responses_are_never_stored_by_a_cache(api_as, coordinator):
    response = api_as(coordinator).get(reverse("api_v1:reviews"))
    assert "no-store" in response["Cache-Control"]
