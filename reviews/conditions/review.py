"""Named predicates on a review's lifecycle steps. Each returns None when met, or why not."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from django.db import connection

from workflows.conditions import condition, fact

if TYPE_CHECKING:
    from reviews.models import Review


def _sentence_tail(label: str) -> str:
    # Only the first letter: the labels name bodies ("the national Panel", "the Child Death
    # Overview Panel") whose capitals must survive.
    return label[:1].lower() + label[1:]


# The checks that query take the answer a step read under the lock (review_step_facts below) when
# there is one, and otherwise ask through the model's manager rather than the review's related
# manager (review.subjects): the same SQL, without building a related manager each time.


@condition
def has_subject(review: Review) -> str | None:
    from reviews.models import Subject

    present = fact(review, "has_subject")
    if present is None:
        present = Subject.objects.filter(review_id=review.pk).exists()
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
        return f"Record the date {_sentence_tail(review.notification_label)}."
    return None


@condition
def has_chair(review: Review) -> str | None:
    from reviews.models import ReviewRole, Role

    present = fact(review, "has_chair")
    if present is None:
        present = ReviewRole.objects.filter(review_id=review.pk, role=Role.CHAIR).exists()
    if not present:
        return "Assign a chair (independent reviewer) to this review."
    return None


@condition
def decision_recorded(review: Review) -> str | None:
    if review.decision_on is None:
        return "Record the date of the partners' decision to initiate a local review."
    return None


# --- one query per step -----------------------------------------------------------------------


def review_step_facts(review: Review, user: Any, transition: Any) -> dict[Hashable, bool]:
    """What a step on ``review`` would ask the database, asked in one query.

    ``run_transition(load=...)`` calls this under the review's row lock, in a statement of its own
    (so as fresh as the separate queries it replaces): whether ``user`` holds the step's permission
    (``has_review_perm``) and the facts its conditions rest on. Each answer is the same EXISTS the
    check would run itself; the checks run their own queries whenever no step holds the answer
    (the review page's list of options). Nothing is asked when nothing needs asking.
    """
    from reviews.permissions import HOLDS_PERMISSION, review_perm_fact  # permissions imports the models

    asks: list[tuple[Hashable, str, list[Any]]] = []
    codename = getattr(transition.permission, "codename", None)
    # has_review_perm answers these users without a query, so there is nothing to read for them.
    if codename and user and user.is_authenticated and user.is_active and not user.is_superuser:
        asks.append((review_perm_fact(user.pk, codename), HOLDS_PERMISSION, [user.pk, review.pk, codename]))
    for check in transition.conditions:
        build = _FACTS.get(getattr(check, "__name__", ""))
        if build is not None:
            asks.append((check.__name__, *build(review)))
    if not asks:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(sql for _, sql, _ in asks),
            [param for _, _, params in asks for param in params],
        )
        row = cursor.fetchone()
    return {key: bool(value) for (key, _, _), value in zip(asks, row, strict=True)}


def _has_subject_sql(review: Review) -> tuple[str, list[Any]]:
    from reviews.models import Subject

    return f"EXISTS (SELECT 1 FROM {Subject._meta.db_table} WHERE review_id = %s)", [review.pk]  # noqa: S608


def _has_chair_sql(review: Review) -> tuple[str, list[Any]]:
    from reviews.models import ReviewRole, Role

    return (
        f"EXISTS (SELECT 1 FROM {ReviewRole._meta.db_table} WHERE review_id = %s AND role = %s)",  # noqa: S608
        [review.pk, Role.CHAIR],
    )


def _all_contributions_settled_sql(review: Review) -> tuple[str, list[Any]]:
    from reviews.models.contributions import SETTLED_STATES, AgencyContribution

    table = AgencyContribution._meta.db_table
    settled = ", ".join(["%s"] * len(SETTLED_STATES))
    return (
        f"(EXISTS (SELECT 1 FROM {table} WHERE review_id = %s) AND NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {table} WHERE review_id = %s AND state NOT IN ({settled})))",
        [review.pk, review.pk, *SETTLED_STATES],
    )


# Condition name -> the SQL of its yes/no, and its parameters (tests/reviews/test_conditions__facts.py
# holds each to the answer of the condition's own query).
_FACTS: dict[str, Callable[[Review], tuple[str, list[Any]]]] = {
    "has_subject": _has_subject_sql,
    "has_chair": _has_chair_sql,
    "all_contributions_settled": _all_contributions_settled_sql,
}
