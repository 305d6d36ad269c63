"""Opening a review, recording its key dates, moving it through its stages, and converting a rapid
review into a local CSPR."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from reviews.models import Partnership, Review, ReviewKind, ReviewRole, ReviewState, Role
from reviews.models.clocks import STOP_DATES, stage_stops_a_clock
from reviews.models.notices import NOTICES, Notice
from reviews.models.review import REFERENCE_CODES
from reviews.permissions import require_partnership_coordinator, require_review_perm
from reviews.services.clocks import clock_stop_date_errors, review_clocks_refresh, review_clocks_stop
from reviews.services.roles import role_assign
from reviews.services.subjects import SubjectData, subject_create
from reviews.services.webhooks import review_stage_changed
from workflows.audit import audit_record
from workflows.models import TransitionLog
from workflows.runner import run_transition
from workflows.types import User

KEY_DATE_FIELDS = (
    "became_aware_on",
    "incident_on",
    "notified_on",
    "decision_on",
    "ofsted_notified_on",
    "lado_referred_on",
    # Stop dates (reviews.models.clocks.STOP_DATES): each one kind's own.
    "sent_to_panel_on",
    "published_on",
    "sent_to_qa_panel_on",
    # The one date that may lie ahead: the advance copy's clock counts back from it.
    "publication_planned_on",
)
# Facts of the case recorded beside the key dates (a clock exists only while one is set).
KEY_FLAGS = ("child_looked_after",)
PLANNED_DATES = frozenset({"publication_planned_on"})


def _next_reference(partnership: Partnership, kind: str, year: int) -> tuple[int, str]:
    # The caller holds a lock on the partnership row, so two reviews opened at once cannot take
    # the same number; the unique constraint is the backstop.
    last = Review.objects.filter(partnership=partnership, kind=kind, year=year).aggregate(n=Max("sequence"))["n"]
    sequence = (last or 0) + 1
    return sequence, f"{partnership.code}-{REFERENCE_CODES[kind]}-{year}-{sequence:03d}"


def _refuse_unknown_key_dates(key_dates: Mapping[str, date | bool | None]) -> None:
    unknown = set(key_dates) - set(KEY_DATE_FIELDS) - set(KEY_FLAGS)
    if unknown:
        raise ValueError(f"Not key dates: {', '.join(sorted(unknown))}")


def key_date_errors(review: Review) -> dict[str, str]:
    """Why the key dates ``review`` holds (as they would be saved) cannot stand, by field."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    for field in KEY_DATE_FIELDS:
        value = getattr(review, field)
        if field not in STOP_DATES and field not in PLANNED_DATES and value and value > today:
            errors[field] = "This date is in the future."
    aware = review.became_aware_on
    for field in ("notified_on", "decision_on", "ofsted_notified_on", "lado_referred_on"):
        value = getattr(review, field)
        if aware and value and value < aware and field not in errors:
            column = Review._meta.get_field(field)
            assert isinstance(column, models.Field)  # a key date is one of the review's own columns
            label = column.verbose_name
            errors[field] = f"The {label} cannot be before the date the case became known ({aware:%d %B %Y})."
    errors.update(clock_stop_date_errors(review, today=today))
    return errors


def review_create(
    *,
    actor: User,
    partnership: Partnership,
    kind: str,
    title: str,
    state: str = ReviewState.NOTIFICATION,
    converted_from: Review | None = None,
    key_dates: dict[str, date | None] | None = None,
) -> Review:
    """Insert a review with its reference and clocks. Callers hold the transaction and checks."""
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    year = timezone.localdate().year
    sequence, reference = _next_reference(partnership, kind, year)
    review = Review(
        partnership=partnership,
        kind=kind,
        title=title.strip(),
        state=state,
        year=year,
        sequence=sequence,
        reference=reference,
        converted_from=converted_from,
        created_by=actor,
        **(key_dates or {}),
    )
    review.save()
    role_assign(review=review, user=actor, role=Role.COORDINATOR)
    review_clocks_refresh(review=review)
    return review


def review_open(
    *,
    actor: User,
    partnership: Partnership,
    kind: str,
    title: str,
    key_dates: dict[str, date | None] | None = None,
    subject: SubjectData | None = None,
) -> Review:
    """A partnership coordinator opens a review; they become its coordinator."""
    require_partnership_coordinator(actor, partnership, "open a review there")
    _refuse_unknown_key_dates(key_dates or {})
    errors: dict[str, str] = {}
    if kind not in ReviewKind.values:
        errors["kind"] = "Choose a kind of review."
    elif not partnership.runs_kind(kind):
        errors["kind"] = f"{partnership} does not run {ReviewKind(kind).label.lower()}s."
    if not title.strip():
        errors["title"] = "Give the review a title (free of identifying data)."
    probe = Review(partnership=partnership, kind=kind, **(key_dates or {}))
    errors.update(key_date_errors(probe))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = review_create(actor=actor, partnership=partnership, kind=kind, title=title, key_dates=key_dates)
        if subject is not None:
            subject_create(review=review, data=subject)
        audit_record(actor=actor, verb="review.opened", target=review, kind=kind)
    return review


