"""The facts a step reads in one query under the lock (reviews.conditions.review_step_facts) say
exactly what the permission check and each condition's own query say, met or not."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reviews.conditions.contributions import all_contributions_settled
from reviews.conditions.review import has_chair, has_subject, review_step_facts
from reviews.models import AgencyContribution, Review, ReviewRole, Role, Subject
from reviews.models.review import is_coordinator
from reviews.permissions import has_review_perm, review_perm_fact
from reviews.services.review import review_advance
from tests.factories import UserFactory, advance_to, settle_contributions
from workflows.conditions import fact, facts_held

CONDITIONS = [has_subject, has_chair, all_contributions_settled]


def step(*conditions, permission=is_coordinator):
    return SimpleNamespace(permission=permission, conditions=list(conditions))


def answers(review: Review) -> dict[str, bool]:
    """Each condition asked on its own, as the review page does."""
    return {check.__name__: check(review) for check in CONDITIONS}


def facts(review: Review, user) -> dict[str, bool]:
    read = review_step_facts(review, user, step(*CONDITIONS))
    return {check.__name__: read[check.__name__] for check in CONDITIONS}


def test_facts_agree_when_every_condition_is_met(review, coordinator):
    review = advance_to(review, "agency_submissions", coordinator)
    settle_contributions(review, coordinator)
    assert answers(review) == facts(review, coordinator) == dict.fromkeys(answers(review), True)


def test_facts_agree_when_no_condition_is_met(review, coordinator):
    Subject.objects.filter(review=review).delete()
    ReviewRole.objects.filter(review=review, role=Role.CHAIR).delete()
    # No agency asked yet: not settled.
    assert not AgencyContribution.objects.filter(review=review).exists()
    assert answers(review) == facts(review, coordinator) == dict.fromkeys(answers(review), False)


def test_one_contribution_outstanding_is_not_settled(review, coordinator):
    review = advance_to(review, "agency_submissions", coordinator)
    settle_contributions(review, coordinator)
    AgencyContribution.objects.filter(review=review).update(state="requested")
    assert facts(review, coordinator)["all_contributions_settled"] is False
    assert all_contributions_settled.explain(review).startswith("1 of 1 agencies has not had a submission accepted")


@pytest.mark.parametrize("who", ["coordinator", "chair", "police_lead", "outsider"])
def test_the_permission_fact_is_the_permission_check(who, review, request):
    user = request.getfixturevalue(who)
    read = review_step_facts(review, user, step())
    assert read == {review_perm_fact(user.pk, "coordinate_review"): has_review_perm(user, "coordinate_review", review)}
    assert read[review_perm_fact(user.pk, "coordinate_review")] is (who == "coordinator")


def test_users_answered_without_a_query_are_not_asked_about(review, coordinator, django_assert_num_queries):
    superuser = UserFactory(username="operator", is_superuser=True)
    coordinator.is_active = False
    with django_assert_num_queries(0):
        assert review_step_facts(review, superuser, step()) == {}
        assert review_step_facts(review, coordinator, step()) == {}
        assert review_step_facts(review, coordinator, step(permission=None)) == {}


def test_a_fact_for_another_user_is_not_taken_as_this_user_s(review, coordinator, chair):
    """The permission fact is keyed by user: a chair is never let through on the coordinator's answer."""
    with facts_held(review, review_step_facts(review, coordinator, step())):
        assert has_review_perm(coordinator, "coordinate_review", review)
        assert not has_review_perm(chair, "coordinate_review", review)


def test_held_facts_answer_the_checks_without_queries(review, coordinator, django_assert_num_queries):
    read = review_step_facts(review, coordinator, step(has_subject, has_chair))
    with facts_held(review, read), django_assert_num_queries(0):
        assert has_review_perm(coordinator, "coordinate_review", review)
        assert has_subject(review) and has_chair(review)


def test_no_fact_outlives_the_step(review, coordinator, django_assert_num_queries):
    moved = review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    assert fact(moved, "has_subject") is None
    assert fact(moved, review_perm_fact(coordinator.pk, "coordinate_review")) is None
    with django_assert_num_queries(1):
        assert has_review_perm(coordinator, "coordinate_review", moved)
