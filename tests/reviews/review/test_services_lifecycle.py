"""Every lifecycle step through reviews.services: allowed sources, forbidden sources, the wrong
role, unmet conditions, withdrawal's rationale."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Review, ReviewClock, ReviewKind, ReviewState, Role
from reviews.services.review import review_advance, review_convert_to_cspr, review_record_key_dates
from reviews.services.roles import review_role_grant
from tests.factories import advance_to, make_review, settle_contributions
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused

S = ReviewState
ALL_STATES = list(S.values)

# transition -> (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[list[str], str]] = {
    "start_scoping": ([S.NOTIFICATION], S.SCOPING),
    "request_submissions": ([S.SCOPING], S.AGENCY_SUBMISSIONS),
    "convene_panel": ([S.AGENCY_SUBMISSIONS], S.PANEL),
    "draft_findings": ([S.PANEL], S.FINDINGS),
    "start_action_tracking": ([S.FINDINGS], S.ACTION_TRACKING),
    "close": ([S.ACTION_TRACKING], S.CLOSED),
    "withdraw": ([S.NOTIFICATION, S.SCOPING, S.AGENCY_SUBMISSIONS, S.PANEL], S.WITHDRAWN),
    "convert_to_cspr": ([S.SCOPING, S.AGENCY_SUBMISSIONS, S.PANEL], S.CLOSED),
}
ALLOWED = [(name, source) for name, (sources, _) in TRANSITIONS.items() for source in sources]
FORBIDDEN = [
    (name, state) for name, (sources, _) in TRANSITIONS.items() for state in ALL_STATES if state not in sources
]
NOT_PERMITTED = ["chair", "panel_member", "police_lead", "scrutineer", "outsider"]
# How a refusal names each step: its label, or the transition's custom "doing" where that reads badly.
DOING = {
    "start_scoping": "start scoping",
    "request_submissions": "request agency submissions",
    "convene_panel": "convene the panel",
    "draft_findings": "move the review to findings",
    "start_action_tracking": "start action tracking",
    "close": "close the review",
    "withdraw": "withdraw the review",
    "convert_to_cspr": "convert the rapid review into a local CSPR",
}


def take(name: str, review: Review, actor, reason: str = ""):
    """Take the step the way the UI does: conversion has its own service."""
    if name == "convert_to_cspr":
        return review_convert_to_cspr(actor=actor, review_id=review.pk, reason=reason)
    return review_advance(actor=actor, review_id=review.pk, transition=name, reason=reason)


def snapshot(review: Review) -> dict:
    """Everything a refused step must leave as it was."""
    fresh = Review.objects.get(pk=review.pk)
    return {
        "state": fresh.state,
        "rationale": fresh.withdrawal_rationale,
        "logs": TransitionLog.objects.filter(object_id=review.pk).count(),
        "reviews": Review.objects.count(),
        "clocks": list(ReviewClock.objects.filter(review=review).values_list("key", "due_date", "stopped_on")),
    }


@pytest.fixture
def decided(review, coordinator):
    """The fixture rapid review with the partners' decision recorded, so conversion is possible."""
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": date(2026, 3, 20)})
    return review


@pytest.mark.parametrize(("name", "source"), ALLOWED)
def test_each_step_succeeds_from_its_allowed_states_and_is_logged(name, source, decided, coordinator):
    review = advance_to(decided, source, coordinator)
    if name == "convene_panel":
        settle_contributions(review, coordinator)  # the panel waits for every agency
    logs_before = TransitionLog.objects.count()

    take(name, review, coordinator, reason="  Agreed at the partners' meeting  ")

    target = TRANSITIONS[name][1]
    assert Review.objects.get(pk=review.pk).state == target
    assert TransitionLog.objects.count() == logs_before + 1
    log = TransitionLog.objects.filter(object_id=review.pk).latest("id")
    assert (log.transition, log.from_state, log.to_state) == (name, source, target)
    assert log.actor == coordinator
    assert log.reason == "Agreed at the partners' meeting"
    assert log.object_label == review.reference


