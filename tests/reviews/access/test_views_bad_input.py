"""What a user can type into an address bar: filters the pages ignore rather than fail on, a GET
on a POST-only step, and the navigation every page shows, costing one query for the user's roles."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import PanelInvitation, ReviewRole, ReviewState
from reviews.services.panels import panel_meeting_create
from reviews.services.review import review_advance
from tests.factories import advance_to
from tests.reviews.builders import add_action, signed_with_recommendation

# "²" passes str.isdigit() but int() refuses it; the huge number overflows a database integer.
UNREADABLE = ["%C2%B2", "99999999999999999999", "abc", "-1", ""]


@pytest.fixture
def tracking(drafting, coordinator, chair, police):
    recommendation = signed_with_recommendation(drafting, coordinator, chair, police)
    review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    add_action(recommendation, coordinator)
    return drafting


@pytest.mark.parametrize("agency", UNREADABLE)
def test_the_tracker_ignores_an_unreadable_agency_filter(client, tracking, coordinator, agency):
    client.force_login(coordinator)
    for name in ("action_tracker", "action_tracker_export"):
        response = client.get(f"{reverse(f'reviews:{name}')}?agency={agency}&rag=zzz&overdue=x")
        assert response.status_code == 200, name


@pytest.mark.parametrize("agency", UNREADABLE)
def test_the_chronology_ignores_an_unreadable_agency_filter_and_page(client, tracking, coordinator, agency):
    client.force_login(coordinator)
    ref = tracking.reference
    for name in ("chronology", "chronology_print", "chronology_export"):
        response = client.get(f"{reverse(f'reviews:{name}', args=[ref])}?agency={agency}&page={agency}")
        assert response.status_code == 200, name


def test_a_get_on_reopen_is_not_allowed_for_the_chair_and_refused_to_the_coordinator(
    client, tracking, chair, coordinator
):
    url = reverse("reviews:findings_reopen", args=[tracking.reference])
    client.force_login(chair)
    assert client.get(url).status_code == 405
    client.force_login(coordinator)
    assert client.post(url, {"reason": "A typo"}).status_code == 403


def test_an_agency_lead_is_offered_their_requests_and_actions_for_one_nav_query(client, review, police_lead):
    client.force_login(police_lead)
    client.get(reverse("reviews:dashboard"))  # warm the session and content types
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("reviews:dashboard")).content.decode()
    assert 'href="/my-requests/"' in html and 'href="/my-actions/"' in html
    table = ReviewRole._meta.db_table
    assert sum(1 for q in captured.captured_queries if f'FROM "{table}"' in q["sql"] and "DISTINCT" in q["sql"]) == 1


def test_a_coordinator_is_not_offered_my_requests(client, review, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("reviews:dashboard")).content.decode()
    assert 'href="/my-requests/"' not in html and 'href="/actions/"' in html


def test_an_agency_lead_sees_the_panels_once_invited_to_one_in_the_same_nav_query(
    client, review, partnership, coordinator, chair, police_lead, police
):
    panels = f'href="{reverse("reviews:panels")}"'
    client.force_login(police_lead)
    assert panels not in client.get(reverse("reviews:dashboard")).content.decode()
    advance_to(review, ReviewState.SCOPING, coordinator)
    panel_meeting_create(
        actor=coordinator,
        partnership=partnership,
        held_on=date(2026, 3, 16),
        chair=chair,
        members=[(police_lead, police)],
        review_ids=[review.pk],
    )
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("reviews:dashboard")).content.decode()
    assert panels in html
    # The invitation is read in the roles' query (a UNION), not in a query of its own.
    invitations = [q["sql"] for q in captured.captured_queries if PanelInvitation._meta.db_table in q["sql"]]
    assert len(invitations) == 1 and "UNION" in invitations[0]
