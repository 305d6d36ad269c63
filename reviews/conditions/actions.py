"""Named predicates on actions and on closing a review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.conditions import condition

if TYPE_CHECKING:
    from reviews.models import Review
    from reviews.models.actions import Action


@condition
def has_evidence(action: Action) -> str | None:
    if not action.evidence.strip():
        return "Give the evidence of completion: what was done and how it shows the success measure is met."
    return None


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
