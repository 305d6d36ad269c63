"""Named predicates on actions and on closing a review, and the refusals of an action's steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.conditions import condition

if TYPE_CHECKING:
    from reviews.models import Review
    from reviews.models.actions import Action
    from workflows.types import AnyUser


@condition
def all_actions_settled(review: Review) -> str | None:
    """Action tracking → closed: every recommendation has an action, and every action is verified
    or closed as not implemented. The reason names what is outstanding."""
    from reviews.models.actions import SETTLED_ACTION_STATES, Action
    from reviews.models.findings import Recommendation

    without_action = list(
        Recommendation.objects.filter(findings__review=review, actions__isnull=True).values_list("number", flat=True)
    )
    outstanding = list(
        Action.objects.filter(review=review)
        .exclude(state__in=SETTLED_ACTION_STATES)
        .select_related("recommendation", "owner_agency")
        .order_by("recommendation__number", "number")
    )
    if not (without_action or outstanding):
        return None
    parts = []
    if outstanding:
        names = "; ".join(f"{a.code} ({a.owner_agency}, {a.get_state_display().lower()})" for a in outstanding)
        count = "1 action is" if len(outstanding) == 1 else f"{len(outstanding)} actions are"
        parts.append(f"{count} not yet verified or closed: {names}.")
    if without_action:
        numbers = ", ".join(f"R{n}" for n in without_action)
        parts.append(f"Recommendations with no action yet: {numbers}.")
    return " ".join(parts)


# --- refusals: asked before the conditions, with the user taking the step; None lets it go on ---


def review_still_open(action: Action, user: AnyUser) -> str | None:
    if not action.review.is_open:
        return f"{action.review} is {action.review.get_state_display().lower()}."
    return None


def not_verified_by_its_completer(action: Action, user: AnyUser) -> str | None:
    if action.completed_by_id == getattr(user, "pk", None):
        return f"You marked {action.code} as completed: someone else must verify it on the partnership's behalf."
    return None


def not_verified_by_its_owner(action: Action, user: AnyUser) -> str | None:
    from reviews.permissions import is_agency_lead  # permissions imports the models

    if is_agency_lead(user, review_id=action.review_id, agency_id=action.owner_agency_id):
        return (
            f"You lead {action.owner_agency}, which owns {action.code}: an action is verified by the "
            "partnership, not by its owner."
        )
    return None
