"""Two coordinators acting on the same review at the same moment, each on their own connection.

The runner locks the review row (SELECT ... FOR UPDATE): the second request waits for the first
to commit, then sees the new stage and is refused with a message, so exactly one step happens.
The engine's own races, on a model of its own: tests/workflows/test_runner_concurrency.py.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from reviews.models import Partnership, Review, ReviewClock, ReviewKind, ReviewRole, ReviewState, Role
from reviews.services import review as review_services
from reviews.services.review import review_advance, review_open
from reviews.services.roles import review_role_grant, review_role_revoke
from tests.concurrency import race
from tests.factories import advance_to
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLD_SECONDS = 1.0


@pytest.fixture
def slow_step(monkeypatch):
    """Hold the row lock for a while inside the winning transaction, so the loser really waits on it."""
    # Every step asks, under the lock, whether it stops a clock: a slow answer holds the lock.
    stops_a_clock = review_services.stage_stops_a_clock

    def held(*args: Any) -> Any:
        time.sleep(HOLD_SECONDS)
        return stops_a_clock(*args)

    monkeypatch.setattr(review_services, "stage_stops_a_clock", held)


@pytest.fixture
def two_coordinators(review, coordinator, second_coordinator):
    review_role_grant(actor=coordinator, review_id=review.pk, user=second_coordinator, role=Role.COORDINATOR)
    return coordinator, second_coordinator


@pytest.mark.parametrize("with_expected_state", [False, True], ids=["plain", "from-the-page-they-saw"])
def test_two_coordinators_advance_the_same_review_at_once(review, two_coordinators, slow_step, with_expected_state):
    first, second = two_coordinators
    clocks_before = ReviewClock.objects.filter(review=review).count()
    expected = {"expected_state": ReviewState.NOTIFICATION} if with_expected_state else {}

    def advance(user: Any) -> Any:
        return lambda: review_advance(actor=user, review_id=review.pk, transition="start_scoping", **expected)

    results = race(("first", advance(first)), ("second", advance(second)))

    outcomes = sorted(result[0] for result in results.values())
    assert outcomes == ["error", "ok"], results
    loser = next(result for result in results.values() if result[0] == "error")
    error = loser[1]
    assert isinstance(error, TransitionRefused), error
    if with_expected_state:
        assert str(error) == (
            f"{review.reference} has already moved to Scoping since you loaded the page; nothing was changed. "
            "Reload to see its current stage."
        )
    else:
        assert str(error) == f"{review.reference} is at Scoping: this step is not possible from there."
    assert loser[2] >= HOLD_SECONDS * 0.5, "the second request did not wait for the first one's lock"

    assert Review.objects.get(pk=review.pk).state == ReviewState.SCOPING
    logs = TransitionLog.objects.filter(object_id=review.pk)
    assert logs.count() == 1
    winner = next(name for name, result in results.items() if result[0] == "ok")
    assert logs.get().actor == dict(zip(("first", "second"), (first, second), strict=True))[winner]
    assert ReviewClock.objects.filter(review=review).count() == clocks_before


def test_a_withdrawal_racing_a_step_forward_only_one_happens(review, two_coordinators, slow_step):
    first, second = two_coordinators

    results = race(
        ("scoping", lambda: review_advance(actor=first, review_id=review.pk, transition="start_scoping")),
        ("withdraw", lambda: review_advance(actor=second, review_id=review.pk, transition="withdraw", reason="No")),
    )

    # Withdrawal is allowed from scoping too, so if scoping wins, the withdrawal may follow it; the
    # reverse order must refuse scoping. Either way the log tells exactly what happened, in order.
    fresh = Review.objects.get(pk=review.pk)
    steps = list(TransitionLog.objects.filter(object_id=review.pk).values_list("transition", "from_state", "to_state"))
    if results["withdraw"][0] == "ok" and results["scoping"][0] == "ok":
        assert steps == [("start_scoping", "notification", "scoping"), ("withdraw", "scoping", "withdrawn")]
    else:
        assert results["scoping"][0] == "error"
        assert isinstance(results["scoping"][1], TransitionRefused)
        assert str(results["scoping"][1]).endswith(
            "is at Withdrawn (not proceeding): this step is not possible from there."
        )
        assert steps == [("withdraw", "notification", "withdrawn")]
    assert fresh.state == ReviewState.WITHDRAWN
    assert fresh.withdrawal_rationale == "No"


def test_two_reviews_opened_at_once_get_different_numbers(partnership, coordinator, second_coordinator):
    def open_as(user: Any) -> Any:
        return lambda: review_open(actor=user, partnership=partnership, kind=ReviewKind.RAPID, title="Child").reference

    results = race(("first", open_as(coordinator)), ("second", open_as(second_coordinator)))

    assert [result[0] for result in results.values()] == ["ok", "ok"], results
    references = sorted(result[1] for result in results.values())
    assert [reference[-4:] for reference in references] == ["-001", "-002"]


def test_a_step_does_not_lock_the_reviews_partnership(review, partnership, coordinator, slow_step):
    """Only the review's own row is locked (FOR UPDATE OF), not its partnership's, which a caller's
    select_related joins in. (A step on another review does wait for this one to commit now, on the
    transition log's chain head: docs/SECURITY.md, "Audit chain". So the partnership's row is tried
    directly, without waiting, while the step's transaction is held open.)"""

    def lock_the_partnership_a_moment_later() -> str:
        time.sleep(HOLD_SECONDS * 0.3)  # the step is under way and holding its locks
        with transaction.atomic():
            Partnership.objects.select_for_update(nowait=True).get(pk=partnership.pk)
        return "free"

    results = race(
        ("step", lambda: review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping").state),
        ("partnership", lock_the_partnership_a_moment_later),
    )

    assert results["step"][:2] == ("ok", ReviewState.SCOPING), results
    assert results["partnership"][:2] == ("ok", "free"), results


def _revoke_and_hold(actor: Any, role: ReviewRole) -> Any:
    """Revoke a role, then keep the review's row lock (taken by the revocation) a while before committing."""

    def revoke() -> None:
        with transaction.atomic():
            review_role_revoke(actor=actor, role_id=role.pk)
            time.sleep(HOLD_SECONDS)

    return revoke


def _step_a_moment_later(actor: Any, review: Review, transition: str) -> Any:
    def later() -> Any:
        time.sleep(HOLD_SECONDS * 0.3)  # the revocation takes the lock first
        return review_advance(actor=actor, review_id=review.pk, transition=transition)

    return later


def test_a_step_waiting_behind_the_revocation_of_its_role_is_refused(review, two_coordinators):
    """The permission is read after the lock is held: a step that waited for a revocation sees it.
    (Read in the locking SELECT itself, it would come from before the wait and let the step through.)"""
    first, second = two_coordinators
    role = ReviewRole.objects.get(review=review, user=second, role=Role.COORDINATOR)

    results = race(
        ("revoke", _revoke_and_hold(first, role)),
        ("step", _step_a_moment_later(second, review, "start_scoping")),
    )

    assert results["revoke"][0] == "ok", results
    assert results["step"][0] == "error", results
    assert isinstance(results["step"][1], PermissionDenied), results
    assert results["step"][2] >= HOLD_SECONDS * 0.5, "the step did not wait for the revocation's lock"
    assert Review.objects.get(pk=review.pk).state == ReviewState.NOTIFICATION
    assert not TransitionLog.objects.filter(object_id=review.pk).exists()


def test_a_step_waiting_behind_the_removal_of_the_chair_is_refused_for_want_of_one(review, coordinator, chair):
    """The conditions too are read after the lock: the chair removed meanwhile is missed."""
    review = advance_to(review, ReviewState.PANEL, coordinator)
    role = ReviewRole.objects.get(review=review, user=chair, role=Role.CHAIR)

    results = race(
        ("revoke", _revoke_and_hold(coordinator, role)),
        ("step", _step_a_moment_later(coordinator, review, "draft_findings")),
    )

    assert results["revoke"][0] == "ok", results
    assert results["step"][0] == "error", results
    refused = results["step"][1]
    assert isinstance(refused, TransitionRefused), refused
    assert refused.reasons == ["Assign a chair (independent reviewer) to this review."]
    assert results["step"][2] >= HOLD_SECONDS * 0.5, "the step did not wait for the revocation's lock"
    assert Review.objects.get(pk=review.pk).state == ReviewState.PANEL
