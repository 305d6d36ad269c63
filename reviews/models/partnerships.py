"""Partnerships (the tenant), their members, agencies and closure days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models


def _all_kinds() -> list[str]:
    from reviews.models.review import ReviewKind

    return [kind.value for kind in ReviewKind]


class RapidReviewStart(models.TextChoices):
    # Current guidance starts the 15 working days when the notification reaches the Panel; older
    # guidance started them when the local authority became aware (docs/DOMAIN.md) -- so it is a setting.
    NOTIFIED = "notified_on", "notification sent to the national Panel (current guidance)"
    BECAME_AWARE = "became_aware_on", "the local authority becoming aware (older guidance)"


class Partnership(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,10}$", "Use 2 to 10 capital letters, e.g. NSCP.")],
        help_text="Starts every review reference, e.g. NSCP-CSPR-2026-004.",
    )
    review_kinds = models.JSONField(
        default=_all_kinds,
        help_text="The kinds of review this partnership runs (an adults board runs SARs, not CDRs).",
    )
    rapid_review_clock_start = models.CharField(
        max_length=30, choices=RapidReviewStart.choices, default=RapidReviewStart.NOTIFIED
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def closure_dates(self) -> Iterable[date]:
        # Uses a prefetched `closure_days` when the caller prefetched it (dashboard), so a page
        # of reviews costs one query for all closures, not one per review.
        return [closure.date for closure in self.closure_days.all()]

    def runs_kind(self, kind: str) -> bool:
        return kind in (self.review_kinds or [])


class ClosureDay(models.Model):
    """A day the partnership's business unit is closed (e.g. a council's Christmas shutdown)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "date"], name="closureday_unique_per_partnership")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y}: {self.reason}"


class PartnershipMember(models.Model):
    """A user's standing in a partnership, separate from roles on single reviews."""

    class Standing(models.TextChoices):
        COORDINATOR = "coordinator", "review coordinator (business unit)"
        ADMINISTRATOR = "administrator", "partnership administrator"
        MEMBER = "member", "member (roles on single reviews only)"
        # Partnership-wide oversight (docs/ACCESS.md): the business manager reads every review of
        # the partnership (never an identity) and its exact figures; the scrutineer its figures and
        # timeliness only, under disclosure control, never case text.
        BUSINESS_MANAGER = "business_manager", "business manager (every review, no identities)"
        SCRUTINEER = "scrutineer", "scrutineer (figures and timeliness only)"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    standing = models.CharField(max_length=20, choices=Standing.choices, default=Standing.MEMBER)
    # Only someone who works for an agency may lead its contribution to a review (issue 12):
    # empty for the business unit, independent chairs and reviewers.
    agency = models.ForeignKey(
        "reviews.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The agency this member works for; only its members may lead its contributions.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "user"], name="partnershipmember_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.partnership} ({self.get_standing_display()})"

    def clean(self) -> None:
        agency = self.agency
        if agency is not None and not agency.partnerships.filter(pk=self.partnership_id).exists():
            raise ValidationError({"agency": f"{agency} does not serve {self.partnership}."})


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ACUTE_HEALTH = "acute_health", "Acute health trust"
    COMMUNITY_HEALTH = "community_health", "Community health / health visiting"
    PRIMARY_CARE = "primary_care", "GP / primary care"
    MENTAL_HEALTH = "mental_health", "Mental health"
    EDUCATION = "education", "Education"
    EARLY_YEARS = "early_years", "Early years provider"
    PROBATION = "probation", "Probation"
    AMBULANCE = "ambulance", "Ambulance"
    OTHER = "other", "Other"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True, help_text="As shown in lists, e.g. 'Police'.")
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    # Persistent lateness escalates to this person as well as the coordinator (issue 4).
    senior_manager_name = models.CharField(max_length=200, blank=True)
    senior_manager_email = models.EmailField(blank=True)
    # One agency (a police force, an NHS trust) may serve several partnerships.
    partnerships = models.ManyToManyField(Partnership, related_name="agencies", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.short_name or self.name
