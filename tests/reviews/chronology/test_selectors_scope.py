"""Who may read which agencies' chronology entries, worked out in a fixed number of queries."""

from __future__ import annotations

import pytest

from reviews.selectors.chronology import chronology_scope

pytestmark = pytest.mark.django_db


def test_each_role_reads_its_scope_in_at_most_two_queries(
    review, coordinator, chair, panel_member, police_lead, police, scrutineer, django_assert_max_num_queries
):
    # One query for the permissions that open every agency's entries, one for the agencies led.
    for user in (coordinator, chair, panel_member):
        with django_assert_max_num_queries(1):
            assert chronology_scope(user, review).all_agencies
    with django_assert_max_num_queries(2):
        scope = chronology_scope(police_lead, review)
    assert (scope.all_agencies, scope.agency_ids) == (False, frozenset({police.pk}))
    with django_assert_max_num_queries(2):
        assert not chronology_scope(scrutineer, review).sees_anything


def test_a_superuser_reads_every_agency_and_an_inactive_user_none(review, coordinator, police_lead):
    coordinator.is_active = False
    assert chronology_scope(coordinator, review).all_agencies is False
    police_lead.is_superuser = True
    assert chronology_scope(police_lead, review).all_agencies
