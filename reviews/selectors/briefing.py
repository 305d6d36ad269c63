"""The learning briefing ("7-minute briefing") of a review: a one-page summary of its published
learning, drawn from the findings as last signed and the published report. Nothing until the
publication is recorded as published: before that the learning is not public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reviews.models import Publication, Review
from reviews.models.findings import SignedFindings
from reviews.models.publication import PublicationState
from reviews.models.report import ReportSection, SectionKind

# Asked of every reader; one more per theme of the review [practice: 7-minute briefings].
QUESTIONS = [
    "Would this have been spotted in your service? What would have happened next?",
    "Who would you share a concern like this with, and how quickly?",
    "What will you do differently after reading this briefing?",
]


@dataclass(frozen=True)
class Briefing:
    review: Review
    published_on: date | None
    public_url: str
    summary_only: bool
    what_happened: str
    learning: str
    themes: list[str]
    recommendations: list[dict[str, Any]]
    questions: list[str]


def briefing(review: Review) -> Briefing | None:
    """The briefing, or None while the review's learning is not published. Three queries."""
    publication = Publication.objects.filter(review=review, state=PublicationState.PUBLISHED).first()
    if publication is None:
        return None
    signed = SignedFindings.objects.filter(findings__review=review).order_by("-version").first()
    if signed is None:
        return None
    content = signed.content
    # What happened: the published report's first text section, else the findings as signed.
    first = (
        ReportSection.objects.filter(version_id=publication.report_version_id, kind=SectionKind.TEXT)
        .exclude(body="")
        .order_by("position")
        .first()
        if publication.report_version_id
        else None
    )
    themes = list(content.get("themes") or [])
    return Briefing(
        review=review,
        published_on=publication.publish_on,
        public_url=publication.public_url,
        summary_only=publication.decision == "summary",
        what_happened=first.body if first else str(content.get("findings", "")),
        learning=str(content.get("learning", "")),
        themes=themes,
        recommendations=list(content.get("recommendations") or []),
        questions=QUESTIONS
        + [f"What does this review's learning on {theme.lower()} mean for your work?" for theme in themes],
    )
