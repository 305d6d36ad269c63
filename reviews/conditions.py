"""Named predicates on a review's transitions. Each returns None when met, or why not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.conditions import condition

if TYPE_CHECKING:
    from reviews.models import Review


def _sentence_tail(label: str) -> str:
    # Only the first letter: the labels name bodies ("the national Panel", "the Child Death
    # Overview Panel") whose capitals must survive.
    return label[:1].lower() + label[1:]


@condition
def has_subject(review: Review) -> str | None:
    if not review.subjects.exists():
        return "Add at least one subject (for example 'Child A') before moving on."
    return None


@condition
def awareness_recorded(review: Review) -> str | None:
    from reviews.models import ReviewKind

    if review.kind == ReviewKind.CHILD_DEATH:
        if review.incident_on is None:
            return "Record the date of death."
        return None
    if review.became_aware_on is None:
        return f"Record the date {_sentence_tail(review.awareness_label)}."
    return None


@condition
def notification_recorded(review: Review) -> str | None:
    from reviews.models import ReviewKind

    if review.kind in ReviewKind.needs_notification() and review.notified_on is None:
        return f"Record the date {_sentence_tail(review.notification_label)}."
    return None


@condition
def has_chair(review: Review) -> str | None:
    from reviews.models import Role

    if not review.roles.filter(role=Role.CHAIR).exists():
        return "Assign a chair (independent reviewer) to this review."
    return None


@condition
def decision_recorded(review: Review) -> str | None:
    if review.decision_on is None:
        return "Record the date of the partners' decision to initiate a local review."
    return None
