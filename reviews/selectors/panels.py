"""Readers of panel meetings: the meetings a user sees, what a coordinator may put on an agenda,
the quorum, and the agency reports among the papers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

# The quorum is a condition's (panel → findings waits for a quorate meeting); pages read it here.
from reviews.conditions.panels import quorum_missing as quorum_missing
from reviews.conditions.panels import quorum_reason as quorum_reason
from reviews.models import PanelMeeting, Review, Role
from reviews.models.contributions import AgencyReport, ContributionState
from reviews.models.panels import PanelInvitation
from workflows.types import User


def meetings_for_user(user: User, coordinated_partnership_ids: list[int]) -> QuerySet[PanelMeeting]:
    """The meetings of the partnerships the user coordinates and those they are invited to, newest
    first; not read (the page reads one page of them).

    The invitations are a subquery on this user's own, not a join: the join with OR and DISTINCT
    read every invitation of every user (issue 12)."""
    invited = PanelInvitation.objects.filter(user_id=user.pk).values("meeting_id")
    return (
        PanelMeeting.objects.filter(Q(partnership_id__in=coordinated_partnership_ids) | Q(pk__in=invited))
        .select_related("partnership", "chair")
        .order_by("-held_on", "-id")
    )


def agenda_candidates(meeting: PanelMeeting, user: User) -> QuerySet[Review]:
    """The reviews of the meeting's partnership that ``user`` coordinates: what they may put on its agenda."""
    return Review.objects.filter(partnership=meeting.partnership, roles__user_id=user.pk, roles__role=Role.COORDINATOR)


def agenda_review(meeting: PanelMeeting, reference: str) -> Review | None:
    return Review.objects.filter(panel_agenda_items__meeting=meeting, reference=reference).first()


def submitted_reports(review: Review) -> list[AgencyReport]:
    """The agency reports of the contributions submitted or accepted, for the panel papers."""
    return list(
        AgencyReport.objects.filter(
            contribution__review=review,
            contribution__state__in=[ContributionState.SUBMITTED, ContributionState.ACCEPTED],
        )
        .select_related("contribution__agency")
        .order_by("contribution__agency__name")
    )
