"""A child death review's own steps on the review's spine (docs/DOMAIN.md, Child death reviews).

A CDR has no generic panel: its panel stage is the child death review meeting, and the CDOP's
independent review comes before its analysis is signed off and its actions are tracked. Both
dates are the review's own columns, written only by the recorded steps (reviews.services.
child_death), so the conditions read the review's row and ask nothing more of the database.
For every other kind they are met: those kinds wait for a panel meeting instead (panels.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.conditions import condition

if TYPE_CHECKING:
    from reviews.models import Review


def is_child_death(review: Review) -> bool:
    from reviews.models import ReviewKind

    return review.kind == ReviewKind.CHILD_DEATH


@condition
def cdr_meeting_held(review: Review) -> str | None:
    """Panel → findings, for a CDR: the child death review meeting is recorded."""
    if is_child_death(review) and review.cdr_meeting_on is None:
        return (
            "Record the child death review meeting first (under Child death review): it is held once the "
            "post-mortem report is available, with at least a month's notice."
        )
    return None


@condition
def cdop_review_recorded(review: Review) -> str | None:
    """Findings → action tracking, for a CDR: the CDOP's independent review is recorded."""
    if is_child_death(review) and review.cdop_reviewed_on is None:
        return "Record the CDOP's independent review of the death (under Child death review) first."
    return None
