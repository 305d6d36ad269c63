"""Readers of panel meetings: the meetings a user sees, what a coordinator may put on an agenda,
the quorum, and the agency reports among the papers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from reviews.models import PanelMeeting, Partnership, Review, Role
from reviews.models.contributions import AgencyReport, ContributionState
from reviews.models.panels import QUORUM_GROUP_KINDS, PanelInvitation, QuorumGroup, QuorumRule
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


# --- quorum ---------------------------------------------------------------------------------------


def quorum_rule_for(partnership: Partnership) -> QuorumRule:
    """The partnership's rule, or the default (chair, police, health, local authority) unsaved."""
    return QuorumRule.objects.filter(partnership=partnership).first() or QuorumRule(partnership=partnership)


def quorum_missing(meeting: PanelMeeting) -> list[str]:
    """What the meeting lacks for a quorum, in words; empty when quorate."""
    rule = quorum_rule_for(meeting.partnership)
    present = [i for i in meeting.invitations.select_related("agency") if i.attended]
    missing = []
    if rule.chair_required and not any(i.user_id == meeting.chair_id for i in present):
        missing.append("the chair")
    kinds_present = {i.agency.kind for i in present if i.agency is not None}
    for group in rule.required_groups:
        if not kinds_present & set(QUORUM_GROUP_KINDS.get(group, ())):
            missing.append(QuorumGroup(group).label if group in QuorumGroup.values else group)
    return missing


def quorum_reason(meeting: PanelMeeting) -> str | None:
    missing = quorum_missing(meeting)
    if not missing:
        return None
    names = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    return f"The meeting was not quorate: {names} {'was' if len(missing) == 1 else 'were'} not recorded as present."
