"""The tracker and "My actions" at scale (issue 12): a page at a time with how many in all, work
still to do first, the RAG filter read in the database (and agreeing with Action.rag), and the
same number of queries however many actions there are."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import Action, ActionState, ClosureDay
from reviews.selectors.actions import amber_until_by_partnership, rag_expression
from reviews.services.review import review_advance
from tests.reviews.builders import add_action, signed_with_recommendation
from ui.pagination import PAGE_SIZE


@pytest.fixture
def tracking(drafting, coordinator, chair, police):
    recommendation = signed_with_recommendation(drafting, coordinator, chair, police)
    review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    return recommendation


def add_actions(recommendation, coordinator, n: int, *, state: str = ActionState.OPEN) -> None:
    """``n`` more actions, written directly (the pages are under test, not the service), after one
    open action made through the service."""
    first = Action.objects.filter(recommendation=recommendation).first() or add_action(recommendation, coordinator)
    start = Action.objects.filter(recommendation=recommendation).count() + 1
    today = timezone.localdate()
    Action.objects.bulk_create(
        Action(
            recommendation=recommendation,
            review_id=first.review_id,
            number=start + i,
            description=f"Action {i}",
            owner_agency_id=first.owner_agency_id,
            owner_role="Head of safeguarding",
            due_date=today + timedelta(days=(i * 3) % 40 - 10),
            success_measure="Audit",
            state=state,
            evidence="Records" if state in (ActionState.COMPLETED, ActionState.VERIFIED) else "",
            created_by=coordinator,
        )
        for i in range(n)
    )


def rows_on(html: str) -> int:
    return len(re.findall(r'<tr class="govuk-table__row" id="action-\d+"', html))


def get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_the_tracker_shows_a_page_at_a_time_and_says_how_many(client, tracking, coordinator):
    add_actions(tracking, coordinator, PAGE_SIZE + 9)  # and the first
    add_actions(tracking, coordinator, 5, state=ActionState.VERIFIED)
    client.force_login(coordinator)
    html, _ = get(client, reverse("reviews:action_tracker"))
    assert rows_on(html) == PAGE_SIZE
    assert f"{PAGE_SIZE + 10} actions, showing 1 to {PAGE_SIZE}" in html
    assert f"{PAGE_SIZE + 10} of the {PAGE_SIZE + 15} matching these filters still to do" in html
    assert "Page 1 of 2" in html
    html, _ = get(client, reverse("reviews:action_tracker") + "?page=2")
    assert rows_on(html) == 10
    # The settled ones are a filter away, after the work still to do.
    html, _ = get(client, reverse("reviews:action_tracker") + "?show=all&page=2")
    assert rows_on(html) == 15 and "Verified" in html.split('id="action-count"')[1]
    assert "show=all" in html  # the links to the other pages keep the filters


def test_the_tracker_costs_the_same_queries_for_one_page_or_several(client, tracking, coordinator):
    client.force_login(coordinator)
    add_actions(tracking, coordinator, 5)
    _, few = get(client, reverse("reviews:action_tracker"))
    add_actions(tracking, coordinator, 3 * PAGE_SIZE)
    html, many = get(client, reverse("reviews:action_tracker"))
    assert rows_on(html) == PAGE_SIZE
    assert many == few
    _, filtered = get(client, reverse("reviews:action_tracker") + "?rag=amber&page=2")
    assert filtered == few


def test_the_rag_read_in_the_database_agrees_with_action_rag(tracking, coordinator, partnership):
    """Due dates either side of today and of the amber edge, which a closure day moves."""
    today = date(2026, 12, 1)
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 12, 4), reason="Closed")
    add_actions(tracking, coordinator, 29)
    states = [ActionState.OPEN, ActionState.IN_PROGRESS, ActionState.COMPLETED, ActionState.CLOSED_NOT_IMPLEMENTED]
    for i, action in enumerate(Action.objects.filter(review=tracking.findings.review).order_by("id")):
        state = states[i % len(states)]
        Action.objects.filter(pk=action.pk).update(
            due_date=today + timedelta(days=i - 5),
            state=state,
            evidence="Done" if state == ActionState.COMPLETED else "",
            not_implemented_reason="Dropped" if state == ActionState.CLOSED_NOT_IMPLEMENTED else "",
        )
    amber_until = amber_until_by_partnership([partnership], today)
    actions = Action.objects.filter(review=tracking.findings.review).select_related("review__partnership")
    in_sql = dict(actions.annotate(rag_value=rag_expression(amber_until, today)).values_list("pk", "rag_value"))
    in_python = {
        a.pk: a.rag(today, a.review.partnership) for a in actions.prefetch_related("review__partnership__closure_days")
    }
    assert in_sql == in_python
    assert {"red", "amber", "green", ""} <= set(in_python.values())


def test_my_actions_pages_work_still_to_do_first(client, tracking, coordinator, police_lead):
    add_actions(tracking, coordinator, 10, state=ActionState.VERIFIED)
    add_actions(tracking, coordinator, PAGE_SIZE + 4)  # and the first
    client.force_login(police_lead)
    html, few = get(client, reverse("reviews:my_actions"))
    assert rows_on(html) == PAGE_SIZE
    assert f"{PAGE_SIZE + 15} actions, showing 1 to {PAGE_SIZE}" in html
    assert "Verified" not in html.split('id="actions"')[1]
    html, many = get(client, reverse("reviews:my_actions") + "?page=2")
    assert rows_on(html) == 15 and "Verified" in html
    add_actions(tracking, coordinator, 2 * PAGE_SIZE)
    _, more = get(client, reverse("reviews:my_actions"))
    assert few == many == more
