"""Moving a review through its stages, and converting a rapid review into a local CSPR."""

from __future__ import annotations

from typing import Any

from reviews.clock_rules import stage_stops_a_clock
from reviews.conditions import review_step_facts
from reviews.models import Review, ReviewKind, ReviewRole, ReviewState, Role
from reviews.services.clocks import review_clocks_refresh, review_clocks_stop
from reviews.services.opening import KEY_DATE_FIELDS, review_create
from reviews.services.roles import role_assign
from reviews.services.subjects import SubjectData, subject_create
from workflows.audit import audit_record
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused, run_transition

# Transitions with a service of their own (they do more than change the stage).
_OWN_SERVICE = {"convert_to_cspr"}


def _reviews() -> Any:
    return Review.objects.select_related("partnership")


def review_advance(
    *, actor: Any, review_id: int, transition: str, reason: str = "", expected_state: str | None = None
) -> Review:
    """Take one step of the lifecycle. Raises TransitionRefused or PermissionDenied."""
    if transition in _OWN_SERVICE:
        raise ValueError(f"{transition} has its own service")

    def prepare(review: Review) -> list[str]:
        if transition == "withdraw":
            review.withdrawal_rationale = reason.strip()
            return ["withdrawal_rationale"]
        return []

    def after(review: Review, log: TransitionLog) -> None:
        if stage_stops_a_clock(review.kind, review.state):
            if review.is_open:
                review_clocks_stop(review=review)
            else:
                review_clocks_refresh(review=review)  # closed or withdrawn: every running clock stops

    return run_transition(
        # No select_related: a step needs only the review's own row (the partnership's calendar
        # and settings matter only to the full clock refresh on closing or withdrawal, which loads it).
        queryset=Review.objects.all(),
        pk=review_id,
        name=transition,
        actor=actor,
        reason=reason,
        expected_state=expected_state,
        # The permission and the conditions' queries, as one query under the lock.
        load=lambda review, step: review_step_facts(review, actor, step),
        prepare=prepare,
        after=after,
    )


def review_convert_to_cspr(
    *, actor: Any, review_id: int, reason: str = "", expected_state: str | None = None
) -> Review:
    """The partners decided on a local CSPR: close the rapid review and open the CSPR from it.

    The CSPR links back to the rapid review, starts at scoping (notification and the rapid
    review's scoping are done), and takes over its subjects, identities, roles and key dates,
    so its history page shows the whole case.
    """
    created: dict[str, Review] = {}

    def prepare(review: Review) -> list[str]:
        if review.kind != ReviewKind.RAPID:
            raise TransitionRefused(f"Only a rapid review can be converted; {review} is a {review.get_kind_display()}.")
        return []

    def after(rapid: Review, log: TransitionLog) -> None:
        review_clocks_refresh(review=rapid)
        cspr = review_create(
            actor=actor,
            partnership=rapid.partnership,
            kind=ReviewKind.CSPR,
            title=rapid.title,
            state=ReviewState.SCOPING,
            converted_from=rapid,
            key_dates={field: getattr(rapid, field) for field in KEY_DATE_FIELDS},
        )
        for subject in rapid.subjects.select_related("identity"):
            identity = getattr(subject, "identity", None)
            subject_create(
                review=cspr,
                data=SubjectData(
                    pseudonym=subject.pseudonym,
                    date_of_birth=subject.date_of_birth,
                    date_of_death_or_incident=subject.date_of_death_or_incident,
                    sex=subject.sex,
                    full_name=identity.full_name if identity else "",
                    nhs_number=identity.nhs_number if identity else "",
                    address=identity.address if identity else "",
                ),
            )
        for role in ReviewRole.objects.filter(review=rapid).select_related("user", "agency"):
            if role.role == Role.COORDINATOR and role.user_id == actor.pk:
                continue  # review_create made the actor coordinator already
            role_assign(review=cspr, user=role.user, role=role.role, agency=role.agency)
        audit_record(actor=actor, verb="review.converted", target=rapid, into=cspr.reference, reason=log.reason)
        audit_record(actor=actor, verb="review.opened", target=cspr, converted_from=rapid.reference)
        created["cspr"] = cspr

    # run_transition's own transaction covers the CSPR created in ``after``.
    run_transition(
        queryset=_reviews(),
        pk=review_id,
        name="convert_to_cspr",
        actor=actor,
        reason=reason,
        expected_state=expected_state,
        prepare=prepare,
        after=after,
    )
    return created["cspr"]
