"""An agency's contribution to a review: the request, its due date and the agency report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from reviews.conditions.contributions import has_required_content
from reviews.models.roles import review_role_permission
from workflows.conditions import Permission

if TYPE_CHECKING:
    from reviews.models.review import Review
    from workflows.types import AnyUser


class Ask(models.TextChoices):
    CHRONOLOGY = "chronology", "Chronology"
    AGENCY_REPORT = "agency_report", "Agency report (IMR)"
    CDR_REPORTING_FORM = "cdr_reporting_form", "CDR reporting form"
    RAPID_REVIEW_SUMMARY = "rapid_review_summary", "Rapid review agency summary"


class ContributionState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned to the agency"
    ACCEPTED = "accepted", "Accepted"
    NIL_RETURN = "nil_return", "Nil return (no involvement)"
    WAIVED = "waived", "Waived"


# A contribution in one of these no longer holds the review back from the panel.
SETTLED_STATES = (ContributionState.ACCEPTED, ContributionState.NIL_RETURN, ContributionState.WAIVED)


# The agency may still write entries and report sections.
EDITABLE_STATES = (ContributionState.REQUESTED, ContributionState.IN_PROGRESS, ContributionState.RETURNED)


def _leads_its_agency(contribution: AgencyContribution, user: AnyUser) -> bool:
    from reviews.permissions import is_agency_lead  # permissions imports the models

    return is_agency_lead(user, review_id=contribution.review_id, agency_id=contribution.agency_id)


def _needs_its_agency_lead(contribution: AgencyContribution, doing: str) -> str:
    from reviews.permissions import lead_refusal  # permissions imports the models

    return lead_refusal(contribution.review, contribution.agency, doing)


def _review_of(contribution: AgencyContribution) -> Review:
    return contribution.review


# The agency writes its contribution; the review's coordinator decides on it.
is_agency_lead: Permission[AgencyContribution] = Permission(
    _leads_its_agency, name="is_agency_lead", refusal=_needs_its_agency_lead
)
is_coordinator: Permission[AgencyContribution] = review_role_permission("coordinate_review", _review_of)


class AgencyContribution(FSMModelMixin, models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey("reviews.Agency", on_delete=models.PROTECT, related_name="contributions")
    asks = models.JSONField(default=list, help_text="What is asked of the agency (see Ask).")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contributions_led",
        help_text="The named agency lead answering for this agency on this review.",
    )
    due_date = models.DateField()
    state = FSMField(default=ContributionState.REQUESTED, choices=ContributionState.choices, protected=True)
    return_reason = models.TextField(blank=True, help_text="Why the coordinator returned the submission.")
    waiver_reason = models.TextField(blank=True)
    nil_return_note = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    times_submitted = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "agency"], name="contribution_one_per_agency"),
        ]
        indexes = [models.Index(fields=["state", "due_date"], name="contribution_state_due")]

    def __str__(self) -> str:
        return f"{self.review} / {self.agency}"

    @property
    def is_settled(self) -> bool:
        return self.state in SETTLED_STATES

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def ask_labels(self) -> list[str]:
        """What is asked, in words: the asks, then the agency forms by title (reviews.models.agencyforms)."""
        forms = (
            self.form_answers.all()  # prefetched with their forms by the list pages
            if "form_answers" in getattr(self, "_prefetched_objects_cache", {})
            else self.form_answers.select_related("form")
        )
        return [Ask(ask).label for ask in self.asks if ask in Ask.values] + [a.form.title for a in forms]

    # --- transitions (instance only; reviews.services.contributions saves, logs and notifies) ---
    # (workflows.runner saves the fields a transition set; one that needs a reason is given it.)

    @transition(
        field=state,
        source=ContributionState.REQUESTED,
        target=ContributionState.IN_PROGRESS,
        permission=is_agency_lead,
        custom={"label": "Start work", "doing": "start work on the contribution"},
    )
    def start(self) -> None:
        pass

    @transition(
        field=state,
        source=[ContributionState.REQUESTED, ContributionState.IN_PROGRESS],
        target=ContributionState.SUBMITTED,
        conditions=[has_required_content],
        permission=is_agency_lead,
        custom={
            "label": "Submit",
            "doing": "submit the contribution",
            "confirm": [
                "The {contribution} will be sent to the review coordinator: you cannot change it unless "
                "they return it to you."
            ],
        },
    )
    def submit(self) -> None:
        self.submitted_at = timezone.now()
        self.times_submitted += 1

    @transition(
        field=state,
        source=ContributionState.RETURNED,
        target=ContributionState.SUBMITTED,
        conditions=[has_required_content],
        permission=is_agency_lead,
        custom={"label": "Resubmit", "doing": "resubmit the contribution"},
    )
    def resubmit(self) -> None:
        self.submitted_at = timezone.now()
        self.times_submitted += 1

    @transition(
        field=state,
        source=ContributionState.SUBMITTED,
        target=ContributionState.ACCEPTED,
        permission=is_coordinator,
        custom={
            "label": "Accept",
            "doing": "accept the contribution",
            "confirm": [
                "The {contribution} will be accepted as it stands: it can no longer be returned to the agency "
                "for changes, and it counts towards the panel."
            ],
        },
    )
    def accept(self) -> None:
        pass

    @transition(
        field=state,
        source=ContributionState.SUBMITTED,
        target=ContributionState.RETURNED,
        permission=is_coordinator,
        custom={
            "label": "Return to the agency",
            "doing": "return the contribution to the agency",
            "needs_reason": True,
        },
    )
    def return_to_agency(self, reason: str) -> None:
        self.return_reason = reason

    @transition(
        field=state,
        source=[ContributionState.REQUESTED, ContributionState.IN_PROGRESS],
        target=ContributionState.NIL_RETURN,
        permission=is_agency_lead,
        custom={"label": "Record a nil return (no involvement)", "doing": "record a nil return", "needs_reason": True},
    )
    def record_nil_return(self, note: str) -> None:
        self.nil_return_note = note
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=[ContributionState.REQUESTED, ContributionState.IN_PROGRESS, ContributionState.RETURNED],
        target=ContributionState.WAIVED,
        permission=is_coordinator,
        custom={"label": "Waive", "doing": "waive the contribution", "needs_reason": True},
    )
    def waive(self, reason: str) -> None:
        self.waiver_reason = reason


class DueDateChange(models.Model):
    """Every change of a contribution's due date: moved by the coordinator, or an extension asked."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested by the agency"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"
        MOVED = "moved", "Moved by the coordinator"

    contribution = models.ForeignKey(AgencyContribution, on_delete=models.CASCADE, related_name="due_date_changes")
    status = models.CharField(max_length=10, choices=Status.choices)
    old_due_date = models.DateField()
    proposed_due_date = models.DateField()
    reason = models.TextField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        constraints = [
            # At most one open extension request per contribution.
            models.UniqueConstraint(
                fields=["contribution"], condition=models.Q(status="requested"), name="duedatechange_one_open_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contribution}: {self.old_due_date} to {self.proposed_due_date} ({self.status})"


REPORT_SECTIONS: list[tuple[str, str]] = [
    ("records_secured_on", "Date records were secured"),
    ("terms_of_reference", "Terms of reference answered"),
    ("context", "Context: workload, supervision, staffing"),
    ("methodology", "Methodology: records read, staff interviewed"),
    ("analysis", "Analysis: what happened and why, missed opportunities"),
    ("good_practice", "Good practice"),
    ("lessons", "Lessons"),
    ("recommendations", "The agency's own recommendations"),
]


class AgencyReport(models.Model):
    """The agency report (IMR in the older regime). Saved as a draft any number of times; the
    contribution's submission locks it, and a return reopens it with the reason shown."""

    contribution = models.OneToOneField(AgencyContribution, on_delete=models.CASCADE, related_name="report")
    records_secured_on = models.DateField(null=True, blank=True)
    terms_of_reference = models.TextField(blank=True)
    context = models.TextField(blank=True)
    methodology = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    good_practice = models.TextField(blank=True)
    lessons = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    author_role = models.CharField(
        max_length=120, blank=True, help_text="Written by someone not involved in the case: their role."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Agency report: {self.contribution}"

    def missing_sections(self) -> list[str]:
        return [label for field, label in REPORT_SECTIONS if not getattr(self, field)]
