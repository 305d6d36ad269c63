"""Named predicates on a review's lifecycle steps. Each returns None when met, or why not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from workflows.conditions import condition

if TYPE_CHECKING:
    from reviews.models import Review
    from workflows.types import AnyUser


def _sentence_tail(label: str) -> str:
    # Only the first letter: the labels name bodies ("the national Panel", "the Child Death
    # Overview Panel") whose capitals must survive.
    return label[:1].lower() + label[1:]


# The facts below are read with the step's permission in one query under the review's row lock
# (workflows.runner), or on their own when a page lists the steps. The models are imported when the
# expression is built: this module is imported while they load.


def _a_subject_exists() -> Exists:
    from reviews.models import Subject

    return Exists(Subject.objects.filter(review_id=OuterRef("pk")))


@condition(rests_on=_a_subject_exists)
def has_subject(review: Review, present: bool) -> str | None:
    if not present:
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
        if review.kind == ReviewKind.CHILD_DEATH:
            return f"Record the date {_sentence_tail(review.notification_label)}."
        return "Record the serious incident notification sent to the national Panel (under Onward notices)."
    return None


def _a_chair_exists() -> Exists:
    from reviews.models import ReviewRole, Role

    return Exists(ReviewRole.objects.filter(review_id=OuterRef("pk"), role=Role.CHAIR))


@condition(rests_on=_a_chair_exists)
def has_chair(review: Review, present: bool) -> str | None:
    if not present:
        return "Assign a chair (independent reviewer) to this review."
    return None


@condition
def decision_recorded(review: Review) -> str | None:
    if review.decision_on is None:
        return "Record the date of the partners' decision to initiate a local review."
    return None


# --- refusals: asked before the conditions, with the user taking the step; None lets it go on ---


def only_a_rapid_review(review: Review, user: AnyUser) -> str | None:
    from reviews.models import ReviewKind

    if review.kind != ReviewKind.RAPID:
        return f"Only a rapid review can be converted; {review} is a {review.get_kind_display()}."
    return None
