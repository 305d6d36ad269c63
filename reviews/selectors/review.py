"""Readers of a review: key dates, history, the steps on offer and what it was converted into."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from reviews.models import ChildDeath, Review, ReviewKind, ReviewState
from reviews.permissions import reviews_for_user
from workflows.clocks import ClockStatus
from workflows.models import TransitionLog
from workflows.runner import TransitionOption, transition_options, transition_settings
from workflows.types import AnyUser, User

# --- labels -------------------------------------------------------------------------------------

# Which key dates matter for each kind: the dates its clocks start and stop on and its
# conditions ask for. Others stay hidden so a coordinator is not asked irrelevant questions.
KEY_DATES_BY_KIND: dict[str, tuple[str, ...]] = {
    ReviewKind.CHILD_DEATH: ("became_aware_on", "incident_on", "notified_on"),
    # The serious incident notification's date is recorded with the notice (reviews/models/notices.py).
    ReviewKind.RAPID: ("became_aware_on", "incident_on", "decision_on", "sent_to_panel_on"),
    # The publication date is recorded by the publication step (reviews/services/publication.py), with
    # its checks, never typed on the key dates page.
    ReviewKind.CSPR: ("became_aware_on", "incident_on", "decision_on", "publication_planned_on"),
    ReviewKind.SCR: ("became_aware_on", "incident_on", "decision_on"),
    ReviewKind.INSTITUTIONAL: (
        "became_aware_on",
        "incident_on",
        "ofsted_notified_on",
        "lado_referred_on",
    ),
    ReviewKind.DHR: ("became_aware_on", "incident_on", "decision_on", "sent_to_qa_panel_on"),
    ReviewKind.SAR: ("became_aware_on", "incident_on", "decision_on"),
}


def key_date_fields(kind: str) -> tuple[str, ...]:
    return KEY_DATES_BY_KIND.get(kind, ("became_aware_on", "incident_on"))


# What each key date means where its words are the same for every kind of review.
KEY_DATE_LABELS: dict[str, str] = {
    "ofsted_notified_on": "The setting notified Ofsted",
    "lado_referred_on": "The allegation was referred to the LADO",
    "sent_to_panel_on": "The rapid review was sent to the national Panel",
    "published_on": "The review was published",
    "sent_to_qa_panel_on": "The report was sent to the Home Office quality assurance panel",
    "publication_planned_on": "The review is to be published",
    "panel_replied_on": "The national Panel replied",
    "lac_death_notified_on": "Ofsted and the Secretary of State were notified",
    "advance_copy_sent_on": "The final report was sent to the Panel and the Secretary of State",
    "home_office_told_on": "The Home Office was told of the decision",
}


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
    if field_name in KEY_DATE_LABELS:
        return KEY_DATE_LABELS[field_name]
    column = Review._meta.get_field(field_name)
    assert isinstance(column, models.Field)  # a key date is one of the review's own columns
    return str(column.verbose_name).capitalize()


# --- clocks -------------------------------------------------------------------------------------

TAG_CLASSES: dict[str, str] = {
    ClockStatus.RUNNING: "govuk-tag--blue",
    ClockStatus.DUE_SOON: "govuk-tag--yellow",
    ClockStatus.MET: "govuk-tag--green",
    ClockStatus.MET_LATE: "govuk-tag--orange",
    ClockStatus.OVERDUE: "govuk-tag--red",
    ClockStatus.NOT_STARTED: "govuk-tag--grey",
    ClockStatus.WITHDRAWN: "govuk-tag--grey",
}


# --- the review page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    log: TransitionLog
    from_label: str
    to_label: str
    actor_name: str
    on_earlier_review: bool
    # A step that reads as what it did rather than as a move between stages ("Converted into a local
    # CSPR: NSCP-CSPR-2026-001", not "Scoping → Closed").
    change: str = ""


def _state_label(value: str) -> str:
    try:
        return ReviewState(value).label
    except ValueError:
        return value


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else "(system)"


def _change(log: TransitionLog, into: str) -> str:
    if log.content_type_id == ContentType.objects.get_for_model(ChildDeath).pk:
        # A child death review's recorded steps (the meeting, the CDOP's review) are steps of its
        # ChildDeath row: they read as what happened, not as a change of the review's stage.
        return str(transition_settings(ChildDeath).get(log.transition, {}).get("history", log.transition))
    said = transition_settings(Review).get(log.transition, {}).get("history", "")
    if said and log.transition == "convert_to_cspr" and into:
        return f"{said}: {into} (from {_state_label(log.from_state).lower()})"
    return f"{said} (from {_state_label(log.from_state).lower()})" if said else ""


def review_history(review: Review, converted_into: Review | None = None) -> list[HistoryRow]:
    """Every stage change of the review and of the rapid review it was converted from, oldest first.
    ``converted_into``: the CSPR this rapid review became, when the reader may see it (its reference
    then completes the conversion's row)."""
    ids = [review.pk] + ([review.converted_from_id] if review.converted_from_id else [])
    steps_of_review = Q(content_type=ContentType.objects.get_for_model(Review), object_id__in=ids)
    if review.kind == ReviewKind.CHILD_DEATH:
        steps_of_review |= Q(
            content_type=ContentType.objects.get_for_model(ChildDeath),
            object_id__in=ChildDeath.objects.filter(review_id=review.pk).values("pk"),
        )
    logs = TransitionLog.objects.filter(steps_of_review).select_related("actor")
    review_type = ContentType.objects.get_for_model(Review).pk
    into = converted_into.reference if converted_into is not None else ""
    return [
        HistoryRow(
            log=log,
            from_label=_state_label(log.from_state),
            to_label=_state_label(log.to_state),
            actor_name=_person(log.actor),
            on_earlier_review=log.content_type_id == review_type and log.object_id != review.pk,
            # On the CSPR's page its own conversion row is the earlier review's, into this one.
            change=_change(log, into if log.object_id == review.pk else review.reference),
        )
        for log in logs.order_by("at", "id")
    ]


@dataclass
class TransitionChoices:
    """The steps out of the current stage, sorted for the page."""

    allowed: list[TransitionOption] = field(default_factory=list)
    blocked: list[TransitionOption] = field(default_factory=list)
    not_permitted: list[TransitionOption] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.allowed or self.blocked or self.not_permitted)


def review_transition_choices(review: Review, user: AnyUser) -> TransitionChoices:
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


def converted_into_for_user(user: AnyUser, review: Review) -> Review | None:
    """The CSPR this rapid review became, if the user may see it. Found by the link first (one
    indexed look-up; most reviews were never converted), and only then matched against the user's
    reviews, which is the costly query."""
    converted = Review.objects.filter(converted_from=review).first()
    if converted is None or not reviews_for_user(user).filter(pk=converted.pk).exists():
        return None
    return converted
