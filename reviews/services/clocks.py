"""Keeping each review's clock rows in step with its key dates and stage, and checking the dates
that stop them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection, models
from django.utils import timezone

from reviews.models import Partnership, Review, ReviewClock, ReviewKind, ReviewState
from reviews.models.clocks import RAPID_REVIEW, STOP_DATES, ClockSetting, specs_for, stopped_by
from reviews.models.review import SPINE
from reviews.services.deadlines import (
    review_clock_deadlines_cancel,
    review_clock_deadlines_met,
    review_clock_deadlines_sync,
)
from workflows.clocks import ClockSpec, compute_due_date


class _PartnershipCalendar:
    """The partnership's closure days, read at most once per refresh (not once per clock)."""

    def __init__(self, partnership: Partnership) -> None:
        self.partnership = partnership
        self._dates: list[date] | None = None

    def closure_dates(self) -> list[date]:
        if self._dates is None:
            self._dates = list(self.partnership.closure_dates())
        return self._dates


def clock_start_event(spec: ClockSpec, review: Review) -> str:
    """The key date this clock counts from on ``review``.

    The rapid review's start is the partnership's setting; a clock with a fallback counts from it
    until its own start is recorded (the planned publication date until the review is published).
    """
    if spec.key == RAPID_REVIEW.key:
        return review.partnership.rapid_review_clock_start
    if spec.start_fallback and getattr(review, spec.default_start_event) is None:
        return spec.start_fallback
    return spec.default_start_event


def _verbose(field: str) -> str:
    column = Review._meta.get_field(field)
    assert isinstance(column, models.Field)  # a key date is one of the review's own columns
    return str(column.verbose_name)


def clock_stop_date_errors(review: Review, *, today: date) -> dict[str, str]:
    """Why a stop date recorded on ``review`` cannot stand, by field (docs/DOMAIN.md, Clocks).

    A stop date belongs to the kinds whose clock it stops, is never later than today, and never
    earlier than the start of the clock it stops (which must be recorded first). ``review`` holds
    the dates as they would be saved; the caller saves nothing when any error is returned.
    """
    errors: dict[str, str] = {}
    for field, kinds in STOP_DATES.items():
        value = getattr(review, field)
        if value is None:
            continue
        label = _verbose(field)
        spec = stopped_by(review.kind, field)
        if spec is None:
            owners = " or ".join(sorted(ReviewKind(kind).label.lower() for kind in kinds))
            errors[field] = (
                f"The {label} stops the clock of a {owners} only; "
                f"{review.reference or 'this review'} is a {ReviewKind(review.kind).label.lower()}."
            )
            continue
        if value > today:
            errors[field] = f"The {label} cannot be in the future."
            continue
        if spec.counts_back:
            continue  # owed before its start (publication): sending it early is the point
        start_event = clock_start_event(spec, review)
        start: date | None = getattr(review, start_event)
        if start is None:
            errors[field] = f"Record the {_verbose(start_event)} first: the clock this date stops starts on it."
        elif value < start:
            errors[field] = (
                f"The {label} cannot be before the {_verbose(start_event)} ({start:%d %B %Y}), when its clock started."
            )
    return errors


def review_clocks_refresh(*, review: Review, today: date | None = None) -> list[ReviewClock]:
    """Recompute every clock of ``review`` from its key dates, settings and stage.

    Called inside the transaction of whichever service changed the review. A clock stops on its
    recorded stop date, or keeps the day it reached its stop stage, so re-running this later never
    moves it. Only clocks
    whose values changed are written: most steps change no clock, and this runs on every step.
    """
    today = today or timezone.localdate()
    partnership = review.partnership
    closures = _PartnershipCalendar(partnership)
    overrides = {setting.clock_key: setting for setting in partnership.clock_settings.all()}
    existing = {clock.key: clock for clock in review.clocks.all()}
    result = []
    for spec in specs_for(review.kind):
        previous = existing.get(spec.key)
        values = _clock_values(review, spec, previous=previous, overrides=overrides, closures=closures, today=today)
        if values is None:
            if previous is not None:
                _clock_remove(previous)
            continue
        if previous is None:
            clock = ReviewClock.objects.create(review=review, key=spec.key, **values)
        else:
            clock = previous
            changed = [name for name, value in values.items() if getattr(clock, name) != value]
            for name in changed:
                setattr(clock, name, values[name])
            if changed:
                clock.save(update_fields=changed)
        result.append(clock)
    review_clock_deadlines_sync(review=review, clocks=result)
    return result


