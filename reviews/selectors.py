"""The readers of review data for the web UI.

A review exists for a user only if they hold ``reviews.view_review`` on it as a guardian object
permission (the direct foreign-key table). Global permissions are never consulted here, so a
superuser or a user of another partnership sees nothing they have not been given a role on.
Every listing uses select_related/prefetch_related so its query count does not grow with rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from reviews.models import Review, ReviewClock, ReviewKind, ReviewRole, ReviewState, ReviewUserObjectPermission
from workflows.clocks import Basis, ClockReading, ClockStatus, read_clock
from workflows.models import TransitionLog
from workflows.runner import TransitionOption, transition_options

# Roles that may read case detail (subjects, key dates). A read-only scrutineer sees progress
# and timeliness only (DOMAIN.md "Who uses it").
CASE_DETAIL_PERMISSIONS = frozenset({"coordinate_review", "chair_review", "sit_on_panel", "lead_agency_submission"})


def _permission_rows(user: Any) -> QuerySet[ReviewUserObjectPermission]:
    return ReviewUserObjectPermission.objects.filter(
        user=user, permission__content_type__app_label="reviews", permission__content_type__model="review"
    )


def reviews_for_user(user: Any) -> QuerySet[Review]:
    """Reviews on which ``user`` holds ``view_review``; none at all for an anonymous user."""
    if not (user and user.is_authenticated):
        return Review.objects.none()
    # A subquery rather than a join keeps one row per review without DISTINCT.
    review_ids = _permission_rows(user).filter(permission__codename="view_review").values("content_object_id")
    return Review.objects.filter(pk__in=review_ids)


def review_get_for_user(user: Any, reference: str) -> Review:
    """The review, or Http404 to anyone without a role on it (they must not learn it exists)."""
    review = reviews_for_user(user).select_related("partnership").filter(reference=reference).first()
    if review is None:
        raise Http404("No such review.")
    return review


def review_permissions_for_user(user: Any, review: Review) -> frozenset[str]:
    """The codenames ``user`` holds on ``review``, in one query (guardian's has_perm costs one per call)."""
    if not (user and user.is_authenticated):
        return frozenset()
    return frozenset(
        _permission_rows(user).filter(content_object=review).values_list("permission__codename", flat=True)
    )


# --- labels -------------------------------------------------------------------------------------

# Which key dates matter for each kind: the dates its clocks start and stop on and its
# conditions ask for. Others stay hidden so a coordinator is not asked irrelevant questions.
KEY_DATES_BY_KIND: dict[str, tuple[str, ...]] = {
    ReviewKind.CHILD_DEATH: ("incident_on", "notified_on"),
    ReviewKind.RAPID: ("became_aware_on", "incident_on", "notified_on", "decision_on"),
    ReviewKind.CSPR: ("became_aware_on", "incident_on", "decision_on"),
    ReviewKind.SCR: ("became_aware_on", "incident_on", "notified_on", "decision_on"),
    ReviewKind.INSTITUTIONAL: (
        "became_aware_on",
        "incident_on",
        "notified_on",
        "ofsted_notified_on",
        "lado_referred_on",
    ),
    ReviewKind.DHR: ("became_aware_on", "incident_on", "decision_on"),
    ReviewKind.SAR: ("became_aware_on", "incident_on", "decision_on"),
}


def key_date_fields(kind: str) -> tuple[str, ...]:
    return KEY_DATES_BY_KIND.get(kind, ("became_aware_on", "incident_on"))


def key_date_label(review: Review, field_name: str) -> str:
    """What the key date means, in the words of this kind of review."""
    if field_name == "became_aware_on":
        return review.awareness_label
    if field_name == "notified_on":
        return review.notification_label
    if field_name == "incident_on":
        return "Date of death" if review.kind == ReviewKind.CHILD_DEATH else "Date of death or incident"
    if field_name == "decision_on":
        if review.kind in (ReviewKind.DHR, ReviewKind.SAR):
            return "The decision whether to hold a review was made"
        return "The partners decided to initiate a review"
    if field_name == "ofsted_notified_on":
        return "The setting notified Ofsted"
    if field_name == "lado_referred_on":
        return "The allegation was referred to the LADO"
    return str(Review._meta.get_field(field_name).verbose_name).capitalize()


# --- clocks -------------------------------------------------------------------------------------

TAG_CLASSES: dict[str, str] = {
    ClockStatus.NOT_STARTED: "govuk-tag--grey",
    ClockStatus.RUNNING: "govuk-tag--blue",
    ClockStatus.DUE_SOON: "govuk-tag--yellow",
    ClockStatus.BREACHED: "govuk-tag--red",
    ClockStatus.MET: "govuk-tag--green",
    ClockStatus.STOPPED: "govuk-tag--grey",
}


@dataclass(frozen=True)
class ClockRow:
    clock: ReviewClock
    reading: ClockReading
    start_event_label: str

    @property
    def status_label(self) -> str:
        return ClockStatus(self.reading.status).label

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self.reading.status]

    @property
    def basis_label(self) -> str:
        return Basis(self.clock.basis).label

    @property
    def days_left_text(self) -> str:
        left = self.reading.working_days_left
        if left is None:
            return ""
        if left < 0:
            return f"{-left} working day{'s' if left != -1 else ''} overdue"
        return f"{left} working day{'s' if left != 1 else ''} left"


