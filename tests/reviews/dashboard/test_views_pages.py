"""The dashboard at scale (issue 12): open reviews by default, a page at a time with how many in
all, the same number of queries for one page or several."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review, ReviewState
from tests.factories import make_review
from ui.pagination import PAGE_SIZE


def add_reviews(n: int, *, coordinator, partnership) -> list[Review]:
    aware = timezone.localdate() - timedelta(days=3)
    return [
        make_review(
            coordinator=coordinator,
            partnership=partnership,
            title=f"Case {i}",
            key_dates={"became_aware_on": aware, "notified_on": aware},
        )
        for i in range(n)
    ]


def dashboard(client, query: str = "") -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reviews:dashboard") + query)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def listed(html: str) -> int:
    return html.count('<a class="govuk-link" href="/reviews/NSCP-')


def test_the_dashboard_lists_open_reviews_a_page_at_a_time(client, coordinator, partnership):
    reviews = add_reviews(PAGE_SIZE + 5, coordinator=coordinator, partnership=partnership)
    # Finished reviews, set directly: the dashboard is under test, not the way to closing.
    Review.objects.filter(pk=reviews[0].pk).update(state=ReviewState.CLOSED)
    Review.objects.filter(pk=reviews[1].pk).update(state=ReviewState.WITHDRAWN, withdrawal_rationale="No")
    client.force_login(coordinator)

    html, first = dashboard(client)
    assert listed(html) == PAGE_SIZE
    assert f"{PAGE_SIZE + 3} open reviews, showing 1 to {PAGE_SIZE}" in html
    assert "Show all 55" in html and "Page 1 of 2" in html
    html, second = dashboard(client, "?page=2")
    assert listed(html) == 3
    assert reviews[0].reference not in html and reviews[1].reference not in html
    html, _ = dashboard(client, "?show=all&page=2")
    assert f"{PAGE_SIZE + 5} reviews, showing {PAGE_SIZE + 1} to {PAGE_SIZE + 5}" in html
    assert reviews[0].reference in html and reviews[1].reference in html  # the oldest, last
    assert first == second


def test_the_dashboard_costs_the_same_for_one_page_or_three(client, coordinator, partnership):
    add_reviews(3, coordinator=coordinator, partnership=partnership)
    client.force_login(coordinator)
    _, few = dashboard(client)
    add_reviews(2 * PAGE_SIZE + 10, coordinator=coordinator, partnership=partnership)
    html, many = dashboard(client)
    assert listed(html) == PAGE_SIZE
    assert many == few
