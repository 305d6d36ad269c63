"""The review side of deadlines: what is due on a review, told to notifications as data.

notifications never imports reviews (docs/ARCHITECTURE.md); reviews registers its deadline sources and
"which reviews does this user coordinate" here (ReviewsConfig.ready), and its services call the
``*_sync`` functions inside their own transactions, so a deadline met, waived or moved stops or
reschedules its reminders in the same commit.

What goes into a deadline's context is what an e-mail may carry: the review reference, what is due
and a link. Never the review title, a child's name or NHS number.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.urls import reverse

from notifications.models import Deadline, DeadlineKind, DeadlineState
from notifications.registry import (
    DeadlineSpec,
    register_closure_days,
    register_coordinated_scopes,
)
from notifications.services import deadline_sync, deadlines_cancel_scope, deadlines_settle
from reviews.models import AgencyContribution, ClosureDay, ContributionState, Review, ReviewClock, Role, RoundAgency
from reviews.models.actions import ACTIVE_ACTION_STATES, DONE_ACTION_STATES, Action
from reviews.models.contributions import EDITABLE_STATES
from reviews.models.findings import Findings
from workflows.calendar import add_working_days
from workflows.types import User

# Submitted counts as met: reminders stop when the agency submits (issue 4), and start again if the
# coordinator returns the submission (RETURNED is editable, so open).
_MET = (ContributionState.SUBMITTED, ContributionState.ACCEPTED, ContributionState.NIL_RETURN)


def _coordinators(review: Review) -> list[User]:
    return list(User.objects.filter(review_roles__review=review, review_roles__role=Role.COORDINATOR).distinct())


def contribution_deadline_spec(
    contribution: AgencyContribution, coordinators: list[User] | None = None
) -> DeadlineSpec:
    review = contribution.review
    if not review.is_open:
        state = DeadlineState.CANCELLED
    elif contribution.state in EDITABLE_STATES:
        state = DeadlineState.OPEN
    elif contribution.state == ContributionState.WAIVED:
        state = DeadlineState.WAIVED
    elif contribution.state in _MET:
        state = DeadlineState.MET
    else:
        state = DeadlineState.CANCELLED
    agency = contribution.agency
    asks = ", ".join(label.lower() for label in contribution.ask_labels()) or "contribution"
    return DeadlineSpec(
        kind=DeadlineKind.CONTRIBUTION_DUE,
        due_date=contribution.due_date,
        state=state,
        owner_label=str(agency),
        scope=review.reference,
        calendar=partnership_calendar(review.partnership_id),
        context={
            "reference": review.reference,
            "what": f"{agency} contribution ({asks})",
            "owner": str(agency),
            "link": reverse("reviews:contribution", args=[review.reference, contribution.pk]),
        },
        recipients=[contribution.lead],
        escalation_recipients=_coordinators(review) if coordinators is None else coordinators,
        escalation_email=agency.senior_manager_email,
        escalation_name=agency.senior_manager_name,
        announce=True,
    )


def contribution_deadline_sync(contribution: AgencyContribution) -> None:
    """Call inside the service's transaction after the contribution changed (asked, stepped, moved)."""
    deadline_sync(target=contribution, spec=contribution_deadline_spec(contribution))


def _clock_state(clock: ReviewClock) -> str:
    if clock.stopped_on is None:
        return DeadlineState.OPEN
    return DeadlineState.CANCELLED if clock.abandoned else DeadlineState.MET


def clock_deadline_spec(clock: ReviewClock, coordinators: list[User] | None = None) -> DeadlineSpec:
    review = clock.review
    return DeadlineSpec(
        kind=DeadlineKind.CLOCK_DUE,
        due_date=clock.due_date,
        state=_clock_state(clock),
        owner_label="Review coordinator",
        scope=review.reference,
        calendar=partnership_calendar(review.partnership_id),
        context={
            "reference": review.reference,
            "what": clock.label,
            "owner": "Review coordinator",
            "link": reverse("reviews:review", args=[review.reference]),
        },
        recipients=_coordinators(review) if coordinators is None else coordinators,
    )


