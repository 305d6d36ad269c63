"""An agency lead's requests and a chair's reviews at scale (issue 12): a page at a time, saying how
many in all, work still to do first, and the same number of queries however many there are."""

from __future__ import annotations

import re
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import Ask, ContributionState, ReviewState, Role
from reviews.services.contributions import contribution_request
from tests.factories import advance_to, make_review
from ui.pagination import PAGE_SIZE


def get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def requests_for(partnership, coordinator, police, police_lead, chair, n: int) -> list:
    made = []
    for i in range(n):
        review = make_review(
            coordinator=coordinator,
            partnership=partnership,
            title=f"Child {i} (aged 3)",
            key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
            roles=[(chair, Role.CHAIR, None)],
        )
        advance_to(review, ReviewState.SCOPING, coordinator)
        made.append(
            contribution_request(
                actor=coordinator, review_id=review.pk, agency=police, lead=police_lead, asks=[Ask.CHRONOLOGY]
            )
        )
    return made


def test_my_requests_come_a_page_at_a_time_work_to_do_first(
    client, partnership, coordinator, police, police_lead, chair
):
    made = requests_for(partnership, coordinator, police, police_lead, chair, PAGE_SIZE + 2)
    # Two are with the coordinator already: they come after the work still to do.
    from reviews.models import AgencyContribution

    AgencyContribution.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(state=ContributionState.SUBMITTED)
    client.force_login(police_lead)

    first, queries_first = get(client, reverse("reviews:my_requests"))
    body = first.split('id="my-requests"')[1].split("<tbody")[1]
    assert len(re.findall(r'<tr class="govuk-table__row">', body)) == PAGE_SIZE
    assert f"{PAGE_SIZE + 2} requests, showing 1 to {PAGE_SIZE}" in first
    assert made[0].review.reference not in first  # submitted: on the last page

    last, queries_last = get(client, reverse("reviews:my_requests") + "?page=2")
    assert made[0].review.reference in last and made[1].review.reference in last
    assert queries_first == queries_last


def test_my_requests_cost_the_same_queries_for_3_or_12(client, partnership, coordinator, police, police_lead, chair):
    requests_for(partnership, coordinator, police, police_lead, chair, 3)
    client.force_login(police_lead)
    _, few = get(client, reverse("reviews:my_requests"))
    requests_for(partnership, coordinator, police, police_lead, chair, 9)
    html, many = get(client, reverse("reviews:my_requests"))
    assert "12 requests" in html
    assert few == many


def test_the_chair_s_page_comes_a_page_at_a_time(client, partnership, coordinator, police, police_lead, chair):
    requests_for(partnership, coordinator, police, police_lead, chair, PAGE_SIZE + 1)
    client.force_login(chair)
    first, queries_first = get(client, reverse("reviews:chair"))
    assert f"{PAGE_SIZE + 1} reviews, showing 1 to {PAGE_SIZE}" in first
    assert "Page 1 of 2" in first
    second, queries_second = get(client, reverse("reviews:chair") + "?page=2")
    assert f"showing {PAGE_SIZE + 1} to {PAGE_SIZE + 1}" in second
    assert queries_first == queries_second
