"""Readers of factual accuracy rounds: a review's rounds, one round's agencies and comments (all
of them for the report's writers, an agency's own for its lead), and the words for a closed round."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.utils import timezone

from reviews.models import AccuracyComment, AccuracyRound, Review, Role, RoundAgency
from reviews.selectors.report import ShownSection, shown_sections
from workflows.types import User


def closed_message(accuracy_round: AccuracyRound) -> str:
    assert accuracy_round.closed_at is not None
    return (
        f"The factual accuracy round closed on {timezone.localtime(accuracy_round.closed_at):%-d %B %Y}: "
        "comments are no longer taken."
    )


def review_rounds(review: Review) -> list[AccuracyRound]:
    """Newest first, each with its agencies: two queries."""
    return list(
        AccuracyRound.objects.filter(review=review)
        .select_related("version", "sent_by")
        .prefetch_related("agencies__agency")
        .order_by("-sent_at")
    )


@dataclass(frozen=True)
class SectionComments:
    shown: ShownSection
    comments: list[AccuracyComment]


@dataclass(frozen=True)
class RoundPage:
    round: AccuracyRound
    agencies: list[RoundAgency]
    sections: list[SectionComments]

    @property
    def comment_count(self) -> int:
        return sum(len(s.comments) for s in self.sections)

    @property
    def unanswered_comments(self) -> int:
        return sum(1 for s in self.sections for c in s.comments if not hasattr(c, "response") or c.response is None)


def round_page(accuracy_round: AccuracyRound, *, agency_ids: Collection[int] | None = None) -> RoundPage:
    """The draft sent, section by section, with the comments on each: every agency's, or only
    those of ``agency_ids`` (an agency lead's own). Six queries however many comments."""
    agencies = list(RoundAgency.objects.filter(round=accuracy_round).select_related("agency", "lead", "answered_by"))
    if agency_ids is not None:
        agencies = [row for row in agencies if row.agency_id in agency_ids]
    comments = AccuracyComment.objects.filter(round=accuracy_round).select_related(
        "agency", "author", "section", "response__by"
    )
    if agency_ids is not None:
        comments = comments.filter(agency_id__in=agency_ids)
    by_section: dict[int, list[AccuracyComment]] = defaultdict(list)
    for comment in comments.order_by("created_at", "id"):
        by_section[comment.section_id].append(comment)
    sections = [
        SectionComments(shown=shown, comments=by_section.get(shown.section.pk, []))
        for shown in shown_sections(accuracy_round.version)
    ]
    return RoundPage(round=accuracy_round, agencies=agencies, sections=sections)


@dataclass(frozen=True)
class ReportLinks:
    """What the review page links to: the report (its readers), and the open rounds an agency lead
    is asked to answer."""

    reads_report: bool
    rounds_to_answer: list[AccuracyRound]


def report_links(review: Review, user: User, perms: Collection[str]) -> ReportLinks:
    """One query, for an agency lead only: the open rounds, not past their date, asking an agency they
    lead that has not answered yet (the review page's to-do, gone once it is done)."""
    from reviews.permissions import LEAD_AGENCY, REPORT_READERS

    rounds: list[AccuracyRound] = []
    if LEAD_AGENCY in perms:
        rounds = list(
            AccuracyRound.objects.filter(
                review=review,
                closed_at__isnull=True,
                due_date__gte=timezone.localdate(),
                agencies__answered_at__isnull=True,
                agencies__agency__review_roles__review=review,
                agencies__agency__review_roles__user=user,
                agencies__agency__review_roles__role=Role.AGENCY_LEAD,
            )
            .select_related("version")
            .distinct()
        )
    return ReportLinks(reads_report=bool(REPORT_READERS & set(perms)), rounds_to_answer=rounds)
