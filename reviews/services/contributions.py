"""Asking agencies for their contributions and moving each through its states."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviews.models import Agency, PartnershipMember, Review, ReviewRole, ReviewState, Role
from reviews.models.contributions import AgencyContribution, Ask, ContributionState, DueDateChange
from reviews.permissions import require_agency_lead, require_review_perm
from reviews.selectors.contributions import default_due_date
from reviews.services.agencyforms import agency_forms_ask
from reviews.services.deadlines import contribution_deadline_sync
from reviews.services.roles import lead_refusal, role_assign
from reviews.services.webhooks import contribution_requested
from workflows.audit import audit_record
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused, run_transition
from workflows.types import User

# Stages in which a coordinator may ask agencies for contributions (issue 3).
REQUESTING_STAGES = (ReviewState.SCOPING, ReviewState.AGENCY_SUBMISSIONS)


def contribution_request(
    *,
    actor: User,
    review_id: int,
    agency: Agency,
    lead: User,
    asks: list[str],
    due_date: date | None = None,
    due_date_reason: str = "",
    forms: Sequence[str] = (),
) -> AgencyContribution:
    """The coordinator invites one agency. The named lead gets the agency-lead role if needed.
    ``forms`` names the structured agency forms asked for (reviews.models.agencyforms), by key."""
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        require_review_perm(actor, "coordinate_review", review, "ask agencies for contributions")
        errors: dict[str, str] = {}
        if review.state not in REQUESTING_STAGES:
            raise TransitionRefused(
                f"{review} is at {review.get_state_display()}: agencies are asked for contributions "
                "during scoping or agency submissions."
            )
        if not agency.partnerships.filter(pk=review.partnership_id).exists():
            errors["agency"] = f"{agency} does not serve {review.partnership}."
        elif AgencyContribution.objects.filter(review=review, agency=agency).exists():
            errors["agency"] = f"{agency} has already been asked on this review."
        unknown = [a for a in asks if a not in Ask.values]
        if not asks and not forms:
            errors["asks"] = "Choose at least one thing to ask for."
        elif unknown:
            errors["asks"] = f"Not something that can be asked for: {', '.join(unknown)}."
        default = default_due_date(review)
        if due_date is None:
            due_date = default
        elif due_date < timezone.localdate():
            errors["due_date"] = "The due date is in the past."
        elif due_date != default and not due_date_reason.strip():
            errors["due_date_reason"] = (
                f"The usual due date is {default:%d %B %Y}: give a reason for choosing {due_date:%d %B %Y}."
            )
        # Checked before anything is written: a lead who does not work for the agency is never given
        # the role, nor told of a request (the deadline below announces it by e-mail).
        if (
            "agency" not in errors
            and not PartnershipMember.objects.filter(
                user=lead, partnership_id=review.partnership_id, agency=agency
            ).exists()
        ):
            errors["lead"] = lead_refusal(lead, agency)
        if errors:
            raise ValidationError(errors)
        existing_role = ReviewRole.objects.filter(review=review, user=lead, role=Role.AGENCY_LEAD).first()
        if existing_role is None:
            role_assign(review=review, user=lead, role=Role.AGENCY_LEAD, agency=agency)
        elif existing_role.agency_id != agency.pk:
            raise ValidationError({"lead": f"{lead} is already the lead for {existing_role.agency} on this review."})
        contribution = AgencyContribution.objects.create(
            review=review, agency=agency, lead=lead, asks=list(asks), due_date=due_date
        )
        agency_forms_ask(contribution, forms)
        contribution_deadline_sync(contribution)
        contribution_requested(contribution)
        audit_record(
            actor=actor,
            verb="contribution.requested",
            target=review,
            agency=str(agency),
            asks=list(asks),
            forms=list(forms),
            due_date=due_date.isoformat(),
            due_date_reason=due_date_reason.strip(),
        )
    return contribution


def contribution_advance(
    *, actor: User, contribution_id: int, transition: str, reason: str = "", expected_state: str | None = None
) -> AgencyContribution:
    """Start, submit, resubmit, accept, return, nil return or waive one contribution."""

    def after(contribution: AgencyContribution, log: TransitionLog) -> None:
        contribution_deadline_sync(contribution)
        audit_record(
            actor=actor,
            verb=f"contribution.{transition}",
            target=contribution.review,
            agency=str(contribution.agency),
            reason=reason.strip(),
        )

    return run_transition(
        # The lead too: the deadline's recipient, read by contribution_deadline_sync in ``after``.
        queryset=AgencyContribution.objects.select_related("review", "agency", "lead"),
        pk=contribution_id,
        name=transition,
        actor=actor,
        reason=reason,
        expected_state=expected_state,
        after=after,
    )


def contribution_change_due_date(
    *, actor: User, contribution_id: int, new_due_date: date, reason: str
) -> DueDateChange:
    with transaction.atomic():
        contribution = (
            AgencyContribution.objects.select_for_update(of=("self",)).select_related("review").get(pk=contribution_id)
        )
        require_review_perm(actor, "coordinate_review", contribution.review, "change a due date")
        errors = _due_date_errors(contribution, new_due_date, reason)
        if errors:
            raise ValidationError(errors)
        change = DueDateChange.objects.create(
            contribution=contribution,
            status=DueDateChange.Status.MOVED,
            old_due_date=contribution.due_date,
            proposed_due_date=new_due_date,
            reason=reason.strip(),
            asked_by=actor,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        contribution.due_date = new_due_date
        contribution.save(update_fields=["due_date"])
        contribution_deadline_sync(contribution)
        audit_record(
            actor=actor,
            verb="contribution.due_date_moved",
            target=contribution.review,
            agency=str(contribution.agency),
            to=new_due_date.isoformat(),
            reason=reason.strip(),
        )
    return change


# The states in which an agency still works towards its due date, so the date can move.
EXTENDABLE_STATES = (ContributionState.REQUESTED, ContributionState.IN_PROGRESS, ContributionState.RETURNED)


def contribution_request_extension(
    *, actor: User, contribution_id: int, proposed_due_date: date, reason: str
) -> DueDateChange:
    with transaction.atomic():
        contribution = (
            AgencyContribution.objects.select_for_update(of=("self",)).select_related("review").get(pk=contribution_id)
        )
        require_agency_lead(actor, contribution, "ask for an extension")
        errors = _due_date_errors(contribution, proposed_due_date, reason)
        if proposed_due_date <= contribution.due_date:
            errors.setdefault("proposed_due_date", "An extension must be later than the current due date.")
        if contribution.due_date_changes.filter(status=DueDateChange.Status.REQUESTED).exists():
            errors["proposed_due_date"] = "An extension request is already waiting for the coordinator."
        if errors:
            raise ValidationError(errors)
        change = DueDateChange.objects.create(
            contribution=contribution,
            status=DueDateChange.Status.REQUESTED,
            old_due_date=contribution.due_date,
            proposed_due_date=proposed_due_date,
            reason=reason.strip(),
            asked_by=actor,
        )
        audit_record(
            actor=actor,
            verb="contribution.extension_requested",
            target=contribution.review,
            to=proposed_due_date.isoformat(),
            reason=reason.strip(),
        )
    return change


def contribution_decide_extension(
    *, actor: User, change_id: int, grant: bool, note: str = "", granted_due_date: date | None = None
) -> DueDateChange:
    with transaction.atomic():
        # The request row first (a second decision waits here, then sees it decided), then its
        # contribution, loaded with what the checks and the deadline read.
        change = DueDateChange.objects.select_for_update().get(pk=change_id)
        contribution = (
            AgencyContribution.objects.select_for_update(of=("self",))
            .select_related("review", "agency")
            .get(pk=change.contribution_id)
        )
        require_review_perm(actor, "coordinate_review", contribution.review, "decide an extension")
        if change.status != DueDateChange.Status.REQUESTED:
            raise TransitionRefused(f"This extension request was already {change.get_status_display().lower()}.")
        if not grant and not note.strip():
            raise ValidationError({"note": "Say why the extension is refused; the agency lead will see it."})
        if grant and contribution.state not in EXTENDABLE_STATES:
            # Asked for while the agency was still working, decided after it submitted (or was
            # waived): there is no due date left to move. Refusing, with a note, still closes it.
            # On the decision field, so the form comes back with the coordinator's note kept.
            raise ValidationError(
                {
                    "decision": f"The contribution is {contribution.get_state_display().lower()}: there is no due "
                    "date left to extend. Refuse the request instead, with a note."
                }
            )
        new_date = granted_due_date or change.proposed_due_date
        if grant and new_date < timezone.localdate():
            raise ValidationError({"granted_due_date": "The new due date is in the past."})
        change.status = DueDateChange.Status.GRANTED if grant else DueDateChange.Status.REFUSED
        change.decided_by, change.decided_at, change.decision_note = actor, timezone.now(), note.strip()
        if grant:
            change.proposed_due_date = new_date
            contribution.due_date = new_date
            contribution.save(update_fields=["due_date"])
            contribution_deadline_sync(contribution)
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "proposed_due_date"])
        audit_record(
            actor=actor,
            verb=f"contribution.extension_{change.status}",
            target=contribution.review,
            to=new_date.isoformat(),
            note=note.strip(),
        )
    return change


def _due_date_errors(contribution: AgencyContribution, new_due_date: date, reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if new_due_date < timezone.localdate():
        errors["proposed_due_date"] = "The new due date is in the past."
    if not reason.strip():
        errors["reason"] = "Give the reason for the new due date."
    if contribution.state not in EXTENDABLE_STATES:
        errors["proposed_due_date"] = (
            f"The contribution is {contribution.get_state_display().lower()}: no date to move."
        )
    return errors