def review_clock_deadlines_sync(*, review: Review, clocks: Iterable[ReviewClock]) -> None:
    """Keep the clocks' deadlines in step; called by review_clocks_refresh on every refresh.

    Costs one query when nothing changed (most refreshes): the deadlines are compared with the clocks
    and only a clock whose due date or state differs is synced.
    """
    clocks = list(clocks)
    content_type = ContentType.objects.get_for_model(ReviewClock)
    existing = {
        object_id: (due, state)
        for object_id, due, state in Deadline.objects.filter(
            content_type=content_type, object_id__in=[c.pk for c in clocks], kind=DeadlineKind.CLOCK_DUE
        ).values_list("object_id", "due_date", "state")
    }
    stale = []
    for clock in clocks:
        wanted = (clock.due_date, _clock_state(clock))
        if clock.pk in existing:
            if existing[clock.pk] != wanted:
                stale.append(clock)
        elif clock.due_date is not None and wanted[1] == DeadlineState.OPEN:
            stale.append(clock)
    if stale:
        coordinators = _coordinators(review)
        for clock in stale:
            clock.review = review
            deadline_sync(target=clock, spec=clock_deadline_spec(clock, coordinators))
    if not review.is_open:
        # Closed or withdrawn: nothing on it is chased any more (its contributions included), except
        # its clocks still running, owed whatever the outcome (the rapid review sent to the Panel):
        # their deadlines follow their clocks, synced above.
        deadlines_cancel_scope(scope=review.reference, sparing=[DeadlineKind.CLOCK_DUE])


def review_clock_deadlines_cancel(*, clock_ids: list[int]) -> list[int]:
    """Clocks that no longer apply: their deadlines are cancelled and stop reminding."""
    return deadlines_settle(
        content_type=ContentType.objects.get_for_model(ReviewClock),
        object_ids=clock_ids,
        kind=DeadlineKind.CLOCK_DUE,
        state=DeadlineState.CANCELLED,
    )


def review_clock_deadlines_met(*, clock_ids: list[int]) -> list[int]:
    """Clocks of an open review have just stopped (reviews.services.clocks.review_clocks_stop): their
    deadlines are met, and reminders not yet sent are cancelled.

    An open review's stopped clock is never abandoned, so its deadline is met (``_clock_state``); the
    due date and coordinators stay as the last full sync left them, so only the state changes.
    """
    return deadlines_settle(
        content_type=ContentType.objects.get_for_model(ReviewClock),
        object_ids=clock_ids,
        kind=DeadlineKind.CLOCK_DUE,
        state=DeadlineState.MET,
    )


def _agency_leads(review: Review, agency_id: int) -> list[User]:
    return list(
        User.objects.filter(
            review_roles__review=review, review_roles__role=Role.AGENCY_LEAD, review_roles__agency_id=agency_id
        ).distinct()
    )


def action_deadline_spec(action: Action, coordinators: list[User] | None = None) -> DeadlineSpec:
    """An action is chased while its owner has work to do; completing it meets the deadline (a
    return to the owner reopens it), closing it as not implemented cancels it."""
    review = action.review
    if not review.is_open:
        state = DeadlineState.CANCELLED
    elif action.state in ACTIVE_ACTION_STATES:
        state = DeadlineState.OPEN
    elif action.state in DONE_ACTION_STATES:
        state = DeadlineState.MET
    else:
        state = DeadlineState.CANCELLED
    agency = action.owner_agency
    return DeadlineSpec(
        kind=DeadlineKind.ACTION_DUE,
        due_date=action.due_date,
        state=state,
        owner_label=f"{agency} ({action.owner_role})",
        scope=review.reference,
        calendar=partnership_calendar(review.partnership_id),
        context={
            "reference": review.reference,
            "what": f"Action {action.code} ({agency})",
            "owner": str(agency),
            "link": reverse("reviews:action", args=[review.reference, action.pk]),
        },
        recipients=_agency_leads(review, action.owner_agency_id),
        escalation_recipients=_coordinators(review) if coordinators is None else coordinators,
        escalation_email=agency.senior_manager_email,
        escalation_name=agency.senior_manager_name,
        announce=True,
    )


def action_deadline_sync(action: Action) -> None:
    """Call inside the service's transaction after the action changed (made, stepped)."""
    deadline_sync(target=action, spec=action_deadline_spec(action))


# How long the chair is given to read and sign off findings sent to them [practice]; the reminders
# follow the policy of the FINDINGS_SIGN_OFF kind (the admin's reminder policies).
SIGN_OFF_WORKING_DAYS = 10


