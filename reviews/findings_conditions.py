"""Named predicates on findings, actions and the review's last two steps. None when met, or why not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.conditions import condition

if TYPE_CHECKING:
    from reviews.models import Review
    from reviews.models.actions import Action
    from reviews.models.findings import Findings


@condition
def review_at_findings(findings: Findings) -> str | None:
    from reviews.models import ReviewState

    review = findings.review
    if review.state != ReviewState.FINDINGS:
        return (
            f"{review} is at {review.get_state_display()}: findings are signed off and reopened in the findings stage."
        )
    return None


@condition
def findings_complete(findings: Findings) -> str | None:
    missing = []
    if not findings.findings.strip():
        missing.append("the findings")
    if not findings.learning.strip():
        missing.append("the learning")
    if findings.needs_analysis:
        if findings.category_of_death is None:
            missing.append("the category of death")
        if not findings.modifiable_factors:
            missing.append("whether there were modifiable factors")
    if missing:
        return "Before sign-off, write " + ", ".join(missing) + "."
    return None


@condition
def has_evidence(action: Action) -> str | None:
    if not action.evidence.strip():
        return "Give the evidence of completion: what was done and how it shows the success measure is met."
    return None


@condition
def findings_signed_off(review: Review) -> str | None:
    """Findings → action tracking waits for the chair's sign-off (issue 5)."""
    from reviews.models.findings import Findings

    findings = Findings.objects.filter(review=review).only("state").first()
    if findings is None:
        return "No findings have been written yet: draft them and ask the chair to sign them off."
    if not findings.is_signed_off:
        return "The chair has not signed off the findings yet."
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
