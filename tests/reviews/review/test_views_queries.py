"""The review page costs the same number of queries however many clocks the review has."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import ClosureDay, ReviewClock


def _page_queries(client, review) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reviews:review", args=[review.reference]))
    assert response.status_code == 200
    return len(queries)


def test_the_review_page_reads_closure_days_once_whatever_the_clocks(client, review, coordinator, partnership):
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 12, 29))
    client.force_login(coordinator)
    clock = {
        "basis": "statute",
        "start_event": "became_aware_on",
        "start_date": date(2026, 3, 2),
        "duration": 15,
        "unit": "working_days",
        "calendar": "local",  # the closure days are read for it
    }
    ReviewClock.objects.create(review=review, key="extra-1", label="Extra 1", due_date=date(2026, 3, 23), **clock)
    few = _page_queries(client, review)
    for n in range(2, 6):
        ReviewClock.objects.create(
            review=review, key=f"extra-{n}", label=f"Extra {n}", due_date=date(2026, 3, 23), **clock
        )
    assert _page_queries(client, review) == few
