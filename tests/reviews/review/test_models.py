"""What the Review model itself guarantees, whatever code path writes to it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from reviews.models import Review, ReviewClock, ReviewKind, ReviewState
from tests.factories import advance_to

S = ReviewState


def test_the_stage_cannot_be_set_by_assignment(review):
    with pytest.raises(AttributeError, match="Direct state modification is not allowed"):
        review.state = S.CLOSED
    assert Review.objects.get(pk=review.pk).state == S.NOTIFICATION


def test_the_database_refuses_a_withdrawal_without_a_rationale(review):
    with pytest.raises(IntegrityError, match="review_withdrawn_has_rationale"), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(state=S.WITHDRAWN)
    assert Review.objects.get(pk=review.pk).state == S.NOTIFICATION


def test_the_database_refuses_a_second_review_with_the_same_number(review):
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            partnership=review.partnership,
            kind=review.kind,
            title="Duplicate",
            year=review.year,
            sequence=review.sequence,
            reference="NSCP-RR-OTHER",
            created_by=review.created_by,
        )


def test_a_review_has_one_clock_of_each_kind(review):
    with (
        pytest.raises(IntegrityError, match="reviewclock_unique_key|UNIQUE constraint failed: reviews_reviewclock"),
        transaction.atomic(),
    ):
        ReviewClock.objects.create(review=review, key="rapid_review", label="Again", duration=1, unit="working_days")


@pytest.mark.parametrize(
    ("state", "reached", "not_reached"),
    [
        (S.NOTIFICATION, [S.NOTIFICATION], [S.SCOPING, S.FINDINGS]),
        (S.PANEL, [S.NOTIFICATION, S.AGENCY_SUBMISSIONS, S.PANEL], [S.FINDINGS, S.CLOSED]),
        (S.CLOSED, [S.FINDINGS, S.ACTION_TRACKING, S.CLOSED], [S.WITHDRAWN]),
        (S.WITHDRAWN, [], [S.NOTIFICATION, S.FINDINGS, S.WITHDRAWN]),
    ],
)
def test_has_reached_follows_the_spine(state, reached, not_reached, review, coordinator):
    review = advance_to(review, state, coordinator)
    assert all(review.has_reached(s) for s in reached)
    assert not any(review.has_reached(s) for s in not_reached)
    assert review.is_open == (state not in (S.CLOSED, S.WITHDRAWN))


def test_labels_read_naturally_for_each_kind(partnership):
    assert Review(kind=ReviewKind.SAR).awareness_label == "The referral was received"
    assert Review(kind=ReviewKind.DHR).awareness_label == "The police notified the community safety partnership"
    assert Review(kind=ReviewKind.RAPID).awareness_label == "The local authority became aware"
    assert Review(kind=ReviewKind.CHILD_DEATH).notification_label == (
        "The death was notified to the Child Death Overview Panel"
    )


def test_the_reference_is_what_a_review_is_called(review):
    assert str(review) == review.reference
    assert review.reference.startswith("NSCP-RR-")
    assert review.became_aware_on == date(2026, 3, 2)
