"""Keeping each review's clock rows in step with its key dates and stage."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils import timezone

from reviews.models import Partnership, Review, ReviewClock, ReviewState
from reviews.models.clocks import RAPID_REVIEW, specs_for
from reviews.models.review import SPINE
from reviews.services.deadlines import review_clock_deadlines_met, review_clock_deadlines_sync
from workflows.clocks import compute_due_date


class _PartnershipCalendar:
    """The partnership's closure days, read at most once per refresh (not once per clock)."""

    def __init__(self, partnership: Partnership) -> None:
        self.partnership = partnership
        self._dates: list[date] | None = None

    def closure_dates(self) -> list[date]:
        if self._dates is None:
            self._dates = list(self.partnership.closure_dates())
        return self._dates


def review_clocks_refresh(*, review: Review, today: date | None = None) -> list[ReviewClock]:
    """Recompute every clock of ``review`` from its key dates, settings and stage.

    Called inside the transaction of whichever service changed the review. A clock that has
    stopped keeps the day it stopped on, so re-running this later never moves it. Only clocks
    whose values changed are written: most steps change no clock, and this runs on every step.
    """
    today = today or timezone.localdate()
    partnership = review.partnership
    closures = _PartnershipCalendar(partnership)
    overrides = {setting.clock_key: setting for setting in partnership.clock_settings.all()}
    existing = {clock.key: clock for clock in review.clocks.all()}
    result = []
    for spec in specs_for(review.kind):
        start_event = spec.default_start_event
        if spec.key == RAPID_REVIEW.key:
            start_event = partnership.rapid_review_clock_start
        duration: int = spec.duration
        unit: str = spec.unit
        if spec.duration_configurable and spec.key in overrides:
            duration, unit = overrides[spec.key].duration, overrides[spec.key].unit
        start_date = getattr(review, start_event)
        counted_in = spec.calendar
        due_date = compute_due_date(start_date, duration, unit, counted_in.closures(closures)) if start_date else None

        previous = existing.get(spec.key)
        stopped_on: date | None = None
        abandoned = False
        if spec.stop_event:
            stopped_on = getattr(review, spec.stop_event)
        elif spec.stop_state and review.has_reached(spec.stop_state):
            stopped_on = (previous.stopped_on if previous else None) or today
        if stopped_on is None and not review.is_open:
            stopped_on = (previous.stopped_on if previous else None) or today
            abandoned = review.state == ReviewState.WITHDRAWN

        values = {
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


def review_clocks_stop(*, review: Review, today: date | None = None) -> list[int]:
    """An open review has just reached a stage that stops clocks: stop them and meet their deadlines.

    The part of ``review_clocks_refresh`` a step along the spine can change. A step moves no key
    date, closure day or clock setting (the services and the admin that change those refresh the
    clocks themselves), so start and due dates and the stop-event clocks stay as the last refresh
    left them; what changes is which stop stages have been reached. The running clocks that stop at
    one of them stop today, as the full refresh would stop them, and their deadlines are met: three
    UPDATEs, where the full refresh reads settings, closure days, clocks and deadlines and then syncs
    each deadline row by row. Closing and withdrawal take the full refresh (abandoned clocks, the
    whole scope cancelled). Returns the ids of the clocks that stopped.
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
