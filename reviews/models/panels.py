"""Panel meetings: who was invited and came, which reviews were on the agenda, the minutes, and
the decision taken on each review, recorded only when the meeting was quorate."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviews.models.partnerships import AgencyKind

# Quorum groups: the statutory partners are the local authority, health and the police (docs/DOMAIN.md).
# "Health" is met by any health agency; the local authority by children's social care.
HEALTH_KINDS: tuple[str, ...] = (
    AgencyKind.ACUTE_HEALTH,
    AgencyKind.COMMUNITY_HEALTH,
    AgencyKind.PRIMARY_CARE,
    AgencyKind.MENTAL_HEALTH,
    AgencyKind.AMBULANCE,
)


class QuorumGroup(models.TextChoices):
    POLICE = "police", "the police"
    HEALTH = "health", "health (any health agency)"
    LOCAL_AUTHORITY = "local_authority", "the local authority (children's social care)"
    EDUCATION = "education", "education"
    PROBATION = "probation", "probation"


QUORUM_GROUP_KINDS: dict[str, tuple[str, ...]] = {
    QuorumGroup.POLICE: (AgencyKind.POLICE,),
    QuorumGroup.HEALTH: HEALTH_KINDS,
    QuorumGroup.LOCAL_AUTHORITY: (AgencyKind.CHILDRENS_SOCIAL_CARE,),
    QuorumGroup.EDUCATION: (AgencyKind.EDUCATION, AgencyKind.EARLY_YEARS),
    QuorumGroup.PROBATION: (AgencyKind.PROBATION,),
}


def _default_quorum_groups() -> list[str]:
    return [QuorumGroup.POLICE.value, QuorumGroup.HEALTH.value, QuorumGroup.LOCAL_AUTHORITY.value]


class QuorumRule(models.Model):
    """A partnership's quorum for panel decisions [practice]. Without a row the default applies:
    the chair plus the police, health and the local authority present."""

    partnership = models.OneToOneField("reviews.Partnership", on_delete=models.CASCADE, related_name="quorum_rule")
    chair_required = models.BooleanField(default=True)
    required_groups = models.JSONField(
        default=_default_quorum_groups, help_text="Quorum groups that must be present (see QuorumGroup)."
    )

    def __str__(self) -> str:
        return f"Quorum of {self.partnership}"


class PanelMeeting(models.Model):
    partnership = models.ForeignKey("reviews.Partnership", on_delete=models.PROTECT, related_name="panel_meetings")
    held_on = models.DateField("date of the meeting")
    title = models.CharField(max_length=200, blank=True, help_text="E.g. 'Rapid review panel'.")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panels_chaired")
    minutes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["partnership", "held_on"], name="panelmeeting_partnership_date")]

    def __str__(self) -> str:
        return f"{self.title or 'Panel meeting'} on {self.held_on:%d %b %Y}"


class PanelInvitation(models.Model):
    """An invited member, the agency they represent (if any), and whether they came."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_invitations")
    agency = models.ForeignKey("reviews.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    attended = models.BooleanField(null=True, blank=True, help_text="Empty until attendance is recorded.")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="panelinvitation_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}"


class PanelAgendaItem(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="agenda")
    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="panel_agenda_items")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "review"], name="panelagenda_unique_review")]

    def __str__(self) -> str:
        return f"{self.review} at {self.meeting}"


class DecisionOutcome(models.TextChoices):
    # A rapid review's three outcomes (docs/DOMAIN.md "Rapid review").
    LOCAL_CSPR = "local_cspr", "Local child safeguarding practice review"
    NO_LOCAL_REVIEW = "no_local_review", "No local review (other action)"
    NATIONAL_REVIEW = "national_review", "Refer to the national Panel for a national review"
    # Any other review: the panel's decision in words.
    RECORDED = "recorded", "Decision recorded"


RAPID_REVIEW_OUTCOMES = (DecisionOutcome.LOCAL_CSPR, DecisionOutcome.NO_LOCAL_REVIEW, DecisionOutcome.NATIONAL_REVIEW)


class PanelDecision(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.PROTECT, related_name="decisions")
    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="panel_decisions")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    rationale = models.TextField()
    other_action = models.TextField(blank=True, help_text="With no local review: the other action agreed.")
    resulting_review = models.ForeignKey(
        "reviews.Review",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The CSPR a rapid review was converted into.",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "review"], name="paneldecision_one_per_review")]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_outcome_display()}"