def findings_sign_off_deadline_spec(findings: Findings, *, due_date: date) -> DeadlineSpec:
    """The chair is asked to sign off: told at once in the app and by e-mail (announced), then
    reminded; the coordinators are told if it runs late."""
    review = findings.review
    return DeadlineSpec(
        kind=DeadlineKind.FINDINGS_SIGN_OFF,
        due_date=due_date,
        state=DeadlineState.OPEN if review.is_open else DeadlineState.CANCELLED,
        owner_label="Chair",
        scope=review.reference,
        calendar=partnership_calendar(review.partnership_id),
        context={
            "reference": review.reference,
            "what": "Findings to sign off",
            "owner": "Chair",
            "link": reverse("reviews:findings_sign_off", args=[review.reference]),
        },
        recipients=list(User.objects.filter(review_roles__review=review, review_roles__role=Role.CHAIR).distinct()),
        escalation_recipients=_coordinators(review),
        announce=True,
    )


def findings_sign_off_deadline_sync(findings: Findings, *, today: date) -> None:
    """The findings were sent for sign-off: the chair's deadline opens (or moves, when sent again)."""
    due = add_working_days(today, SIGN_OFF_WORKING_DAYS, findings.review.partnership)
    deadline_sync(target=findings, spec=findings_sign_off_deadline_spec(findings, due_date=due), today=today)


def findings_sign_off_deadline_met(findings: Findings) -> None:
    """Signed off: the chair's deadline is met and reminders not yet sent are cancelled."""
    deadlines_settle(
        content_type=ContentType.objects.get_for_model(Findings),
        object_ids=[findings.pk],
        kind=DeadlineKind.FINDINGS_SIGN_OFF,
        state=DeadlineState.MET,
    )


def accuracy_deadline_spec(asked: RoundAgency, coordinators: list[User] | None = None) -> DeadlineSpec:
    """An agency asked for factual accuracy comments is chased until it answers (met) or the round
    closes without its answer (cancelled: the date passed, nothing more is taken)."""
    accuracy_round = asked.round
    review = accuracy_round.review
    if asked.answered_at is not None:
        state = DeadlineState.MET
    elif accuracy_round.closed_at is None and review.is_open:
        state = DeadlineState.OPEN
    else:
        state = DeadlineState.CANCELLED
    agency = asked.agency
    return DeadlineSpec(
        kind=DeadlineKind.ACCURACY_DUE,
        due_date=accuracy_round.due_date,
        state=state,
        owner_label=str(agency),
        scope=review.reference,
        calendar=partnership_calendar(review.partnership_id),
        context={
            "reference": review.reference,
            "what": f"{agency} factual accuracy comments on the overview report "
            f"(version {accuracy_round.version.number})",
            "owner": str(agency),
            "link": reverse("reviews:accuracy_round", args=[review.reference, accuracy_round.pk]),
        },
        recipients=[asked.lead],
        escalation_recipients=_coordinators(review) if coordinators is None else coordinators,
        escalation_email=agency.senior_manager_email,
        escalation_name=agency.senior_manager_name,
        announce=True,
    )


def accuracy_deadlines_sync(asked: Iterable[RoundAgency]) -> None:
    """Call inside the service's transaction after a round was sent, answered or closed."""
    coordinators: list[User] | None = None
    for row in asked:
        coordinators = _coordinators(row.round.review) if coordinators is None else coordinators
        deadline_sync(target=row, spec=accuracy_deadline_spec(row, coordinators))


def partnership_calendar(partnership_id: int) -> str:
    """A deadline's calendar key: the partnership whose closure days its reminders skip."""
    return str(partnership_id)


def partnership_closure_days(calendars: set[str]) -> dict[str, list[date]]:
    """Closure days of the partnerships named by calendar keys, in one query."""
    found: dict[str, list[date]] = {key: [] for key in calendars}
    ids = [int(key) for key in calendars if key.isdigit()]
    for partnership_id, day in ClosureDay.objects.filter(partnership_id__in=ids).values_list("partnership_id", "date"):
        found[partnership_calendar(partnership_id)].append(day)
    return found


def coordinated_references(user: User) -> QuerySet[Review, str]:
    return Review.objects.filter(roles__user=user, roles__role=Role.COORDINATOR).values_list("reference", flat=True)


def register() -> None:
    register_coordinated_scopes(coordinated_references)
    register_closure_days(partnership_closure_days)
