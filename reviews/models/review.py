"""A review and its lifecycle: notification → scoping → agency submissions → panel → findings →
action tracking → closed, or withdrawn (not proceeding, with a rationale) before findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from reviews.conditions.actions import all_actions_settled
from reviews.conditions.child_death import cdop_review_recorded, cdr_meeting_held
from reviews.conditions.contributions import all_contributions_settled
from reviews.conditions.findings import findings_signed_off
from reviews.conditions.panels import panel_meeting_held
from reviews.conditions.review import (
    awareness_recorded,
    decision_recorded,
    has_chair,
    has_subject,
    notification_recorded,
    only_a_rapid_review,
)
from workflows.conditions import Permission

if TYPE_CHECKING:
    from workflows.conditions import Ask
    from workflows.types import AnyUser


class ReviewKind(models.TextChoices):
    CHILD_DEATH = "child_death", "Child death review"
    RAPID = "rapid_review", "Rapid review"
    CSPR = "cspr", "Local child safeguarding practice review"
    SCR = "scr", "Serious case review (legacy)"
    INSTITUTIONAL = "institutional", "Institutional / multi-child investigation"
    DHR = "dhr", "Domestic homicide review"
    SAR = "sar", "Safeguarding adults review"

    @classmethod
    def needs_notification(cls) -> set[str]:
        """Kinds whose scoping waits for the statutory notification to have been sent."""
        return {cls.RAPID, cls.SCR, cls.INSTITUTIONAL, cls.CHILD_DEATH}


REFERENCE_CODES: dict[str, str] = {
    ReviewKind.CHILD_DEATH: "CDR",
    ReviewKind.RAPID: "RR",
    ReviewKind.CSPR: "CSPR",
    ReviewKind.SCR: "SCR",
    ReviewKind.INSTITUTIONAL: "INV",
    ReviewKind.DHR: "DHR",
    ReviewKind.SAR: "SAR",
}


class ReviewState(models.TextChoices):
    NOTIFICATION = "notification", "Notification"
    SCOPING = "scoping", "Scoping"
    AGENCY_SUBMISSIONS = "agency_submissions", "Agency submissions"
    PANEL = "panel", "Panel"
    FINDINGS = "findings", "Findings"
    ACTION_TRACKING = "action_tracking", "Action tracking"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn (not proceeding)"


# The spine in order; a clock that stops at a stage also stops at any later one.
SPINE: list[str] = [
    ReviewState.NOTIFICATION,
    ReviewState.SCOPING,
    ReviewState.AGENCY_SUBMISSIONS,
    ReviewState.PANEL,
    ReviewState.FINDINGS,
    ReviewState.ACTION_TRACKING,
    ReviewState.CLOSED,
]
WITHDRAWABLE = SPINE[:4]  # "from any state before findings"


def _role_permission(codename: str) -> Permission[Review]:
    # permissions imports the models, so it is imported when a check runs.
    def check(review: Review, user: AnyUser) -> bool:
        from reviews.permissions import has_review_perm

        return has_review_perm(user, codename, review)

    def ask(review: Review, user: AnyUser) -> Ask | None:
        from reviews.permissions import review_perm_ask

        return review_perm_ask(user, codename)

    def refused(review: Review, doing: str) -> str:
        from reviews.permissions import refusal

        return refusal(review, codename, doing)

    # Asks its fact of the review's own row, so a step reads it with the conditions' facts.
    return Permission(check, name=f"has_{codename}", ask=ask, refusal=refused)


is_coordinator = _role_permission("coordinate_review")


class Review(FSMModelMixin, models.Model):
    partnership = models.ForeignKey("reviews.Partnership", on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=30, choices=ReviewKind.choices)
    reference = models.CharField(max_length=40, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    title = models.CharField(
        max_length=200,
        help_text="Free of identifying data: use pseudonyms, e.g. 'Child A (aged 2)' or 'Nursery Z'.",
    )
    state = FSMField(default=ReviewState.NOTIFICATION, choices=ReviewState.choices, protected=True)

    # Key dates. Each clock names which of these starts and stops it.
    became_aware_on = models.DateField("date the local authority became aware", null=True, blank=True)
    incident_on = models.DateField("date of death or incident", null=True, blank=True)
    notified_on = models.DateField("date the statutory notification was sent", null=True, blank=True)
    decision_on = models.DateField("date of the decision to initiate a review", null=True, blank=True)
    ofsted_notified_on = models.DateField("date Ofsted was notified", null=True, blank=True)
    lado_referred_on = models.DateField("date referred to the LADO", null=True, blank=True)
    # Stop dates: each stops one kind's clock (reviews/models/clocks.py), recorded by the coordinator.
    sent_to_panel_on = models.DateField("date the rapid review was sent to the national Panel", null=True, blank=True)
    published_on = models.DateField("date the review was published", null=True, blank=True)
    sent_to_qa_panel_on = models.DateField(
        "date the report was sent to the Home Office quality assurance panel", null=True, blank=True
    )
    # Onward notices (reviews/models/notices.py): each date stops the notice's clock and is recorded
    # with the notice, never on the key dates form.
    panel_replied_on = models.DateField("date the national Panel replied to the rapid review", null=True, blank=True)
    lac_death_notified_on = models.DateField(
        "date Ofsted and the Secretary of State were told of the looked-after child's death", null=True, blank=True
    )
    advance_copy_sent_on = models.DateField(
        "date the final report was sent to the Panel and the Secretary of State", null=True, blank=True
    )
    home_office_told_on = models.DateField("date the Home Office was told of the decision", null=True, blank=True)
    # The advance copy is owed 7 working days before publication: until the review is published its
    # clock counts back from this planned date, the one key date allowed to lie in the future.
    publication_planned_on = models.DateField("planned publication date", null=True, blank=True)
    # Publication is a recorded step (reviews/models/publication.py); these are its facts a clock
    # reads. A decision not to publish completes the review on its date, as publication would.
    publication_decision = models.CharField(
        max_length=20,
        blank=True,
        choices=[("full", "published in full"), ("summary", "a summary only"), ("not_published", "not published")],
    )
    publication_declined_on = models.DateField("date of the decision not to publish", null=True, blank=True)
    child_looked_after = models.BooleanField(
        "the child was looked after by a local authority",
        default=False,
        help_text="A looked-after child's death is also notified to Ofsted and the Secretary of State.",
    )
    # A child death review (reviews/models/child_death.py). Unexpected (True) starts the joint agency
    # response and its clocks; None until the notification dataset is recorded.
    death_unexpected = models.BooleanField("the death was unexpected", null=True, blank=True)
    # Stop dates recorded on the child death pages, never on the key dates form.
    jar_home_visit_on = models.DateField("date of the joint home visit", null=True, blank=True)
    jar_meeting_on = models.DateField("date of the initial information-sharing meeting", null=True, blank=True)
    cdr_meeting_on = models.DateField("date of the child death review meeting", null=True, blank=True)
    cdop_reviewed_on = models.DateField("date the CDOP reviewed the death", null=True, blank=True)

    converted_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="converted_to",
        help_text="The rapid review this review was commissioned from.",
    )
    withdrawal_rationale = models.TextField(blank=True)

    # Chronologies: entries after the cut-off are refused; the merged chronology stays with the
    # coordinator, chair and panel until it is released to the contributing agencies.
    chronology_cutoff_on = models.DateField(
        "chronology cut-off", null=True, blank=True, help_text="Agencies' entries may not be dated after this."
    )
    chronology_released_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "kind", "year", "sequence"], name="review_unique_sequence"),
            models.CheckConstraint(
                condition=~models.Q(state=ReviewState.WITHDRAWN) | ~models.Q(withdrawal_rationale=""),
                name="review_withdrawn_has_rationale",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "state"], name="review_partnership_state")]
        permissions = [
            ("coordinate_review", "Coordinate the review"),
            ("chair_review", "Chair the review and sign off findings"),
            ("sit_on_panel", "Sit on the review panel"),
            ("lead_agency_submission", "Lead an agency's submission"),
            ("scrutinise_review", "Scrutinise progress and timeliness"),
            ("view_identity", "See subjects' real names, NHS numbers and addresses"),
        ]

    def __str__(self) -> str:
        return self.reference

    # Labels that read naturally for each kind of review.
    @property
    def awareness_label(self) -> str:
        if self.kind == ReviewKind.SAR:
            return "The referral was received"
        if self.kind == ReviewKind.DHR:
            return "The police notified the community safety partnership"
        if self.kind == ReviewKind.CHILD_DEATH:
            return "The notifying professional became aware of the death"
        return "The local authority became aware"

    @property
    def notification_label(self) -> str:
        if self.kind == ReviewKind.CHILD_DEATH:
            return "The death was notified to the Child Death Overview Panel"
        return "The serious incident notification was sent to the national Panel"

    @property
    def publication_owed(self) -> bool:
        """Whether a report is still to be published (the advance copy's clock exists only then)."""
        return self.publication_declined_on is None

    @property
    def is_open(self) -> bool:
        return self.state not in (ReviewState.CLOSED, ReviewState.WITHDRAWN)

    def has_reached(self, state: str) -> bool:
        if self.state == ReviewState.WITHDRAWN or state not in SPINE:
            return False
        return SPINE.index(self.state) >= SPINE.index(state)

    # --- transitions: they change this instance only; services save, log and notify ---
    # (workflows.runner saves the fields a transition set; one that needs a reason is given it.)

    @transition(
        field=state,
        source=ReviewState.NOTIFICATION,
        target=ReviewState.SCOPING,
        conditions=[has_subject, awareness_recorded, notification_recorded],
        permission=is_coordinator,
        custom={"label": "Start scoping"},
    )
    def start_scoping(self) -> None:
        pass

    @transition(
        field=state,
        source=ReviewState.SCOPING,
        target=ReviewState.AGENCY_SUBMISSIONS,
        conditions=[has_subject],
        permission=is_coordinator,
        custom={"label": "Request agency submissions"},
    )
    def request_submissions(self) -> None:
        pass

    @transition(
        field=state,
        source=ReviewState.AGENCY_SUBMISSIONS,
        target=ReviewState.PANEL,
        conditions=[has_chair, all_contributions_settled],
        permission=is_coordinator,
        custom={"label": "Convene the panel"},
    )
    def convene_panel(self) -> None:
        pass

    @transition(
        field=state,
        source=ReviewState.PANEL,
        target=ReviewState.FINDINGS,
        conditions=[has_chair, panel_meeting_held, cdr_meeting_held],
        permission=is_coordinator,
        custom={"label": "Move to findings", "doing": "move the review to findings"},
    )
    def draft_findings(self) -> None:
        pass

    @transition(
        field=state,
        source=ReviewState.FINDINGS,
        target=ReviewState.ACTION_TRACKING,
        conditions=[findings_signed_off, cdop_review_recorded],
        permission=is_coordinator,
        custom={"label": "Start action tracking"},
    )
    def start_action_tracking(self) -> None:
        pass

    @transition(
        field=state,
        source=ReviewState.ACTION_TRACKING,
        target=ReviewState.CLOSED,
        conditions=[all_actions_settled],
        permission=is_coordinator,
        custom={
            "label": "Close the review",
            "doing": "close the review",
            "needs_reason": True,
            "reason_label": "Why is the review being closed?",
            "reason_required": "Give the reason for closing the review",
            # Said on the confirmation page (issue 12: irreversible steps were one click).
            "confirm": [
                "{review} will be closed: nothing more can be recorded on it, and no one is reminded of "
                "anything on it again.",
                "Your reason is kept in the review's history.",
            ],
        },
    )
    def close(self, reason: str) -> None:
        """``reason``: kept in the review's history (the step's log), nowhere else."""

    @transition(
        field=state,
        source=WITHDRAWABLE,
        target=ReviewState.WITHDRAWN,
        permission=is_coordinator,
        custom={"label": "Withdraw (not proceeding)", "doing": "withdraw the review", "needs_reason": True},
    )
    def withdraw(self, rationale: str) -> None:
        self.withdrawal_rationale = rationale

    @transition(
        field=state,
        source=[ReviewState.SCOPING, ReviewState.AGENCY_SUBMISSIONS, ReviewState.PANEL],
        target=ReviewState.CLOSED,
        conditions=[decision_recorded],
        permission=is_coordinator,
        custom={
            "label": "Convert into a local CSPR",
            "doing": "convert the rapid review into a local CSPR",
            "kinds": [ReviewKind.RAPID],
            "service": "convert",
            "refusals": [only_a_rapid_review],
            "needs_reason": True,
            "reason_label": "Why is it being converted?",
            "reason_required": "Give the reason for converting the rapid review, for example the partners' decision",
            "confirm": [
                "{review} will be closed, and a local child safeguarding practice review opened from it, at "
                "scoping, with its subjects, roles and key dates.",
                "Your reason is kept in the history of both reviews.",
            ],
            # How its row reads in a review's history, instead of "Scoping → Closed".
            "history": "Converted into a local CSPR",
        },
    )
    def convert_to_cspr(self, reason: str) -> None:
        """``reason``: kept in the history (the step's log) of the rapid review and of the CSPR."""
