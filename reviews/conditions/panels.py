"""The quorum of a panel meeting, and the review's move from panel to findings, which waits for a
panel that was held, was quorate, had the review on its agenda and recorded a decision on it or
minutes (issue 12: reviews reached findings with no meeting held). A child death review waits for
its child death review meeting instead (child_death.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from workflows.conditions import condition

if TYPE_CHECKING:
    from reviews.models import Review
    from reviews.models.panels import PanelInvitation, PanelMeeting, QuorumRule


def quorum_rule_for(partnership_id: int) -> QuorumRule:
    """The partnership's rule, or the default (chair, police, health, local authority) unsaved."""
    from reviews.models.panels import QuorumRule

    return QuorumRule.objects.filter(partnership_id=partnership_id).first() or QuorumRule(partnership_id=partnership_id)


def quorum_missing(
    meeting: PanelMeeting, rule: QuorumRule | None = None, invitations: Iterable[PanelInvitation] | None = None
) -> list[str]:
    """What the meeting lacks for a quorum, in words; empty when quorate. ``rule`` and
    ``invitations`` (with their agencies) when the caller read them already."""
    from reviews.models.panels import QUORUM_GROUP_KINDS, QuorumGroup

    rule = rule or quorum_rule_for(meeting.partnership_id)
    if invitations is None:
        invitations = meeting.invitations.select_related("agency")
    present = [i for i in invitations if i.attended]
    missing = []
    if rule.chair_required and not any(i.user_id == meeting.chair_id for i in present):
        missing.append("the chair")
    kinds_present = {i.agency.kind for i in present if i.agency is not None}
    for group in rule.required_groups:
        if not kinds_present & set(QUORUM_GROUP_KINDS.get(group, ())):
            missing.append(QuorumGroup(group).label if group in QuorumGroup.values else group)
    return missing


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def quorum_reason(meeting: PanelMeeting, missing: list[str] | None = None) -> str | None:
    missing = quorum_missing(meeting) if missing is None else missing
    if not missing:
        return None
    verb = "was" if len(missing) == 1 else "were"
    return f"The meeting was not quorate: {_listed(missing)} {verb} not recorded as present."


def _meeting_gaps(review: Review, meeting: PanelMeeting, rule: QuorumRule) -> tuple[int, list[str]]:
    """What this meeting lacks to have considered ``review``, each in words (empty when it did), and
    how far it is from it: a meeting still to be held lacks all three of held, quorate and recorded."""
    when = f"{meeting.held_on:%-d %B %Y}"
    if meeting.held_on > timezone.localdate():
        return 3, [f"The panel meeting of {when}, with {review} on its agenda, has not been held yet."]
    gaps = []
    missing = quorum_missing(meeting, rule, meeting.invitations.all())
    if missing:
        verb = "was" if len(missing) == 1 else "were"
        gaps.append(f"The panel meeting of {when} was not quorate: {_listed(missing)} {verb} not recorded as present.")
    if not (meeting.decided or meeting.minutes.strip()):  # type: ignore[attr-defined]
        gaps.append(f"Neither a decision on {review} nor minutes are recorded for the panel meeting of {when}.")
    return len(gaps), gaps


@condition
def panel_meeting_held(review: Review) -> str | None:
    """Panel → findings. Two queries whatever the number of meetings: the meetings with the review on
    their agenda (with whether a decision on it was recorded, and the partnership's quorum rule), and
    their invitations with agencies. The reason names what the meeting that came closest lacks."""
    from reviews.conditions.child_death import is_child_death
    from reviews.models.panels import PanelDecision, PanelInvitation, PanelMeeting, QuorumRule

    if is_child_death(review):
        return None  # its panel stage is the child death review meeting (conditions/child_death.py)
    meetings = list(
        PanelMeeting.objects.filter(agenda__review=review)
        .select_related("partnership__quorum_rule")
        .annotate(decided=Exists(PanelDecision.objects.filter(meeting=OuterRef("pk"), review=review)))
        .prefetch_related(Prefetch("invitations", queryset=PanelInvitation.objects.select_related("agency")))
        .order_by("-held_on", "-id")
    )
    if not meetings:
        return (
            f"{review} has not been on the agenda of a panel meeting: add it to a meeting's agenda, hold the "
            "meeting with a quorum, and record the panel's decision or the minutes."
        )
    partnership = meetings[0].partnership
    # Without a row of its own the partnership has the default rule (chair, police, health, local authority).
    rule = getattr(partnership, "quorum_rule", None) or QuorumRule(partnership=partnership)
    # The latest meeting that lacks the least: a later one still to be held does not hide one held.
    _, gaps = min((_meeting_gaps(review, meeting, rule) for meeting in meetings), key=lambda found: found[0])
    return " ".join(gaps) or None
