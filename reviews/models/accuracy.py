"""The factual accuracy round: a draft of the overview report sent to chosen agencies with a due
date. Each agency's lead comments per section or confirms there are no factual inaccuracies; the
reviewer answers each comment. The round closes when every agency has answered or the day after
its due date (reviews.services.accuracy), and its record stays with the review: never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ClosedBecause(models.TextChoices):
    ALL_ANSWERED = "all_answered", "Every agency answered"
    DATE_PASSED = "date_passed", "The due date passed"


class AccuracyRound(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="accuracy_rounds")
    version = models.ForeignKey("reviews.ReportVersion", on_delete=models.PROTECT, related_name="accuracy_rounds")
    due_date = models.DateField(help_text="Comments are taken up to the end of this day.")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_because = models.CharField(max_length=20, choices=ClosedBecause.choices, blank=True)

    class Meta:
        ordering = ["review", "-sent_at"]
        constraints = [
            # One round at a time: agencies comment on one draft.
            models.UniqueConstraint(
                fields=["review"], condition=models.Q(closed_at__isnull=True), name="accuracyround_one_open"
            ),
            models.CheckConstraint(
                condition=(models.Q(closed_at__isnull=True) & models.Q(closed_because=""))
                | (models.Q(closed_at__isnull=False) & ~models.Q(closed_because="")),
                name="accuracyround_closed_with_reason",
            ),
        ]
        indexes = [
            # The periodic close: open rounds past their date.
            models.Index(fields=["due_date"], name="accuracyround_open_due", condition=models.Q(closed_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.review} factual accuracy round (version {self.version.number})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RoundAgency(models.Model):
    """One agency asked in a round; ``answered_at`` once its lead confirmed or sent their comments."""

    round = models.ForeignKey(AccuracyRound, on_delete=models.PROTECT, related_name="agencies")
    agency = models.ForeignKey("reviews.Agency", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    no_inaccuracies = models.BooleanField(default=False, help_text="Confirmed: no factual inaccuracies.")

    class Meta:
        ordering = ["round", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "agency"], name="roundagency_unique_agency"),
            models.CheckConstraint(
                condition=models.Q(no_inaccuracies=False) | models.Q(answered_at__isnull=False),
                name="roundagency_confirmed_is_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} in {self.round}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class AccuracyComment(models.Model):
    round = models.ForeignKey(AccuracyRound, on_delete=models.PROTECT, related_name="comments")
    agency = models.ForeignKey("reviews.Agency", on_delete=models.PROTECT, related_name="+")
    section = models.ForeignKey("reviews.ReportSection", on_delete=models.PROTECT, related_name="accuracy_comments")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "section__position", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.agency} on {self.section}"


class ResponseOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    CHANGED = "changed", "Changed"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class CommentResponse(models.Model):
    comment = models.OneToOneField(AccuracyComment, on_delete=models.PROTECT, related_name="response")
    outcome = models.CharField(max_length=20, choices=ResponseOutcome.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="not_accepted") | ~models.Q(reason=""),
                name="commentresponse_not_accepted_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.comment}"
