"""Releasing the merged chronology to the contributing agencies.

Stand-in until the domain's own ``chronology_release`` service exists (asked for in the UI
helper's report); the web UI calls it through this one function so the swap is one import.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from reviews.models import Review
from reviews.permissions import require_review_perm
from workflows.audit import audit_record
from workflows.runner import TransitionRefused


def chronology_release(*, actor: Any, review_id: int) -> Review:
    """The coordinator lets every agency lead on the review read the whole merged chronology."""
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review_id)
        require_review_perm(actor, "coordinate_review", review, "release the merged chronology")
        if review.chronology_released_at is not None:
            released = timezone.localtime(review.chronology_released_at)
            raise TransitionRefused(f"The merged chronology was already released on {released:%-d %B %Y}.")
        review.chronology_released_at = timezone.now()
        review.save(update_fields=["chronology_released_at"])
        audit_record(actor=actor, verb="chronology.released", target=review)
    return review
