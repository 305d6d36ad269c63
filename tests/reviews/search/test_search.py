"""Search: nothing a user may not read (an outsider, another agency's lead, a review-level scrutineer
for case text), PostgreSQL full-text matching of stems and ranking, the filters, bad input, and a
constant number of queries per page. The world (tests/reviews/world.py): a rapid review whose
findings are tagged Neglect and Domestic abuse, with a police and a GP recommendation and action."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models.findings import Findings
from reviews.selectors.search import SearchFilters, SearchResults, What, full_text, search
from tests.reviews.world import IDENTITY_STRINGS

pytestmark = pytest.mark.skipif(not full_text(), reason="full-text search runs on PostgreSQL")


def found(user, words: str, **filters) -> list[dict]:
    rows = list(search(user, SearchFilters(words=words, **filters)))
    # The page's count (SearchResults, unranked) is always the number of ranked rows.
    assert SearchResults(user, SearchFilters(words=words, **filters)).count() == len(rows)
    return rows


def kinds(rows: list[dict]) -> set[str]:
    return {row["s_what"] for row in rows}


def test_the_coordinator_finds_every_kind_of_text(world):
    coordinator = world.users["coordinator"]
    rows = found(coordinator, "bruising")
    assert kinds(rows) == {What.LEARNING, What.RECOMMENDATION, What.ACTION}
    assert {row["s_object"] for row in rows if row["s_what"] == What.ACTION} == {
        world.own["action_id"],
        world.other["action_id"],
    }
    assert kinds(found(coordinator, "pieces of the picture")) == {What.FINDINGS}
    assert kinds(found(coordinator, world.review.title.split()[0])) >= {What.REVIEW}


def test_an_outsider_and_a_partnership_member_find_nothing(world):
    for role in ("outsider", "partnership_member", "partnership_scrutineer", "partnership_admin"):
        assert found(world.users[role], "bruising") == [], role
        assert found(world.users[role], world.review.title) == [], role


def test_an_agency_lead_finds_their_own_agencys_actions_only(world):
    rows = found(world.users["agency_lead"], "protocol training")
    actions = {row["s_object"] for row in rows if row["s_what"] == What.ACTION}
    assert actions == {world.own["action_id"]}
    # The recommendations are case detail an agency lead reads (the findings page), both agencies'.
    assert {row["s_what"] for row in rows} == {What.ACTION, What.RECOMMENDATION}


def test_a_review_level_scrutineer_finds_titles_but_no_case_text(world):
    scrutineer = world.users["scrutineer"]
    for words in ("bruising", "pieces picture", "neglect", "audit referrals", "protocol training"):
        assert found(scrutineer, words) == [], words
    assert kinds(found(scrutineer, world.review.title)) == {What.REVIEW}


def test_the_business_manager_reads_case_text_but_no_action(world):
    rows = found(world.users["business_manager"], "bruising")
    assert kinds(rows) == {What.LEARNING, What.RECOMMENDATION}


def test_stems_match_and_results_come_best_first(world):
    coordinator = world.users["coordinator"]
    # "neglected" is stemmed to "neglect", the theme's word; "escalating" to "escal".
    assert kinds(found(coordinator, "neglected")) == {What.THEMES}
    assert kinds(found(coordinator, "escalating concern")) == {What.LEARNING}
    # Every word must match: the learning has "bruising" but not "protocol".
    assert What.LEARNING not in kinds(found(coordinator, "bruising protocol"))
    # The learning names bruising three times, every other text once: it comes first.
    Findings.objects.filter(review=world.review).update(
        learning="Bruising in a baby is a concern; bruises are rare; escalate any bruise at once."
    )
    rows = found(coordinator, "bruising")
    ranks = [row["s_rank"] for row in rows]
    assert ranks == sorted(ranks, reverse=True)
    assert rows[0]["s_what"] == What.LEARNING and ranks[0] > ranks[1] > 0


def test_filters(world, gp):
    coordinator = world.users["coordinator"]
    assert found(coordinator, "bruising", kind="cspr") == []
    assert kinds(found(coordinator, "bruising", kind=world.review.kind)) == {
        What.LEARNING,
        What.RECOMMENDATION,
        What.ACTION,
    }
    year = world.review.created_at.year if world.review.created_at.month > 3 else world.review.created_at.year - 1
    assert found(coordinator, "bruising", year=year - 3) == []
    assert len(found(coordinator, "bruising", year=year)) == len(found(coordinator, "bruising"))
    assert found(coordinator, "bruising", theme="Forced marriage") == []
    assert found(coordinator, "bruising", theme="Neglect") == found(coordinator, "bruising")
    # The GP owns the second recommendation and action; both agencies contributed to the review.
    by_gp = found(coordinator, "audit referrals", agency_id=gp.pk)
    assert [row["s_object"] for row in by_gp if row["s_what"] == What.RECOMMENDATION] == [
        world.other["recommendation_id"]
    ]


def test_the_page_shows_results_and_never_an_identity(client, world):
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("reviews:search"), {"q": "bruising"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 results" in html  # the learning, the police recommendation, both actions
    assert reverse("reviews:action", args=[world.review.reference, world.own["action_id"]]) in html
    for identity in IDENTITY_STRINGS:
        assert identity not in html


def test_bad_input_gets_a_clear_message(client, world):
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("reviews:search"), {"q": "bruising", "kind": "nonsense", "year": "soon"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a kind of review from the list" in html
    assert "Choose a financial year from the list" in html
    assert 'id="results"' not in html


def test_a_page_costs_the_same_queries_however_many_results(client, world):
    client.force_login(world.users["coordinator"])
    url = reverse("reviews:search")
    counts = []
    for words in ("audit referrals", "bruising", "nothing-matches-this"):
        client.get(url, {"q": words})  # the session warmed
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"q": words}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[2] <= counts[1]
