"""What the review page offers a user: each step out of the current stage, allowed or with reasons."""

from __future__ import annotations

from datetime import date

from reviews.models import ReviewState
from tests.factories import advance_to, make_review
from workflows.runner import transition_options


def by_name(review, user):
    return {option.name: option for option in transition_options(review, user)}


def test_a_coordinator_sees_the_next_step_blocked_with_its_reasons(partnership, coordinator):
    review = make_review(
        coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": date(2026, 3, 2)}
    )
    options = by_name(review, coordinator)

    assert set(options) == {"start_scoping", "withdraw"}
    scoping = options["start_scoping"]
    assert scoping.permitted
    assert not scoping.allowed
    assert scoping.label == "Start scoping"
    assert scoping.target == ReviewState.SCOPING
    assert scoping.reasons == [
        "Record the serious incident notification sent to the national Panel (under Onward notices)."
    ]
    withdraw = options["withdraw"]
    assert withdraw.allowed
    assert withdraw.needs_reason


def test_a_chair_sees_the_steps_but_may_not_take_them(review, chair):
    options = by_name(review, chair)
    assert options["start_scoping"].reasons == []
    assert not options["start_scoping"].permitted
    assert not options["start_scoping"].allowed


def test_the_options_follow_the_stage(review, coordinator):
    review = advance_to(review, ReviewState.PANEL, coordinator)
    options = by_name(review, coordinator)
    assert set(options) == {"draft_findings", "withdraw", "convert_to_cspr"}
    assert options["draft_findings"].allowed
    assert options["convert_to_cspr"].reasons == [
        "Record the date of the partners' decision to initiate a local review."
    ]


def test_a_closed_review_offers_nothing(review, coordinator):
    review = advance_to(review, ReviewState.CLOSED, coordinator)
    assert transition_options(review, coordinator) == []
