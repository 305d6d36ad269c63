"""How publication reads in the timeliness record: a clock stopped by a decision not to publish, or
by a summary's publication, says so beside its outcome, so the figures count it as such."""

from __future__ import annotations

from reviews.models import Review, ReviewClock
from reviews.models.publication import PublicationDecision


def publication_outcome(review: Review, clock: ReviewClock) -> str:
    """The words added to a publication clock's outcome ("" for every other clock)."""
    if clock.stop_event != "published_on" or clock.stopped_on is None:
        return ""
    if review.publication_declined_on is not None and clock.stopped_on == review.publication_declined_on:
        return ": not published, by decision"
    if review.publication_decision == PublicationDecision.SUMMARY:
        return ": a summary published"
    return ""
