"""Named predicates on contribution steps and on the review's move to panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.conditions import condition, fact

if TYPE_CHECKING:
    from reviews.models import Review
    from reviews.models.contributions import AgencyContribution


@condition
def has_required_content(contribution: AgencyContribution) -> str | None:
    from reviews.models.contributions import Ask

    missing = []
    if Ask.CHRONOLOGY in contribution.asks and not contribution.entries.exists():
        missing.append("add at least one chronology entry (or record a nil return)")
    if Ask.AGENCY_REPORT in contribution.asks:
        report = getattr(contribution, "report", None)
        gaps = report.missing_sections() if report else ["every section"]
        if gaps:
            missing.append(f"complete the agency report ({', '.join(gaps)})")
    if missing:
        return "Before submitting, " + "; ".join(missing) + "."
    return None


@condition
def all_contributions_settled(review: Review) -> str | None:
    """Agency submissions → panel waits for every agency (issue 3)."""
    from reviews.models.contributions import SETTLED_STATES, AgencyContribution

    if fact(review, "all_contributions_settled"):  # read under the lock by reviews.conditions.review_step_facts
        return None
    # The states alone answer the question (unordered: the default order joins the agencies); the
    # agencies are loaded only to say who is holding the panel up.
    states = list(AgencyContribution.objects.filter(review_id=review.pk).order_by().values_list("state", flat=True))
    if not states:
        return "No agency has been asked for a contribution yet."
    if all(state in SETTLED_STATES for state in states):
        return None
    contributions = list(review.contributions.select_related("agency"))
    outstanding = [c for c in contributions if not c.is_settled]
    if outstanding:
        names = ", ".join(str(c.agency) for c in outstanding)
        verb = "has" if len(outstanding) == 1 else "have"
        return (
            f"{len(outstanding)} of {len(contributions)} agencies {verb} not had a submission accepted, "
            f"nil-returned or waived: {names}."
        )
    return None
