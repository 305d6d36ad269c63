"""Named predicates on findings and on the review's move to action tracking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.conditions import condition

if TYPE_CHECKING:
    from reviews.models import Review
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
        from reviews.models.findings import ANALYSIS_DOMAINS, relevance_field

        unrated = [label for name, label in ANALYSIS_DOMAINS if getattr(findings, relevance_field(name)) is None]
        if unrated:
            missing.append("the level of relevance of: " + "; ".join(label.lower() for label in unrated))
        if findings.category_of_death is None:
            missing.append("the category of death")
        elif not findings.category_rationale.strip():
            missing.append("why the category of death was chosen")
        if not findings.modifiable_factors:
            missing.append("whether there were modifiable factors")
    if missing:
        return "Before sign-off, write " + ", ".join(missing) + "."
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
def has_a_chair(findings: Findings) -> str | None:
    """Sending for sign-off tells the chair: there must be one."""
    from reviews.models import ReviewRole, Role

    if not ReviewRole.objects.filter(review_id=findings.review_id, role=Role.CHAIR).exists():
        return "Assign a chair to the review first: the findings are sent to the chair for sign-off."
    return None