@pytest.mark.parametrize(("name", "state"), FORBIDDEN)
def test_each_step_is_refused_from_every_other_state_and_nothing_changes(name, state, decided, coordinator):
    review = advance_to(decided, state, coordinator)
    before = snapshot(review)

    with pytest.raises(TransitionRefused) as refused:
        take(name, review, coordinator, reason="Trying anyway")

    label = S(state).label
    assert str(refused.value) == f"{review.reference} is at {label}: this step is not possible from there."
    assert snapshot(review) == before


@pytest.mark.parametrize("who", NOT_PERMITTED)
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_only_a_coordinator_of_the_review_may_take_a_step(name, who, decided, coordinator, request):
    review = advance_to(decided, TRANSITIONS[name][0][-1], coordinator)
    user = request.getfixturevalue(who)
    before = snapshot(review)

    with pytest.raises(PermissionDenied) as refused:
        take(name, review, user, reason="Because")

    assert str(refused.value) == f"You need the review coordinator's role on {review.reference} to {DOING[name]}."
    assert snapshot(review) == before


def test_a_chair_refused_a_step_is_told_it_needs_the_coordinators_role(decided, chair):
    with pytest.raises(PermissionDenied) as refused:
        review_advance(actor=chair, review_id=decided.pk, transition="start_scoping")
    assert str(refused.value) == f"You need the review coordinator's role on {decided.reference} to start scoping."
    assert Review.objects.get(pk=decided.pk).state == S.NOTIFICATION


def test_a_partnership_coordinator_without_a_role_on_this_review_is_refused(decided, second_coordinator):
    before = snapshot(decided)
    with pytest.raises(PermissionDenied):
        take("start_scoping", decided, second_coordinator)
    assert snapshot(decided) == before


def test_a_second_coordinator_given_the_role_may_advance(decided, coordinator, second_coordinator):
    review_role_grant(actor=coordinator, review_id=decided.pk, user=second_coordinator, role=Role.COORDINATOR)
    review = take("start_scoping", decided, second_coordinator)
    assert review.state == S.SCOPING
    assert TransitionLog.objects.get(object_id=decided.pk).actor == second_coordinator


def test_scoping_without_subject_or_key_dates_lists_every_reason(partnership, coordinator):
    bare = make_review(coordinator=coordinator, partnership=partnership, subject=None, key_dates=None)
    before = snapshot(bare)

    with pytest.raises(TransitionRefused) as refused:
        take("start_scoping", bare, coordinator)

    assert str(refused.value) == f"{bare.reference} cannot move on yet."
    assert refused.value.reasons == [
        "Add at least one subject (for example 'Child A') before moving on.",
        "Record the date the local authority became aware.",
        "Record the serious incident notification sent to the national Panel (under Onward notices).",
    ]
    assert snapshot(bare) == before


def test_scoping_waits_only_for_the_notification_date_once_the_rest_is_there(partnership, coordinator):
    review = make_review(
        coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": date(2026, 3, 2)}
    )
    with pytest.raises(TransitionRefused) as refused:
        take("start_scoping", review, coordinator)
    assert refused.value.reasons == [
        "Record the serious incident notification sent to the national Panel (under Onward notices)."
    ]

    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"notified_on": date(2026, 3, 4)})
    assert take("start_scoping", review, coordinator).state == S.SCOPING


def test_a_child_death_review_asks_for_the_date_of_death(partnership, coordinator):
    review = make_review(coordinator=coordinator, partnership=partnership, kind=ReviewKind.CHILD_DEATH)
    with pytest.raises(TransitionRefused) as refused:
        take("start_scoping", review, coordinator)
    assert refused.value.reasons == [
        "Record the date of death.",
        "Record the date the death was notified to the Child Death Overview Panel.",
    ]


def test_a_dhr_needs_no_national_notification(partnership, coordinator):
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.DHR,
        key_dates={"became_aware_on": date(2026, 3, 2)},
    )
    assert take("start_scoping", review, coordinator).state == S.SCOPING


