"""Side effects of a step (the ``transitioned`` signal) happen only once the step has committed."""

from __future__ import annotations

import pytest
from django.db import transaction

from reviews.models import Review, ReviewState
from reviews.services.review import review_advance, review_convert_to_cspr, review_record_key_dates
from tests.factories import advance_to
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused


def test_the_signal_waits_for_the_commit(review, coordinator, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
        assert received == []  # the step is written but not yet committed: nothing has been told

    assert len(callbacks) == 1
    assert len(received) == 1
    assert received[0]["sender"] is Review
    assert received[0]["state"] == ReviewState.SCOPING
    assert received[0]["log"] == TransitionLog.objects.get(object_id=review.pk)


def test_no_signal_when_the_surrounding_transaction_rolls_back(
    review, coordinator, received, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
        raise RuntimeError("the caller failed after the step")

    assert callbacks == []
    assert received == []
    assert Review.objects.get(pk=review.pk).state == ReviewState.NOTIFICATION
    assert not TransitionLog.objects.filter(object_id=review.pk).exists()


def test_no_signal_for_a_refused_step(review, coordinator, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(TransitionRefused):
        review_advance(actor=coordinator, review_id=review.pk, transition="close", reason="Every action settled.")
    assert callbacks == []
    assert received == []


def test_conversion_signals_the_rapid_review_s_closure_once_after_commit(
    review, coordinator, received, django_capture_on_commit_callbacks
):
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": review.notified_on})
    advance_to(review, ReviewState.SCOPING, coordinator)
    received.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        review_convert_to_cspr(actor=coordinator, review_id=review.pk, reason="The partners decided on a local review.")
        assert received == []

    assert len(callbacks) == 1
    assert [(call["state"], call["log"].transition) for call in received] == [(ReviewState.CLOSED, "convert_to_cspr")]
