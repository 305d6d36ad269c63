"""Named predicates on contribution steps and on the review's move to panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from workflows.conditions import condition

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
    for answer_set in contribution.form_answers.select_related("form"):
        gaps = answer_set.missing()
        if gaps:
            missing.append(f"answer every required question of the {answer_set.form.title} ({len(gaps)} unanswered)")
    if missing:
        return "Before submitting, " + "; ".join(missing) + "."
    return None


def _every_contribution_settled() -> Q:
    from reviews.models.contributions import SETTLED_STATES, AgencyContribution

    asked = AgencyContribution.objects.filter(review_id=OuterRef("pk"))
    return Exists(asked) & ~Exists(asked.exclude(state__in=SETTLED_STATES))


@condition(rests_on=_every_contribution_settled)
def all_contributions_settled(review: Review, settled: bool) -> str | None:
    """Agency submissions → panel waits for every agency (issue 3): at least one was asked, and
    every one asked has had a submission accepted, a nil return or a waiver."""
    if settled:
        return None
    # The agencies are loaded only to say who is holding the panel up.
    contributions = list(review.contributions.select_related("agency"))
    if not contributions:
        return "No agency has been asked for a contribution yet."
    outstanding = [c for c in contributions if not c.is_settled]
    if outstanding:
        names = ", ".join(str(c.agency) for c in outstanding)
        verb = "has" if len(outstanding) == 1 else "have"
        return (
            f"{len(outstanding)} of {len(contributions)} agencies {verb} not had a submission accepted, "
            f"nil-returned or waived: {names}."
        )
    # Settled since the fact was read (a contribution accepted meanwhile): nothing holds it up.
    return None
