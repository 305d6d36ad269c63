"""Actions: what each recommendation becomes, tracked until the partnership agrees it is done.

open → in_progress → completed (with evidence) → verified by the coordinator on the partnership's
behalf, never by the owner; or returned (completed → in_progress, with a reason); or closed as not
implemented with a recorded reason (adult boards must report why).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from reviews.conditions.actions import not_verified_by_its_completer, not_verified_by_its_owner, review_still_open
from reviews.models.roles import review_role_permission
from workflows.conditions import Permission

if TYPE_CHECKING:
    from reviews.models.review import Review
    from workflows.calendar import HasClosureDays
    from workflows.types import AnyUser, User


class ActionState(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed (awaiting verification)"
    VERIFIED = "verified", "Verified"
    CLOSED_NOT_IMPLEMENTED = "closed_not_implemented", "Closed: not implemented"


# Nothing more is expected of an action in these states; a review closes only when all are.
SETTLED_ACTION_STATES = (ActionState.VERIFIED, ActionState.CLOSED_NOT_IMPLEMENTED)
# The owner still has work to do (the due date is chased).
ACTIVE_ACTION_STATES = (ActionState.OPEN, ActionState.IN_PROGRESS)
DONE_ACTION_STATES = (ActionState.COMPLETED, ActionState.VERIFIED)


class Rag(models.TextChoices):
    RED = "red", "Red: overdue"
    AMBER = "amber", "Amber: due within 10 working days"
    GREEN = "green", "Green"


# Amber: due within this many working days and not completed [practice].
AMBER_WORKING_DAYS = 10


def _review_of(action: Action) -> Review:
    return action.review


# Verifying, returning and closing an action are the partnership's, through the review's coordinator.
is_coordinator: Permission[Action] = review_role_permission("coordinate_review", _review_of)


def _owner_lead_or_coordinator(action: Action, user: AnyUser) -> bool:
    from reviews.permissions import is_owner_lead  # permissions imports the models

    return is_owner_lead(user, action) or is_coordinator.check(action, user)


def _needs_owner_lead_or_coordinator(action: Action, doing: str) -> str:
    from reviews.permissions import lead_refusal  # permissions imports the models

    return lead_refusal(action.review, action.owner_agency, doing, or_coordinator=True)


# The owning agency works on its action; the coordinator may record the work on its behalf.
owner_lead_or_coordinator: Permission[Action] = Permission(
    _owner_lead_or_coordinator, name="owner_lead_or_coordinator", refusal=_needs_owner_lead_or_coordinator
)


class Action(FSMModelMixin, models.Model):
    recommendation = models.ForeignKey("reviews.Recommendation", on_delete=models.PROTECT, related_name="actions")
    # Denormalised from the recommendation so the tracker and the close condition are one indexed scan.
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField(help_text="Within its recommendation: R2.1, R2.2 ...")
    description = models.TextField("what will be done")
    owner_agency = models.ForeignKey("reviews.Agency", on_delete=models.PROTECT, related_name="actions")
    owner_role = models.CharField(
        max_length=120, help_text="The role answerable for it in the agency, e.g. 'Head of safeguarding'."
    )
    due_date = models.DateField()
    success_measure = models.TextField()
    state = FSMField(default=ActionState.OPEN, choices=ActionState.choices, protected=True)
    evidence = models.TextField(blank=True, help_text="Evidence of completion.")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    not_implemented_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "recommendation__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "number"], name="action_unique_number"),
            models.CheckConstraint(
                condition=~models.Q(state="closed_not_implemented") | ~models.Q(not_implemented_reason=""),
                name="action_not_implemented_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["completed", "verified"]) | ~models.Q(evidence=""),
                name="action_completed_has_evidence",
            ),
        ]
        indexes = [
            models.Index(fields=["review", "state"], name="action_review_state"),
            models.Index(fields=["owner_agency", "state", "due_date"], name="action_agency_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.review} action {self.code}"

    @property
    def code(self) -> str:
        # Reads the recommendation's number; listings select_related it.
        return f"R{self.recommendation.number}.{self.number}"

    @property
    def is_settled(self) -> bool:
        return self.state in SETTLED_ACTION_STATES

    @property
    def is_done(self) -> bool:
        return self.state in DONE_ACTION_STATES

    def rag(self, today: date, calendar: HasClosureDays | None = None, *, amber_until: date | None = None) -> str:
        """Red: overdue; amber: due within 10 working days without completion; green otherwise.

        An action closed as not implemented has no RAG: nothing more will happen to it. A listing
        passes ``amber_until`` worked out once per partnership rather than once per row.
        """
        if self.state == ActionState.CLOSED_NOT_IMPLEMENTED:
            return ""
        if self.is_done:
            return Rag.GREEN
        if self.due_date < today:
            return Rag.RED
        if amber_until is None:
            from workflows.calendar import add_working_days

            amber_until = add_working_days(today, AMBER_WORKING_DAYS, calendar)
        if self.due_date <= amber_until:
            return Rag.AMBER
        return Rag.GREEN

    # --- transitions (instance only; reviews.services.actions saves, logs and notifies) ---
    # (workflows.runner saves the fields a transition set; one that needs a reason is given it.)
    # Each reads the recommendation's number (``code``) and the review, which the service's
    # queryset joins in.

    @transition(
        field=state,
        source=ActionState.OPEN,
        target=ActionState.IN_PROGRESS,
        permission=owner_lead_or_coordinator,
        custom={"label": "Start work", "doing": "start work on the action", "refusals": [review_still_open]},
    )
    def start(self) -> None:
        pass

    @transition(
        field=state,
        source=[ActionState.OPEN, ActionState.IN_PROGRESS],
        target=ActionState.COMPLETED,
        permission=owner_lead_or_coordinator,
        custom={"label": "Mark as completed", "doing": "mark the action as completed", "refusals": [review_still_open]},
    )
    def complete(self, by: User, evidence: str) -> None:
        evidence = evidence.strip()
        if not evidence:
            raise ValidationError(
                {
                    "evidence": f"Give the evidence of completion of {self.code}: what was done and how it "
                    "meets the success measure."
                }
            )
        self.evidence = evidence
        self.completed_by, self.completed_at = by, timezone.now()

    @transition(
        field=state,
        source=ActionState.COMPLETED,
        target=ActionState.VERIFIED,
        permission=is_coordinator,
        custom={
            "label": "Verify on the partnership's behalf",
            "doing": "verify the action on the partnership's behalf",
            # Closure is approved by the partnership, not by the owner (docs/DOMAIN.md "Action tracking").
            "refusals": [review_still_open, not_verified_by_its_completer, not_verified_by_its_owner],
        },
    )
    def verify(self, by: User) -> None:
        self.verified_by, self.verified_at = by, timezone.now()

    @transition(
        field=state,
        source=ActionState.COMPLETED,
        target=ActionState.IN_PROGRESS,
        permission=is_coordinator,
        custom={
            "label": "Return to the owner",
            "doing": "return the action to its owner",
            "needs_reason": True,
            "refusals": [review_still_open],
        },
    )
    def return_to_owner(self, reason: str) -> None:
        self.return_reason = reason

    @transition(
        field=state,
        source=[ActionState.OPEN, ActionState.IN_PROGRESS, ActionState.COMPLETED],
        target=ActionState.CLOSED_NOT_IMPLEMENTED,
        permission=is_coordinator,
        custom={
            "label": "Close as not implemented",
            "doing": "close the action as not implemented",
            "needs_reason": True,
            "refusals": [review_still_open],
        },
    )
    def close_not_implemented(self, reason: str) -> None:
        self.not_implemented_reason = reason


class ActionUpdate(models.Model):
    """A dated progress note on an action, written by its owner or the coordinator."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    progress_on = models.DateField("date of the progress")
    note = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["progress_on", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.progress_on:%d %b %Y}"


def _evidence_path(instance: ActionEvidenceFile, filename: str) -> str:
    # A random name on disk: nothing the uploader typed becomes part of a path.
    import uuid

    return f"action-evidence/{instance.action.review_id}/{uuid.uuid4().hex}"


class ActionEvidenceFile(models.Model):
    """A file attached as evidence of completion. Stored under MEDIA_ROOT, never served by URL:
    only reviews.views.action_evidence hands it out, after the same check as the action's page."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.original_name}"
