"""The oversight dashboard of one partnership (issue 15): its caseload by kind and stage, its clocks
by outcome, the running clocks predicted to breach at its own pace, and how its agencies answered
over a period. Every count is a ``Table`` (reviews/disclosure.py), so the scrutineer reads the
same figures under disclosure control; each exact figure knows the reviews behind it
(``figure_reviews``), for the business manager's and coordinators' links.

A fixed number of queries however many reviews the partnership has. Clock outcomes are read as the
review page reads them (workflows.clocks.read_clock): the database sorts every clock that has
stopped, not started, ended with its review or is far from due, and only the clocks due within a
few working days (where "due soon" and "running" part) are read one by one in Python.

Predicted breaches: the partnership's own median pace per kind of review and stage, from the stage
changes (workflows TransitionLog) of its completed reviews (at action tracking or closed). A running
clock whose stop comes with a stage (its stop stage, or the stage where its stop date is asked for)
is predicted to finish on today + what is left of the review's current stage at that pace + the
median of each later stage before the stop; a breach if that is after its due date. A stage with no
history counts for nothing and is named on the page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Count, F, Max, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from reviews.disclosure import DisclosureRules, Table, disclose, make_table
from reviews.models import ClosureDay, Partnership, Review, ReviewClock, ReviewKind, ReviewState
from reviews.models.clocks import ALL_SPECS, spec_by_key, specs_for
from reviews.models.review import REFERENCE_CODES, SPINE
from reviews.permissions import FiguresAccess
from reviews.selectors.annual_report import (
    AGENCY_COLUMNS,
    FinancialYear,
    agency_contributions,
    agency_figures,
    agency_notes,
    agency_rows,
)
from reviews.selectors.clocks import clock_reading
from workflows.calendar import WorkingCalendar, add_working_days
from workflows.clocks import DUE_SOON_WORKING_DAYS, ClockSpec, ClockStatus
from workflows.models import TransitionLog

OPEN_STATES: tuple[str, ...] = tuple(state for state in SPINE if state != ReviewState.CLOSED)
# The stages whose reviews are done with the stages a clock waits for: their history sets the pace.
COMPLETED_STATES = (ReviewState.ACTION_TRACKING, ReviewState.CLOSED)
OUTCOMES: tuple[ClockStatus, ...] = (
    ClockStatus.RUNNING,
    ClockStatus.DUE_SOON,
    ClockStatus.OVERDUE,
    ClockStatus.MET,
    ClockStatus.MET_LATE,
    ClockStatus.NOT_STARTED,
    ClockStatus.WITHDRAWN,
)
# A clock still counting and due by this day may be due soon: read one by one (see _near_limit).
_NEAR = "near"
COUNTING = (ClockStatus.RUNNING, ClockStatus.DUE_SOON)
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- the period -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both included, in the partnership's local time."""

    start: date
    end: date

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        zone = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        after = dt.datetime.combine(self.end + timedelta(days=1), dt.time.min, tzinfo=zone)
        return first, after

    def overdue_from(self, today: date) -> date:
        """Overdue means due before this day: today, or the day after the period for a past one."""
        return min(today, self.end + timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    def params(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def default_period(today: date) -> Period:
    """The current financial year, to today."""
    return Period(FinancialYear.of(today).start, today)


def _read_date(value: str) -> date | None:
    if not DATE_PATTERN.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def period_from(params: Mapping[str, str], today: date) -> tuple[Period, list[str]]:
    """The period ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` names, and what was wrong with it: a date that
    cannot be read keeps its default (and is named in the message), as does a period that ends
    before it starts."""
    default = default_period(today)
    errors: list[str] = []
    chosen = {"from": default.start, "to": default.end}
    for field, label in (("from", "From"), ("to", "To")):
        raw = (params.get(field) or "").strip()
        if not raw:
            continue
        day = _read_date(raw)
        if day is None:
            errors.append(
                f"{label} date: '{raw[:20]}' is not a date as YYYY-MM-DD (for example 2026-04-01); "
                f"the default, {chosen[field]:%-d %B %Y}, is used."
            )
        else:
            chosen[field] = day
    if chosen["from"] > chosen["to"]:
        errors.append(
            f"To date: {chosen['to']:%-d %B %Y} is before the from date, {chosen['from']:%-d %B %Y}; "
            f"the default period, {default.label}, is used."
        )
        return default, errors
    return Period(chosen["from"], chosen["to"]), errors


# --- figures with the reviews behind them ---------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    query: str  # the reviews list's query string, or "" for no link


@dataclass(frozen=True)
class Line:
    label: str
    cells: tuple[Cell, ...]
    is_total: bool


@dataclass(frozen=True)
class Figures:
    """A table, and for each row and column the filter the reviews list reads (``of`` names which
    figures; a total leaves its own filter out)."""

    table: Table
    of: str
    row_param: str
    row_keys: tuple[str, ...]
    column_param: str
    column_keys: tuple[str, ...]
    extra: tuple[tuple[str, str], ...] = ()

    def disclosed(self, rules: DisclosureRules | None = None) -> Figures:
        return replace(self, table=disclose(self.table, rules))

    def lines(self, links: bool) -> list[Line]:
        from urllib.parse import urlencode

        table = self.table
        columns = list(self.column_keys) + ([""] if table.has_row_totals else [])
        lines = []
        rows = list(self.row_keys) + ([""] if table.has_column_totals else [])
        for (label, values, is_total), row_key in zip(table.lines(), rows, strict=True):
            cells = []
            for value, column_key in zip(values, columns, strict=True):
                query = ""
                if links and table.exact and value:
                    params = [("of", self.of)]
                    if row_key:
                        params.append((self.row_param, row_key))
                    if column_key:
                        params.append((self.column_param, column_key))
                    query = urlencode(params + list(self.extra))
                cells.append(Cell("[c]" if value is None else f"{value:,}", query))
            lines.append(Line(label, tuple(cells), is_total))
        return lines


@dataclass(frozen=True)
class Prediction:
    reference: str
    kind: str
    state: str
    clock: str
    due_date: date
    predicted_on: date

    @property
    def state_label(self) -> str:
        return ReviewState(self.state).label


@dataclass(frozen=True)
class Oversight:
    partnership: Partnership
    today: date
    period: Period
    caseload: Figures
    clocks: Figures
    predicted: Figures
    agencies: Figures
    predictions: tuple[Prediction, ...]
    # Median days per (kind label, stage label), and the stages a prediction needed but had no history.
    pace: tuple[tuple[str, str, float], ...]
    no_history: tuple[tuple[str, str], ...]
    not_predicted: tuple[str, ...]
    exact: bool = True

    @property
    def figures(self) -> tuple[Figures, ...]:
        return (self.caseload, self.clocks, self.predicted, self.agencies)

    def disclosed(self, rules: DisclosureRules | None = None) -> Oversight:
        """The counts as the scrutineer may read them: every table through disclosure control, and no
        list of reviews."""
        rules = rules or DisclosureRules.from_settings()
        return replace(
            self,
            caseload=self.caseload.disclosed(rules),
            clocks=self.clocks.disclosed(rules),
            predicted=self.predicted.disclosed(rules),
            agencies=self.agencies.disclosed(rules),
            predictions=(),
            exact=False,
        )


def _kinds(partnership: Partnership) -> list[str]:
    return [kind for kind in ReviewKind if partnership.runs_kind(kind)]


def _caseload(partnership: Partnership) -> Figures:
    """Open reviews (every stage but closed and withdrawn) per kind and stage. One query."""
    counts = {
        (row["kind"], row["state"]): row["n"]
        for row in Review.objects.filter(partnership=partnership, state__in=OPEN_STATES)
        .values("kind", "state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    kinds = _kinds(partnership)
    kinds += sorted({kind for kind, _ in counts} - set(kinds))
    table = make_table(
        "caseload",
        "Open reviews by kind and stage",
        [ReviewKind(kind).label for kind in kinds],
        [ReviewState(state).label for state in OPEN_STATES],
        [[counts.get((kind, state), 0) for state in OPEN_STATES] for kind in kinds],
        row_totals=True,
        column_totals=True,
        notes=("Every review not closed or withdrawn, at the stage it stands at today.",),
    )
    return Figures(table, "caseload", "kind", tuple(kinds), "state", OPEN_STATES)


def _outcome_case(today: date, near_limit: date) -> Case:
    """The clock's outcome as read_clock reads it, in the database; ``near`` for a clock still counting
    and due by ``near_limit`` (running or due soon: read one by one)."""
    return Case(
        When(Q(start_date__isnull=True) | Q(due_date__isnull=True), then=Value(ClockStatus.NOT_STARTED.value)),
        When(abandoned=True, then=Value(ClockStatus.WITHDRAWN.value)),
        When(stopped_on__isnull=False, stopped_on__lte=F("due_date"), then=Value(ClockStatus.MET.value)),
        When(stopped_on__isnull=False, then=Value(ClockStatus.MET_LATE.value)),
        When(due_date__lt=today, then=Value(ClockStatus.OVERDUE.value)),
        When(due_date__gt=near_limit, then=Value(ClockStatus.RUNNING.value)),
        default=Value(_NEAR),
        output_field=CharField(),
    )


def _near_limit(partnership: Partnership, today: date) -> date:
    """A clock due after this day has more than DUE_SOON_WORKING_DAYS working days left in either
    calendar (the local one skips the most days), so it is running, not due soon."""
    return add_working_days(today, DUE_SOON_WORKING_DAYS + 1, WorkingCalendar.LOCAL.closures(partnership))


def _clocks(partnership: Partnership) -> QuerySet[ReviewClock]:
    return ReviewClock.objects.filter(review__partnership=partnership)


def _near_statuses(partnership: Partnership, today: date, near_limit: date) -> dict[int, tuple[str, ClockStatus]]:
    """The clocks due between today and ``near_limit`` still counting, read as the review page reads
    them: clock id -> (key, running or due soon). One query."""
    near = (
        _clocks(partnership)
        .annotate(outcome=_outcome_case(today, near_limit))
        .filter(outcome=_NEAR)
        .only("review_id", "key", "start_date", "due_date", "stopped_on", "abandoned", "calendar")
    )
    return {clock.pk: (clock.key, clock_reading(clock, partnership, today).status) for clock in near}


def _clock_label(key: str, kinds: list[str]) -> str:
    spec = spec_by_key(key)
    if spec is None:
        return f"{key} (no longer a current clock)"
    codes = [REFERENCE_CODES[kind] for kind in kinds]
    return f"{spec.label} ({', '.join(codes)})" if codes else spec.label


def _clock_outcomes(partnership: Partnership, today: date, near_limit: date) -> Figures:
    """Every clock of the partnership's reviews by outcome. Two queries."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in (
        _clocks(partnership)
        .annotate(outcome=_outcome_case(today, near_limit))
        .values("key", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["outcome"] != _NEAR:
            counts[(row["key"], row["outcome"])] += row["n"]
    for key, status in _near_statuses(partnership, today, near_limit).values():
        counts[(key, status)] += 1
    kinds_of: dict[str, list[str]] = defaultdict(list)
    for kind in ReviewKind:
        for spec in specs_for(kind):
            if partnership.runs_kind(kind):
                kinds_of[spec.key].append(kind)
    present = {key for key, _ in counts}
    keys = [key for key in ALL_SPECS if key in kinds_of or key in present]
    keys += sorted(present - set(keys))
    table = make_table(
        "clocks",
        "Clocks by outcome",
        [_clock_label(key, kinds_of.get(key, [])) for key in keys],
        [status.label.capitalize() for status in OUTCOMES],
        [[counts.get((key, status.value), 0) for status in OUTCOMES] for key in keys],
        row_totals=True,
        column_totals=True,
        notes=(
            f"Every clock of the partnership's reviews, open or closed, read on {today:%-d %B %Y} as the review's "
            "page reads it. Withdrawn: the review was withdrawn before the clock's stop could happen. Not started: "
            "its start date is not recorded yet.",
        ),
    )
    return Figures(table, "clocks", "clock", tuple(keys), "outcome", tuple(s.value for s in OUTCOMES))


def figure_reviews_clocks(partnership: Partnership, today: date, key: str, outcome: str) -> QuerySet[Review]:
    near_limit = _near_limit(partnership, today)
    clocks = _clocks(partnership).annotate(outcome=_outcome_case(today, near_limit))
    if key:
        clocks = clocks.filter(key=key)
    if outcome in COUNTING:
        near = [pk for pk, (k, status) in _near_statuses(partnership, today, near_limit).items() if status == outcome]
        clocks = clocks.filter(Q(outcome=outcome) | Q(pk__in=near))
    elif outcome:
        clocks = clocks.filter(outcome=outcome)
    return Review.objects.filter(pk__in=clocks.values("review_id"))


# --- predicted breaches ---------------------------------------------------------------------------


def stop_stage(spec: ClockSpec) -> str | None:
    """The stage that stops the clock, or where its stop date is asked for; None if no stage does."""
    if spec.stop_state:
        return spec.stop_state
    return spec.prompt_states[0] if spec.prompt_states else None


def stage_pace(partnership: Partnership) -> dict[tuple[str, str], float]:
    """Median days the partnership's completed reviews spent in each stage, per kind: (kind, stage) ->
    days. A review's time in a stage runs from the step into it (or its opening) to the step out of
    it, added up if it was there twice. Two queries."""
    review_type = ContentType.objects.get_for_model(Review)
    completed = Review.objects.filter(partnership=partnership, state__in=COMPLETED_STATES)
    # Days are counted between local dates (a stage entered and left on the same day: 0), the dates
    # worked out by the database.
    opened = {
        pk: (kind, created)
        for pk, kind, created in completed.annotate(opened_on=TruncDate("created_at")).values_list(
            "pk", "kind", "opened_on"
        )
    }
    logs = (
        TransitionLog.objects.filter(content_type=review_type, object_id__in=completed.values("pk"))
        .annotate(on=TruncDate("at"))
        .order_by("object_id", "at", "id")
        .values_list("object_id", "from_state", "on")
    )
    spent: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    previous: dict[int, date] = {}
    for review_id, from_state, on in logs:
        kind, created = opened[review_id]
        since = previous.get(review_id, created)
        spent[(kind, from_state)][review_id] += max(0, (on - since).days)
        previous[review_id] = on
    return {key: float(statistics.median(by_review.values())) for key, by_review in spent.items()}


def _predictions(
    partnership: Partnership, today: date, pace: dict[tuple[str, str], float]
) -> tuple[list[Prediction], set[tuple[str, str]], list[str]]:
    """Running clocks (running or due soon) whose stop comes with a stage, predicted to finish after
    their due date. Two queries."""
    predictable = {key: stage for key, spec in ALL_SPECS.items() if (stage := stop_stage(spec)) is not None}
    not_predicted = sorted(spec.label for key, spec in ALL_SPECS.items() if key not in predictable)
    counting = (
        _clocks(partnership)
        .annotate(opened_on=TruncDate("review__created_at"))
        .filter(
            key__in=list(predictable),
            start_date__isnull=False,
            due_date__gte=today,
            stopped_on__isnull=True,
            abandoned=False,
            review__state__in=OPEN_STATES,
        )
        .values_list(
            "key",
            "label",
            "due_date",
            "review_id",
            "review__reference",
            "review__kind",
            "review__state",
            "opened_on",
        )
        .order_by("due_date", "review__reference")
    )
    rows = list(counting)
    review_type = ContentType.objects.get_for_model(Review)
    entered: dict[int, date] = {}
    if rows:
        entered = dict(
            TransitionLog.objects.filter(content_type=review_type, object_id__in={row[3] for row in rows})
            .values("object_id")
            .annotate(last=TruncDate(Max("at")))
            .values_list("object_id", "last")
            .order_by()
        )
    missing: set[tuple[str, str]] = set()
    predictions = []
    for key, label, due, review_id, reference, kind, state, created in rows:
        stop = SPINE.index(predictable[key])
        here = SPINE.index(state)
        days = 0.0
        for index in range(here, stop):
            stage = SPINE[index]
            median = pace.get((kind, stage))
            if median is None:
                missing.add((kind, stage))
                continue
            if index == here:
                since = entered.get(review_id, created)
                median = max(0.0, median - (today - since).days)
            days += median
        predicted = today + timedelta(days=math.ceil(days))
        if due is not None and predicted > due:
            predictions.append(Prediction(reference, kind, state, label, due, predicted))
    return predictions, missing, not_predicted


def _predicted_table(partnership: Partnership, predictions: list[Prediction]) -> Figures:
    counts: dict[str, int] = defaultdict(int)
    for p in predictions:
        counts[p.kind] += 1
    kinds = _kinds(partnership)
    table = make_table(
        "predicted",
        "Running clocks predicted to breach",
        [ReviewKind(kind).label for kind in kinds],
        ["Predicted breaches"],
        [[counts.get(kind, 0)] for kind in kinds],
        column_totals=True,
        notes=(
            "A running clock whose stop comes with a stage is predicted to finish on today plus what is left of "
            "the review's current stage and the median of each later stage before its stop, at the partnership's "
            "own pace (the median days its reviews at action tracking or closed spent in each stage, per kind of "
            "review); predicted to breach if that is after its due date.",
        ),
    )
    return Figures(table, "predicted", "kind", tuple(kinds), "", ("",))


def predicted_reviews(partnership: Partnership, today: date, kind: str = "") -> list[Prediction]:
    predictions, _, _ = _predictions(partnership, today, stage_pace(partnership))
    return [p for p in predictions if not kind or p.kind == kind]


# --- agencies ---------------------------------------------------------------------------------


def _agencies(partnership: Partnership, period: Period, today: date) -> Figures:
    first, after = period.moments()
    overdue_from = period.overdue_from(today)
    rows = agency_rows(partnership, first, after, overdue_from)
    table = make_table(
        "agencies",
        f"Agency responsiveness: contributions asked from {period.label}",
        [row["agency__name"] for row in rows],
        [label for _, label in AGENCY_COLUMNS],
        [[row[key] for key, _ in AGENCY_COLUMNS] for row in rows],
        column_totals=True,
        notes=(f"Asked: contributions requested in the period. {agency_notes(overdue_from)}",),
    )
    return Figures(
        table,
        "agencies",
        "agency",
        tuple(str(row["agency_id"]) for row in rows),
        "figure",
        tuple(key for key, _ in AGENCY_COLUMNS),
        extra=tuple(period.params().items()),
    )


def figure_reviews_agencies(
    partnership: Partnership, period: Period, today: date, agency: str, figure: str
) -> QuerySet[Review]:
    first, after = period.moments()
    figures = agency_figures(period.overdue_from(today))
    contributions = agency_contributions(partnership, first, after).filter(figures.get(figure, Q()))
    if agency.isdigit():
        contributions = contributions.filter(agency_id=int(agency))
    return Review.objects.filter(pk__in=contributions.values("review_id"))


# --- the dashboard ---------------------------------------------------------------------------------


def _with_closure_days(partnership: Partnership) -> Partnership:
    return Partnership.objects.prefetch_related(
        Prefetch("closure_days", queryset=ClosureDay.objects.order_by("date"))
    ).get(pk=partnership.pk)


def oversight(partnership: Partnership, period: Period | None = None, today: date | None = None) -> Oversight:
    """Every figure of the dashboard, exact. A fixed number of queries."""
    today = today or timezone.localdate()
    period = period or default_period(today)
    partnership = _with_closure_days(partnership)
    near_limit = _near_limit(partnership, today)
    pace = stage_pace(partnership)
    predictions, missing, not_predicted = _predictions(partnership, today, pace)
    stage_label = {s.value: s.label for s in ReviewState}
    return Oversight(
        partnership=partnership,
        today=today,
        period=period,
        caseload=_caseload(partnership),
        clocks=_clock_outcomes(partnership, today, near_limit),
        predicted=_predicted_table(partnership, predictions),
        agencies=_agencies(partnership, period, today),
        predictions=tuple(predictions),
        pace=tuple(
            (ReviewKind(kind).label, stage_label.get(stage, stage), round(days, 1))
            for (kind, stage), days in sorted(pace.items(), key=lambda i: (i[0][0], _spine_index(i[0][1])))
        ),
        no_history=tuple(
            (ReviewKind(kind).label, stage_label.get(stage, stage))
            for kind, stage in sorted(missing, key=lambda m: (m[0], _spine_index(m[1])))
        ),
        not_predicted=tuple(not_predicted),
    )


def oversight_for(access: FiguresAccess, period: Period | None = None, today: date | None = None) -> Oversight:
    """The dashboard's figures as ``access`` may read them (the page and the API): exact inside the
    partnership, disclosed (and with no list of reviews) for its scrutineer."""
    figures = oversight(access.partnership, period, today)
    return figures if access.exact else figures.disclosed()


def _spine_index(stage: str) -> int:
    return SPINE.index(stage) if stage in SPINE else len(SPINE)


def figure_reviews(
    partnership: Partnership, params: Mapping[str, str], today: date
) -> tuple[QuerySet[Review], str, list[str]]:
    """The reviews behind one figure of the dashboard (``params`` as its link wrote them), what they
    are, and what in the link could not be read. Reviews of the partnership only; the view narrows
    them to those the user may see."""
    of = params.get("of", "")
    reviews = Review.objects.filter(partnership=partnership)
    if of == "caseload":
        kind, state = params.get("kind", ""), params.get("state", "")
        reviews = reviews.filter(state__in=OPEN_STATES)
        what = ["open reviews"]
        if kind in ReviewKind.values:
            reviews = reviews.filter(kind=kind)
            what.append(f"kind: {ReviewKind(kind).label}")
        if state in OPEN_STATES:
            reviews = reviews.filter(state=state)
            what.append(f"stage: {ReviewState(state).label}")
        return reviews, "; ".join(what), []
    if of == "clocks":
        partnership = _with_closure_days(partnership)
        key, outcome = params.get("clock", ""), params.get("outcome", "")
        key = key if key in ALL_SPECS or _clocks(partnership).filter(key=key).exists() else ""
        outcome = outcome if outcome in {s.value for s in OUTCOMES} else ""
        what = ["reviews with a clock"]
        if key:
            spec = spec_by_key(key)
            what.append(f"clock: {spec.label if spec else key}")
        if outcome:
            what.append(f"outcome: {ClockStatus(outcome).label}")
        ids = figure_reviews_clocks(partnership, today, key, outcome).values("pk")
        return reviews.filter(pk__in=ids), "; ".join(what), []
    if of == "agencies":
        period, errors = period_from(params, today)
        figure = params.get("figure", "asked")
        figure = figure if figure in dict(AGENCY_COLUMNS) else "asked"
        agency = params.get("agency", "")
        what = [f"contributions asked from {period.label}", dict(AGENCY_COLUMNS)[figure].lower()]
        ids = figure_reviews_agencies(partnership, period, today, agency, figure).values("pk")
        return reviews.filter(pk__in=ids), "; ".join(what), errors
    if of == "predicted":
        kind = params.get("kind", "")
        kind = kind if kind in ReviewKind.values else ""
        references = [p.reference for p in predicted_reviews(_with_closure_days(partnership), today, kind)]
        text = "running clocks predicted to breach" + (f"; kind: {ReviewKind(kind).label}" if kind else "")
        return reviews.filter(reference__in=references), text, []
    return reviews.filter(state__in=OPEN_STATES), "open reviews", []


def querystring(params: Mapping[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if k != "page" and v})