def review_record_key_dates(*, actor: User, review_id: int, key_dates: dict[str, date | bool | None]) -> Review:
    _refuse_unknown_key_dates(key_dates)
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        require_review_perm(actor, "coordinate_review", review, "record key dates")
        before = {field: getattr(review, field) for field in key_dates}
        for field, value in key_dates.items():
            setattr(review, field, value)
        errors = key_date_errors(review)
        changed = {f: v for f, v in key_dates.items() if before[f] != v}
        errors.update(_recorded_with_a_notice(review, changed))
        errors.update(notice_flag_errors(review, {f: v for f, v in changed.items() if f in KEY_FLAGS}))
        if errors:
            raise ValidationError(errors)
        if not changed:
            return review
        review.save(update_fields=list(changed))
        review_clocks_refresh(review=review)
        audit_record(
            actor=actor,
            verb="review.key_dates_recorded",
            target=review,
            changes={f: [_iso(before[f]), _iso(v)] for f, v in changed.items()},
        )
    return review


def _recorded_with_a_notice(review: Review, changed: dict[str, date | bool | None]) -> dict[str, str]:
    """A date recorded with its notice (the serious incident notification's) is the notice's."""
    owners = {spec.date_field: spec for spec in NOTICES if spec.date_field in changed}
    if not owners:
        return {}
    recorded = Notice.objects.filter(review=review, kind__in=[spec.kind for spec in owners.values()])
    return {
        field: f"This date was recorded with the {spec.in_a_sentence}, and stays as recorded there."
        for field, spec in owners.items()
        if any(notice.kind == spec.kind for notice in recorded)
    }


def notice_flag_errors(review: Review, flags: dict[str, object]) -> dict[str, str]:
    """A recorded notice keeps the fact that made it owed: a looked-after child's death notified to
    Ofsted stays a looked-after child's death. ``flags`` are the review's flags as they would be
    saved (``child_looked_after``); the error is keyed by the flag."""
    owed_by = {spec.clock.only_if: spec for spec in NOTICES if spec.clock.only_if in flags}
    cleared = {flag: spec for flag, spec in owed_by.items() if flag and not flags[flag]}
    if not cleared:
        return {}
    recorded = set(
        Notice.objects.filter(review=review, kind__in=[s.kind for s in cleared.values()]).values_list("kind", flat=True)
    )
    return {
        flag: f"The {spec.in_a_sentence} is recorded, so this stays as it is."
        for flag, spec in cleared.items()
        if spec.kind in recorded
    }


def _iso(value: date | bool | None) -> str | bool | None:
    return value.isoformat() if isinstance(value, date) else value


# Transitions with a service of their own (they do more than change the stage).
_OWN_SERVICE = {"convert_to_cspr"}


def _reviews() -> QuerySet[Review]:
    return Review.objects.select_related("partnership")


def review_advance(
    *, actor: User, review_id: int, transition: str, reason: str = "", expected_state: str | None = None
) -> Review:
    """Take one step of the lifecycle. Raises TransitionRefused or PermissionDenied."""
    if transition in _OWN_SERVICE:
        raise ValueError(f"{transition} has its own service")

    def after(review: Review, log: TransitionLog) -> None:
        if stage_stops_a_clock(review.kind, review.state):
            if review.is_open:
                review_clocks_stop(review=review)
            else:
                review_clocks_refresh(review=review)  # closed or withdrawn: every running clock stops
        review_stage_changed(review, log)

    return run_transition(
        # No select_related: a step needs only the review's own row (the partnership's calendar
        # and settings matter only to the full clock refresh on closing or withdrawal, which loads it).
        queryset=Review.objects.all(),
        pk=review_id,
        name=transition,
        actor=actor,
        reason=reason,
        expected_state=expected_state,
        after=after,
    )


def review_convert_to_cspr(
    *, actor: User, review_id: int, reason: str = "", expected_state: str | None = None
) -> Review:
    """The partners decided on a local CSPR: close the rapid review and open the CSPR from it.

    The CSPR links back to the rapid review, starts at scoping (notification and the rapid
    review's scoping are done), and takes over its subjects, identities, roles and key dates,
    so its history page shows the whole case.
    """
    created: dict[str, Review] = {}

    def after(rapid: Review, log: TransitionLog) -> None:
        review_clocks_refresh(review=rapid)
        cspr = review_create(
            actor=actor,
            partnership=rapid.partnership,
            kind=ReviewKind.CSPR,
            title=rapid.title,
            state=ReviewState.SCOPING,
            converted_from=rapid,
            # Not the stop dates: each stops the rapid review's own clock, the CSPR records its own.
            key_dates={field: getattr(rapid, field) for field in KEY_DATE_FIELDS if field not in STOP_DATES},
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
        review_stage_changed(rapid, log)
        created["cspr"] = cspr

    # run_transition's own transaction covers the CSPR created in ``after``.
    run_transition(
        queryset=_reviews(),
        pk=review_id,
        name="convert_to_cspr",
        actor=actor,
        reason=reason,
        expected_state=expected_state,
        after=after,
    )
    return created["cspr"]
