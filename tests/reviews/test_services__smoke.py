from __future__ import annotations

from reviews.models import ReviewState
from reviews.services import review_advance


def test_coordinator_starts_scoping(review, coordinator):
    review = review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    assert review.state == ReviewState.SCOPING
    assert review.reference == "NSCP-RR-2026-001"