def clock_rows(review: Review, today: date) -> list[ClockRow]:
    """Read each clock as of ``today``.

    Every reading asks the partnership for its closure days, so both are prefetched here unless
    the caller already did (the dashboard, for a whole page of reviews): otherwise the review page
    would cost one closure-day query per clock.
    """
    prefetch_related_objects([review], "clocks", "partnership__closure_days")
    rows = []
    for clock in review.clocks.all():
        reading = read_clock(
            start_date=clock.start_date,
            due_date=clock.due_date,
            stopped_on=clock.stopped_on,
            abandoned=clock.abandoned,
            today=today,
            calendar=review.partnership,
        )
        rows.append(ClockRow(clock=clock, reading=reading, start_event_label=key_date_label(review, clock.start_event)))
    return rows


# --- dashboard ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardReview:
    review: Review
    clocks: list[ClockRow]


@dataclass(frozen=True)
class StageGroup:
    state: str
    label: str
    reviews: list[DashboardReview]


@dataclass(frozen=True)
class Dashboard:
    groups: list[StageGroup]
    running: int = 0
    due_soon: int = 0
    breached: int = 0
    total: int = 0


def dashboard_for_user(user: Any, *, today: date | None = None) -> Dashboard:
    """The user's reviews grouped by stage, in lifecycle order, with their clocks read.

    Three queries whatever the number of reviews: the reviews (with their partnership), all their
    clocks, and all their partnerships' closure days (which the working-day arithmetic reads).
    """
    today = today or timezone.localdate()
    reviews = (
        reviews_for_user(user)
        .select_related("partnership")
        .prefetch_related(
            Prefetch("clocks", queryset=ReviewClock.objects.order_by("due_date", "id")), "partnership__closure_days"
        )
        .order_by("-created_at", "-id")
    )
    by_state: dict[str, list[DashboardReview]] = {}
    counts = {ClockStatus.RUNNING: 0, ClockStatus.DUE_SOON: 0, ClockStatus.BREACHED: 0}
    total = 0
    for review in reviews:
        rows = clock_rows(review, today)
        for row in rows:
            # Only clocks still ticking count: a breach that was later stopped is history.
            if row.reading.is_open and row.reading.status in counts:
                counts[row.reading.status] += 1
        by_state.setdefault(review.state, []).append(DashboardReview(review=review, clocks=rows))
        total += 1
    groups = [StageGroup(state=s.value, label=s.label, reviews=by_state[s.value]) for s in ReviewState if s in by_state]
    return Dashboard(
        groups=groups,
        running=counts[ClockStatus.RUNNING],
        due_soon=counts[ClockStatus.DUE_SOON],
        breached=counts[ClockStatus.BREACHED],
        total=total,
    )


# --- the review page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    log: TransitionLog
    from_label: str
    to_label: str
    actor_name: str
    on_earlier_review: bool


def _state_label(value: str) -> str:
    try:
        return ReviewState(value).label
    except ValueError:
        return value


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else "(system)"


def review_history(review: Review) -> list[HistoryRow]:
    """Every stage change of the review and of the rapid review it was converted from, oldest first."""
    ids = [review.pk] + ([review.converted_from_id] if review.converted_from_id else [])
    logs = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Review), object_id__in=ids
    ).select_related("actor")
    return [
        HistoryRow(
            log=log,
            from_label=_state_label(log.from_state),
            to_label=_state_label(log.to_state),
            actor_name=_person(log.actor),
            on_earlier_review=log.object_id != review.pk,
        )
        for log in logs.order_by("at", "id")
    ]


def review_roles(review: Review) -> list[ReviewRole]:
    return list(review.roles.select_related("user", "agency").order_by("role", "user__last_name", "id"))


def person_name(user: Any) -> str:
    return _person(user)


@dataclass
class TransitionChoices:
    """The steps out of the current stage, sorted for the page."""

    allowed: list[TransitionOption] = field(default_factory=list)
    blocked: list[TransitionOption] = field(default_factory=list)
    not_permitted: list[TransitionOption] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.allowed or self.blocked or self.not_permitted)


def review_transition_choices(review: Review, user: Any) -> TransitionChoices:
    choices = TransitionChoices()
    for option in transition_options(review, user):
        kinds: Iterable[str] | None = option.custom.get("kinds")
        if kinds and review.kind not in kinds:
            continue  # e.g. only a rapid review converts into a CSPR
        if not option.permitted:
            choices.not_permitted.append(option)
        elif option.reasons:
            choices.blocked.append(option)
        else:
            choices.allowed.append(option)
    return choices


def converted_into_for_user(user: Any, review: Review) -> Review | None:
    """The CSPR this rapid review became, if the user may see it."""
    return reviews_for_user(user).filter(converted_from=review).first()