def review_clocks_build(*, reviews: list[Review], partnership: Partnership, today: date) -> list[ReviewClock]:
    """The clock rows of reviews that have none yet, unsaved, exactly as ``review_clocks_refresh``
    would create them on ``today`` (for seeding many reviews at once with ``bulk_create``; the
    caller syncs the deadlines of those still open). Reads the partnership's settings and closure
    days once for all of them."""
    closures = _PartnershipCalendar(partnership)
    overrides = {setting.clock_key: setting for setting in partnership.clock_settings.all()}
    clocks = []
    for review in reviews:
        for spec in specs_for(review.kind):
            values = _clock_values(review, spec, previous=None, overrides=overrides, closures=closures, today=today)
            if values is not None:
                clocks.append(ReviewClock(review=review, key=spec.key, **values))
    return clocks


def _clock_values(
    review: Review,
    spec: ClockSpec,
    *,
    previous: ReviewClock | None,
    overrides: dict[str, ClockSetting],
    closures: _PartnershipCalendar,
    today: date,
) -> dict[str, Any] | None:
    """The values of ``review``'s clock ``spec`` as of ``today``, or None when it does not apply."""
    if spec.only_if and not getattr(review, spec.only_if):
        return None
    start_event = clock_start_event(spec, review)
    duration: int = spec.duration
    unit: str = spec.unit
    if spec.duration_configurable and spec.key in overrides:
        duration, unit = overrides[spec.key].duration, overrides[spec.key].unit
    start_date = getattr(review, start_event)
    counted_in = spec.calendar
    due_date = None
    if start_date:
        counted = -duration if spec.counts_back else duration
        due_date = compute_due_date(start_date, counted, unit, counted_in.closures(closures))

    stopped_on: date | None = None
    abandoned = False
    if spec.stop_event:
        stopped_on = getattr(review, spec.stop_event)
        if stopped_on is None and spec.ended_by_decision:
            stopped_on = getattr(review, spec.ended_by_decision)
    elif spec.stop_state and review.has_reached(spec.stop_state):
        stopped_on = (previous.stopped_on if previous else None) or today
    # Closing or withdrawing stops nothing by itself: a clock owed whatever the outcome (the rapid
    # review sent to the Panel, a notification) runs on until its date is recorded. Withdrawal
    # ends, with no outcome, the clocks that end with the review; and keeps ended a clock that
    # withdrawal ended before clocks stopped on recorded dates (reviews/migrations/0010_record_
    # clock_stop_dates.py), until its date is recorded, so no clock changed outcome without a date.
    if (
        stopped_on is None
        and review.state == ReviewState.WITHDRAWN
        and (spec.ends_if_withdrawn or (previous is not None and previous.abandoned))
    ):
        stopped_on = (previous.stopped_on if previous else None) or today
        abandoned = True

    return {
        "label": spec.label,
        "basis": spec.basis,
        "start_event": start_event,
        "start_date": start_date,
        "duration": duration,
        "unit": unit,
        "calendar": counted_in,
        "due_date": due_date,
        "stop_event": spec.stop_event or "",
        "stop_state": spec.stop_state or "",
        "stopped_on": stopped_on,
        "abandoned": abandoned,
    }


def _clock_remove(clock: ReviewClock) -> None:
    """The clock no longer applies (the child was not looked after after all): it goes, and so do its
    reminders. Its deadline row stays, cancelled, with the reminders it sent."""
    review_clock_deadlines_cancel(clock_ids=[clock.pk])
    clock.delete()


def review_clocks_stop(*, review: Review, today: date | None = None) -> list[int]:
    """An open review has just reached a stage that stops clocks: stop them and meet their deadlines.

    The part of ``review_clocks_refresh`` a step along the spine can change. A step moves no key
    date, closure day or clock setting (the services and the admin that change those refresh the
    clocks themselves), so start and due dates and the stop-event clocks stay as the last refresh
    left them; what changes is which stop stages have been reached. The running clocks that stop at
    one of them stop today, as the full refresh would stop them, and their deadlines are met: three
    UPDATEs, where the full refresh reads settings, closure days, clocks and deadlines and then syncs
    each deadline row by row. Closing and withdrawal take the full refresh (clocks ended with a
    withdrawn review, the rest of the review no longer chased). Returns the ids of the clocks that
    stopped.
    """
    if not review.is_open:
        raise ValueError(f"{review} is {review.get_state_display()}: refresh its clocks instead.")
    today = today or timezone.localdate()
    reached = SPINE[: SPINE.index(review.state) + 1]
    with connection.cursor() as cursor:
        # RETURNING: the deadlines to meet are those of exactly these clocks; the ORM's update()
        # would need a SELECT of the ids first, one more statement on every stage that stops a clock.
        cursor.execute(
            f"UPDATE {ReviewClock._meta.db_table} SET stopped_on = %s "  # noqa: S608 -- table name from _meta
            f"WHERE review_id = %s AND stopped_on IS NULL AND stop_state IN ({', '.join(['%s'] * len(reached))}) "
            f"RETURNING id",
            [today, review.pk, *reached],
        )
        stopped = [row[0] for row in cursor.fetchall()]
    if stopped:
        review_clock_deadlines_met(clock_ids=stopped)
    return stopped