def test_the_panel_cannot_be_convened_without_a_chair(partnership, coordinator, chair):
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
    )
    review = advance_to(review, S.AGENCY_SUBMISSIONS, coordinator)
    settle_contributions(review, coordinator)
    before = snapshot(review)

    with pytest.raises(TransitionRefused) as refused:
        take("convene_panel", review, coordinator)

    assert refused.value.reasons == ["Assign a chair (independent reviewer) to this review."]
    assert snapshot(review) == before

    review_role_grant(actor=coordinator, review_id=review.pk, user=chair, role=Role.CHAIR)
    assert take("convene_panel", review, coordinator).state == S.PANEL


@pytest.mark.parametrize("rationale", ["", "   \n "])
def test_withdrawing_without_a_rationale_is_refused_and_nothing_is_saved(rationale, review, coordinator):
    before = snapshot(review)

    with pytest.raises(TransitionRefused) as refused:
        take("withdraw", review, coordinator, reason=rationale)

    assert str(refused.value) == "A reason is required for this step."
    assert refused.value.reasons == ["Give a reason."]
    assert snapshot(review) == before


def test_the_withdrawal_rationale_is_stored_on_the_review_and_in_the_log(review, coordinator):
    take("withdraw", review, coordinator, reason="  Threshold for a review not met; single-agency learning.  ")

    withdrawn = Review.objects.get(pk=review.pk)
    assert withdrawn.state == S.WITHDRAWN
    assert withdrawn.withdrawal_rationale == "Threshold for a review not met; single-agency learning."
    assert TransitionLog.objects.get(object_id=review.pk).reason == withdrawn.withdrawal_rationale
    assert not withdrawn.is_open


def test_a_step_writes_only_the_fields_its_transition_set(review, coordinator):
    """The runner works out what the transition changed (the stage and the rationale) and writes
    those alone, never the rest of the row as it was read."""
    with CaptureQueriesContext(connection) as captured:
        take("withdraw", review, coordinator, reason="Not proceeding.")

    (update,) = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "reviews_review"')]
    assert update.split(" WHERE ")[0] == (
        'UPDATE "reviews_review" SET "state" = \'withdrawn\', "withdrawal_rationale" = \'Not proceeding.\''
    )


def test_a_step_based_on_a_stale_page_is_refused(review, coordinator):
    advance_to(review, S.SCOPING, coordinator)
    before = snapshot(review)

    with pytest.raises(TransitionRefused) as refused:
        review_advance(
            actor=coordinator, review_id=review.pk, transition="start_scoping", expected_state=S.NOTIFICATION
        )

    assert "has already moved to Scoping since you loaded the page; nothing was changed" in str(refused.value)
    assert snapshot(review) == before


def test_a_step_from_the_state_the_user_saw_goes_ahead(review, coordinator):
    moved = review_advance(
        actor=coordinator, review_id=review.pk, transition="start_scoping", expected_state=S.NOTIFICATION
    )
    assert moved.state == S.SCOPING


def test_conversion_is_not_an_ordinary_step(decided, coordinator):
    advance_to(decided, S.SCOPING, coordinator)
    with pytest.raises(ValueError, match="its own service"):
        review_advance(actor=coordinator, review_id=decided.pk, transition="convert_to_cspr")
    assert Review.objects.get(pk=decided.pk).state == S.SCOPING


def test_the_whole_spine_leaves_a_readable_history(review, coordinator):
    advance_to(review, S.CLOSED, coordinator)
    # By content type as well: a contribution's log rows may carry the same object id (SQLite
    # numbers every table from 1 in each test).
    history = list(
        TransitionLog.objects.filter(content_type__model="review", object_id=review.pk)
        .order_by("id")
        .values_list("from_state", "to_state")
    )
    assert history == [
        (S.NOTIFICATION, S.SCOPING),
        (S.SCOPING, S.AGENCY_SUBMISSIONS),
        (S.AGENCY_SUBMISSIONS, S.PANEL),
        (S.PANEL, S.FINDINGS),
        (S.FINDINGS, S.ACTION_TRACKING),
        (S.ACTION_TRACKING, S.CLOSED),
    ]
