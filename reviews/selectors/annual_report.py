"""The annual report's figures for one partnership and one financial year, as tables of counts
(docs/DOMAIN.md, "Reporting", defines every figure).

Three parts: the partnership's yearly report, the CDOP's annual report (with the previous year side
by side), and the safeguarding adults board's figures when the partnership runs SARs. Every count
is worked out in the database or from one row per death, in a fixed number of queries however many
reviews the partnership has; timeliness reads each clock exactly as the review page does
(reviews.selectors.clocks.clock_reading). The tables are exact: whatever leaves the building goes
through ``AnnualReport.disclosed()`` (reviews/disclosure.py) first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone

from notifications.models import Notification
from reviews.disclosure import DisclosureRules, Table, disclose, make_table
from reviews.models import ClosureDay, Partnership, Review, ReviewClock, ReviewKind
from reviews.models.actions import ACTIVE_ACTION_STATES, Action, ActionState
from reviews.models.child_death import PlaceOfDeath
from reviews.models.clocks import CLOCKS_BY_KIND
from reviews.models.contributions import AgencyContribution, ContributionState, DueDateChange
from reviews.models.ethnicity import Ethnicity
from reviews.models.findings import (
    DEFAULT_THEMES,
    CategoryOfDeath,
    Findings,
    FindingsState,
    ModifiableFactors,
    Recommendation,
    Theme,
)
from reviews.models.review import REFERENCE_CODES
from reviews.models.subjects import Sex, Subject
from reviews.permissions import FiguresAccess
from reviews.selectors.clocks import clock_reading
from workflows.clocks import Basis, ClockStatus

# The clock whose stop completes each kind of review (reviews/models/clocks.py). An institutional
# investigation has none: it is completed when published, or when the partners decide not to.
COMPLETION_CLOCKS: dict[str, str] = {
    ReviewKind.CHILD_DEATH: "cdop_review",
    ReviewKind.RAPID: "rapid_review",
    ReviewKind.CSPR: "cspr_completion",
    ReviewKind.SCR: "scr_completion",
    ReviewKind.DHR: "dhr_completion",
    ReviewKind.SAR: "sar_completion",
}

NOT_RECORDED = "Not recorded"
NOT_KNOWN = "Not known"

# The national CDOP report's age bands, from the date of birth to the date of death.
AGE_BANDS = ["0 to 27 days", "28 to 364 days", "1 to 4 years", "5 to 9 years", "10 to 14 years", "15 to 17 years"]


@dataclass(frozen=True)
class FinancialYear:
    """The reporting year: 1 April of ``start_year`` to 31 March of the next (2026 = 2026 to 2027)."""

    start_year: int

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year} to {self.start_year + 1}"

    @property
    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def dates(self) -> tuple[date, date]:
        """For ``__range`` on a date column (both ends included)."""
        return (self.start, self.end)

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """For a timestamp column: midnight starting 1 April to midnight starting the next 1 April,
        in the partnership's local time (Europe/London), the second excluded."""
        zone = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        after = dt.datetime.combine(self.end + timedelta(days=1), dt.time.min, tzinfo=zone)
        return first, after

    @classmethod
    def of(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)


@dataclass(frozen=True)
class Section:
    title: str
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class ActionNotImplemented:
    """An action closed as not implemented, with its reason: free text, so in the internal view only."""

    reference: str
    code: str
    reason: str


@dataclass(frozen=True)
class AnnualReport:
    partnership_name: str
    partnership_code: str
    year: FinancialYear
    # Clocks and overdue actions are read as of this day (the day the report is built).
    as_of: date
    sections: tuple[Section, ...]
    exact: bool = True
    # The reasons of the actions counted as not implemented (exact reports only).
    not_implemented: tuple[ActionNotImplemented, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.partnership_name}: annual report, {self.year.label}"

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    def table(self, key: str) -> Table:
        return next(table for table in self.tables() if table.key == key)

    def disclosed(self, rules: DisclosureRules | None = None) -> AnnualReport:
        """The report as it may be published: every table through disclosure control."""
        rules = rules or DisclosureRules.from_settings()
        sections = tuple(replace(s, tables=tuple(disclose(t, rules) for t in s.tables)) for s in self.sections)
        return replace(self, sections=sections, exact=False, not_implemented=())


# Years the report is given for: from the first statutory CDOP year to a year ahead.
FIRST_YEAR = 2017


def annual_report_for(access: FiguresAccess, year: int) -> AnnualReport:
    """The report of ``year`` as ``access`` may read it (the page, its files and the API): exact
    inside the partnership; for its scrutineer disclosed before anything (table, chart, summary,
    file) is drawn from it. A year outside the years reported on is not found."""
    if not FIRST_YEAR <= year <= FinancialYear.of(timezone.localdate()).start_year + 1:
        raise Http404("No annual report for that year.")
    report = annual_report(access.partnership, FinancialYear(year))
    return report if access.exact else report.disclosed()


def annual_report(partnership: Partnership, year: FinancialYear, as_of: date | None = None) -> AnnualReport:
    """Every table of the annual report, exact. A fixed number of queries (about a dozen)."""
    as_of = as_of or timezone.localdate()
    partnership = Partnership.objects.prefetch_related(
        Prefetch("closure_days", queryset=ClosureDay.objects.order_by("date"))
    ).get(pk=partnership.pk)
    kinds = [kind for kind in ReviewKind if partnership.runs_kind(kind)]
    reviews = Review.objects.filter(partnership=partnership)
    by_kind = _reviews_by_kind(reviews, year)
    yearly = Section(
        "Partnership yearly report",
        (
            _reviews_table(kinds, by_kind),
            _timeliness_table(partnership, kinds, year, as_of),
            _themes_table(partnership, year),
            _recommendations_table(partnership, kinds, year),
            _actions_table(partnership, year, as_of),
            _agencies_table(partnership, year, as_of),
        ),
    )
    sections = [yearly]
    if partnership.runs_kind(ReviewKind.CHILD_DEATH):
        sections.append(Section("Child death overview panel annual report", _cdop_tables(reviews, year)))
    if partnership.runs_kind(ReviewKind.SAR):
        sections.append(Section("Safeguarding adults board figures", (_sar_table(by_kind.get(ReviewKind.SAR, {})),)))
    return AnnualReport(
        partnership_name=partnership.name,
        partnership_code=partnership.code,
        year=year,
        as_of=as_of,
        sections=tuple(sections),
        not_implemented=_not_implemented(partnership, year),
    )


# --- partnership yearly report ---


def _reviews_by_kind(reviews: QuerySet[Review], year: FinancialYear) -> dict[str, dict[str, int]]:
    """Per kind: opened, completed, published, and the SAR board's referrals and decisions. Two queries."""
    first, after = year.moments()
    in_year = year.dates()
    rows = (
        Review.objects.filter(pk__in=_pks(reviews))
        .values("kind")
        .annotate(
            opened=Count("pk", filter=Q(created_at__gte=first, created_at__lt=after)),
            published=Count("pk", filter=Q(published_on__range=in_year)),
            # An institutional investigation is completed by its publication decision (no clock).
            decided_publication=Count(
                "pk", filter=Q(published_on__range=in_year) | Q(publication_declined_on__range=in_year)
            ),
            referrals=Count("pk", filter=Q(became_aware_on__range=in_year)),
            decisions=Count("pk", filter=Q(decision_on__range=in_year)),
        )
        .order_by()
    )
    figures = {row["kind"]: dict(row) for row in rows}
    completed = (
        ReviewClock.objects.filter(review__in=_pks(reviews), abandoned=False, stopped_on__range=in_year)
        .filter(_completion_clock_of_its_kind())
        .values("review__kind")
        .annotate(n=Count("review", distinct=True))
        .order_by()
    )
    for row in completed:
        figures.setdefault(row["review__kind"], {})["completed"] = row["n"]
    institutional = figures.get(ReviewKind.INSTITUTIONAL)
    if institutional is not None:
        institutional["completed"] = institutional.get("decided_publication", 0)
    return figures


def _pks(reviews: QuerySet[Review]) -> QuerySet[Review, Any]:
    # A subquery of the partnership's reviews, not a list: the count stays one statement.
    return reviews.values("pk")


def _completion_clock_of_its_kind() -> Q:
    condition = Q(pk__in=[])
    for kind, key in COMPLETION_CLOCKS.items():
        condition |= Q(review__kind=kind, key=key)
    return condition


def _reviews_table(kinds: Sequence[str], by_kind: dict[str, dict[str, int]]) -> Table:
    columns = ["Opened", "Completed", "Published"]
    cells = [[by_kind.get(kind, {}).get(c.lower(), 0) for c in columns] for kind in kinds]
    return make_table(
        "reviews",
        "Reviews opened, completed and published, by kind of review",
        [ReviewKind(kind).label for kind in kinds],
        columns,
        cells,
        column_totals=True,
        notes=(
            "Opened: the review was opened in the system in the year. Completed: the clock that completes "
            "its kind stopped in the year (a child death: the CDOP's review; a rapid review: sent to the "
            "national Panel; a CSPR: published, or the decision not to publish; an SCR or a SAR: action "
            "tracking started; a DHR: sent to the Home Office quality assurance panel; an institutional "
            "investigation: published, or the decision not to publish). Published: published in the year, "
            "in full or as a summary.",
        ),
    )


TIMELINESS_COLUMNS = {
    "Met on time": (ClockStatus.MET,),
    "Met late": (ClockStatus.MET_LATE,),
    "Overdue": (ClockStatus.OVERDUE,),
    "Not yet due": (ClockStatus.RUNNING, ClockStatus.DUE_SOON),
}


def _timeliness_table(partnership: Partnership, kinds: Sequence[str], year: FinancialYear, as_of: date) -> Table:
    """Each clock due in the year, read as the review page reads it. One query."""
    specs: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for kind in kinds:
        for spec in CLOCKS_BY_KIND.get(kind, ()):
            specs.setdefault(spec.key, []).append(REFERENCE_CODES[kind])
            basis = "statute" if spec.basis == Basis.STATUTE else Basis(spec.basis).label.lower()
            labels[spec.key] = f"{spec.label} ({{codes}}; {basis})"
    counts: Counter[tuple[str, str]] = Counter()
    clocks = ReviewClock.objects.filter(review__partnership=partnership, due_date__range=year.dates()).only(
        "key", "label", "start_date", "due_date", "stopped_on", "abandoned", "calendar"
    )
    for clock in clocks:
        status = clock_reading(clock, partnership, as_of).status
        counts[(clock.key, status)] += 1
        if clock.key not in specs:
            # A clock no rule defines any more (or of a kind the partnership no longer runs) still counts.
            specs[clock.key] = []
            labels[clock.key] = clock.label.replace("{", "{{").replace("}", "}}") + " (no longer a current clock)"
    rows = [labels[key].format(codes=", ".join(codes)) for key, codes in specs.items()]
    cells = [[sum(counts[(key, s)] for s in statuses) for statuses in TIMELINESS_COLUMNS.values()] for key in specs]
    return make_table(
        "timeliness",
        "Timeliness against every clock due in the year",
        rows,
        list(TIMELINESS_COLUMNS),
        cells,
        row_totals=True,
        column_totals=True,
        notes=(
            f"Each clock is counted in the year its due date falls in, and read on {as_of:%-d %B %Y} exactly as "
            "the review's page reads it. Clocks ended by the review's withdrawal are not counted. The kinds of "
            "review each clock applies to are in brackets, with whether statute or practice sets it.",
        ),
    )


def _theme_names(partnership: Partnership) -> list[str]:
    own = list(Theme.objects.filter(partnership=partnership).values_list("name", flat=True))
    return own or list(DEFAULT_THEMES)


def _signed_in_year(year: FinancialYear) -> Q:
    first, after = year.moments()
    return Q(state=FindingsState.SIGNED_OFF, signed_at__gte=first, signed_at__lt=after)


def _themes_table(partnership: Partnership, year: FinancialYear) -> Table:
    counts: Counter[str] = Counter()
    for themes in Findings.objects.filter(_signed_in_year(year), review__partnership=partnership).values_list(
        "themes", flat=True
    ):
        counts.update(set(themes or []))
    names = _theme_names(partnership)
    names += sorted(set(counts) - set(names))
    return make_table(
        "themes",
        "Themes of the reviews whose findings were signed off in the year",
        names,
        ["Reviews"],
        [[counts[name]] for name in names],
        notes=("A review may have several themes, so the counts are not added up.",),
    )


def _recommendations_table(partnership: Partnership, kinds: Sequence[str], year: FinancialYear) -> Table:
    findings = Findings.objects.filter(_signed_in_year(year), review__partnership=partnership)
    rows = (
        Recommendation.objects.filter(findings__in=findings.values("pk"))
        .values("findings__review__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["findings__review__kind"]: row["n"] for row in rows}
    return make_table(
        "recommendations",
        "Recommendations made in the year, by kind of review",
        [ReviewKind(kind).label for kind in kinds],
        ["Recommendations"],
        [[counts.get(kind, 0)] for kind in kinds],
        column_totals=True,
        notes=("The recommendations of findings signed off in the year.",),
    )


def _overdue_from(year: FinancialYear, as_of: date) -> date:
    """Overdue means due before this day: the report's day, or the day after the year for a past year."""
    return min(as_of, year.end + timedelta(days=1))


def _actions_table(partnership: Partnership, year: FinancialYear, as_of: date) -> Table:
    _, after = year.moments()
    overdue_from = _overdue_from(year, as_of)
    rows = (
        Action.objects.filter(review__partnership=partnership, created_at__lt=after)
        .values("state")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(state__in=ACTIVE_ACTION_STATES, due_date__lt=overdue_from)),
        )
        .order_by()
    )
    by_state = {row["state"]: row for row in rows}
    states = list(ActionState)
    return make_table(
        "actions",
        "Actions from recommendations, by state",
        [state.label for state in states],
        ["Actions", "Overdue"],
        [[by_state.get(s, {}).get("n", 0), by_state.get(s, {}).get("overdue", 0)] for s in states],
        column_totals=True,
        notes=(
            f"Every action agreed by the end of the year, in its state on {as_of:%-d %B %Y}. Overdue: still open "
            f"or in progress, and due before {overdue_from:%-d %B %Y}. An action closed as not implemented has a "
            "recorded reason, listed in the internal view only (it is free text).",
        ),
    )


def _not_implemented(partnership: Partnership, year: FinancialYear) -> tuple[ActionNotImplemented, ...]:
    _, after = year.moments()
    actions = (
        Action.objects.filter(
            review__partnership=partnership, created_at__lt=after, state=ActionState.CLOSED_NOT_IMPLEMENTED
        )
        .select_related("review", "recommendation")
        .order_by("review__reference", "recommendation__number", "number")
    )
    return tuple(ActionNotImplemented(a.review.reference, a.code, a.not_implemented_reason) for a in actions)


AGENCY_COLUMNS = [
    ("asked", "Asked"),
    ("on_time", "Submitted on time"),
    ("late", "Submitted late"),
    ("overdue", "Not submitted, overdue"),
    ("waived", "Waived"),
    ("extended", "Extension granted"),
    ("chased", "Chased"),
    ("escalated", "Escalated"),
]


def agency_contributions(
    partnership: Partnership, first: dt.datetime, after: dt.datetime
) -> QuerySet[AgencyContribution]:
    """The contributions asked of agencies from ``first`` (included) to ``after`` (excluded), each
    annotated with what ``agency_figures`` reads: its submission day, whether a reminder went out
    about it (a cancelled one never did), whether one was escalated and whether an extension was
    granted. The annual report's table and the oversight dashboard (and the reviews behind each of
    its figures) read the same rows."""
    content_type = ContentType.objects.get_for_model(AgencyContribution)
    reminders = Notification.objects.filter(
        kind=Notification.Kind.REMINDER, deadline__content_type=content_type, deadline__object_id=OuterRef("pk")
    ).exclude(status=Notification.Status.CANCELLED)
    return AgencyContribution.objects.filter(
        review__partnership=partnership, requested_at__gte=first, requested_at__lt=after
    ).annotate(
        submitted_day=TruncDate("submitted_at"),
        was_chased=Exists(reminders),
        was_escalated=Exists(reminders.filter(escalation=True)),
        was_extended=Exists(
            DueDateChange.objects.filter(contribution=OuterRef("pk"), status=DueDateChange.Status.GRANTED)
        ),
    )


def agency_figures(overdue_from: date) -> dict[str, Q]:
    """Each column of AGENCY_COLUMNS as a condition on ``agency_contributions``' rows: overdue means
    nothing submitted and due before ``overdue_from``, unless waived."""
    submitted = Q(submitted_at__isnull=False)
    return {
        "asked": Q(),
        "on_time": submitted & Q(submitted_day__lte=F("due_date")),
        "late": submitted & Q(submitted_day__gt=F("due_date")),
        "overdue": Q(submitted_at__isnull=True, due_date__lt=overdue_from) & ~Q(state=ContributionState.WAIVED),
        "waived": Q(state=ContributionState.WAIVED),
        "extended": Q(was_extended=True),
        "chased": Q(was_chased=True),
        "escalated": Q(was_escalated=True),
    }


def agency_rows(partnership: Partnership, first: dt.datetime, after: dt.datetime, overdue_from: date) -> list[dict]:
    """Per agency (by name; ``agency_id`` too), the count of each of AGENCY_COLUMNS. One query (and
    the content type's)."""
    figures = agency_figures(overdue_from)
    rows = (
        agency_contributions(partnership, first, after)
        .values("agency__name", "agency_id")
        .annotate(**{key: Count("pk", filter=figures[key]) for key, _ in AGENCY_COLUMNS})
        .order_by("agency__name", "agency_id")
    )
    return list(rows)


def agency_notes(overdue_from: date) -> str:
    return (
        "On time: submitted (or a nil return made) on or before its due date, after any extension; late: after "
        f"it. Not submitted, overdue: nothing submitted and due before {overdue_from:%-d %B %Y}, unless waived. "
        "Extension granted, chased (a reminder went out) and escalated (a reminder went to the senior manager or "
        "coordinator as well) overlap with the others, so no row is added up."
    )


def _agencies_table(partnership: Partnership, year: FinancialYear, as_of: date) -> Table:
    """Per agency, the contributions asked of it in the year. One query (and the content type's)."""
    first, after = year.moments()
    rows_list = agency_rows(partnership, first, after, _overdue_from(year, as_of))
    return make_table(
        "agencies",
        "Agency responsiveness: contributions asked in the year",
        [row["agency__name"] for row in rows_list],
        [label for _, label in AGENCY_COLUMNS],
        [[row[key] for key, _ in AGENCY_COLUMNS] for row in rows_list],
        column_totals=True,
        notes=("Asked: contributions requested in the year. " + agency_notes(_overdue_from(year, as_of)),),
    )


# --- CDOP annual report ---


@dataclass(frozen=True)
class Death:
    """What the CDOP tables read of one child death review."""

    notified_on: date | None
    reviewed_on: date | None
    expected: str
    age_band: str
    sex: str
    ethnicity: str
    place: str
    category: str
    modifiable: str


def age_band(born: date | None, died: date | None) -> str:
    """The national CDOP report's band for a child born on ``born`` who died on ``died``."""
    if born is None or died is None or died < born:
        return NOT_KNOWN
    if (died - born).days < 28:
        return AGE_BANDS[0]
    years = died.year - born.year - ((died.month, died.day) < (born.month, born.day))
    for band, top in zip(AGE_BANDS[1:], (0, 4, 9, 14, 17), strict=True):
        if years <= top:
            return band
    return NOT_KNOWN  # 18 or over: not a child death review's age


def _deaths(reviews: QuerySet[Review], years: tuple[FinancialYear, FinancialYear]) -> list[Death]:
    """Child deaths notified or reviewed in either year. Two queries: the reviews, their subjects."""
    span = (years[0].start, years[1].end)
    rows = list(
        Review.objects.filter(pk__in=_pks(reviews), kind=ReviewKind.CHILD_DEATH)
        .annotate(notified=Coalesce("notified_on", "became_aware_on"))
        .filter(Q(notified__range=span) | Q(cdop_reviewed_on__range=span))
        .values(
            "pk",
            "notified",
            "cdop_reviewed_on",
            "death_unexpected",
            "incident_on",
            "child_death__place_of_death",
            "child_death__ethnicity",
            "findings__category_of_death",
            "findings__modifiable_factors",
            "findings__state",
        )
    )
    # The child's date of birth and sex are the subject's (pseudonymised) fields, not its identity's.
    subjects: dict[int, tuple[date | None, date | None, str]] = {}
    for review_id, born, died, sex in (
        Subject.objects.filter(review_id__in=[row["pk"] for row in rows])
        .order_by("review_id", "id")
        .values_list("review_id", "date_of_birth", "date_of_death_or_incident", "sex")
    ):
        subjects.setdefault(review_id, (born, died, sex))
    deaths = []
    for row in rows:
        born, died, sex = subjects.get(row["pk"], (None, None, ""))
        died = row["incident_on"] or died
        place, ethnicity = row["child_death__place_of_death"], row["child_death__ethnicity"]
        category, modifiable = row["findings__category_of_death"], row["findings__modifiable_factors"]
        if row["findings__state"] != FindingsState.SIGNED_OFF:
            # A draft analysis can still change: the category counts only once the CDOP chair signed it.
            category, modifiable = None, None
        deaths.append(
            Death(
                notified_on=row["notified"],
                reviewed_on=row["cdop_reviewed_on"],
                expected={True: "Unexpected", False: "Expected", None: NOT_RECORDED}[row["death_unexpected"]],
                age_band=age_band(born, died),
                sex=Sex(sex).label if sex else NOT_KNOWN,
                ethnicity=Ethnicity(ethnicity).label if ethnicity else NOT_RECORDED,
                place=PlaceOfDeath(place).label if place else NOT_RECORDED,
                category=CategoryOfDeath(category).label if category else NOT_RECORDED,
                modifiable=ModifiableFactors(modifiable).label if modifiable else NOT_RECORDED,
            )
        )
    return deaths


def _year_on_year(
    key: str, title: str, deaths: list[Death], years: tuple[FinancialYear, FinancialYear], attr: str, rows: list[str]
) -> Table:
    """Deaths notified and reviewed in each year, by ``attr``: the previous year beside this one."""
    previous, this = years
    columns, cells_by_column = [], []
    for what, day_of in (("Notified", "notified_on"), ("Reviewed", "reviewed_on")):
        for year in (previous, this):
            columns.append(f"{what} {year.label}")
            counts = Counter(getattr(d, attr) for d in deaths if getattr(d, day_of) in year)
            cells_by_column.append([counts[row] for row in rows])
    cells = [[column[i] for column in cells_by_column] for i in range(len(rows))]
    return make_table(
        key,
        title,
        rows,
        columns,
        cells,
        column_totals=True,
        notes=(
            "Notified: the death was notified to the CDOP in the year (or, with no notification date recorded, "
            "the notifier became aware in the year). Reviewed: the CDOP completed its independent review in the "
            "year. A death can be notified in one year and reviewed in another, so the columns are not added up.",
        ),
    )


def _categories_table(deaths: list[Death], year: FinancialYear) -> Table:
    categories = [c.label for c in CategoryOfDeath] + [NOT_RECORDED]
    factors = [m.label for m in ModifiableFactors] + [NOT_RECORDED]
    counts = Counter((d.category, d.modifiable) for d in deaths if d.reviewed_on in year)
    return make_table(
        f"cdop_categories_{year.start_year}",
        f"Deaths reviewed in {year.label}: category of death by modifiable factors",
        categories,
        factors,
        [[counts[(c, m)] for m in factors] for c in categories],
        row_totals=True,
        column_totals=True,
        notes=("The category and modifiable factors are the CDOP's signed-off analysis.",),
    )


def _cdop_tables(reviews: QuerySet[Review], year: FinancialYear) -> tuple[Table, ...]:
    years = (year.previous, year)
    deaths = _deaths(reviews, years)
    return (
        _year_on_year(
            "cdop_expected",
            "Deaths notified and reviewed: expected and unexpected",
            deaths,
            years,
            "expected",
            ["Expected", "Unexpected", NOT_RECORDED],
        ),
        _year_on_year(
            "cdop_age", "Deaths notified and reviewed: age", deaths, years, "age_band", [*AGE_BANDS, NOT_KNOWN]
        ),
        _year_on_year("cdop_sex", "Deaths notified and reviewed: sex", deaths, years, "sex", [s.label for s in Sex]),
        _year_on_year(
            "cdop_ethnicity",
            "Deaths notified and reviewed: ethnicity",
            deaths,
            years,
            "ethnicity",
            [e.label for e in Ethnicity] + [NOT_RECORDED],
        ),
        _year_on_year(
            "cdop_place",
            "Deaths notified and reviewed: place of death",
            deaths,
            years,
            "place",
            [p.label for p in PlaceOfDeath] + [NOT_RECORDED],
        ),
        _categories_table(deaths, year),
        _categories_table(deaths, year.previous),
    )


# --- safeguarding adults board ---


def _sar_table(figures: dict[str, int]) -> Table:
    rows = [
        ("Referrals received", "referrals"),
        ("Decisions on referrals", "decisions"),
        ("Reviews completed", "completed"),
        ("Reviews published", "published"),
    ]
    return make_table(
        "sar",
        "Safeguarding adults reviews",
        [label for label, _ in rows],
        ["SARs"],
        [[figures.get(key, 0)] for _, key in rows],
        notes=(
            "Referrals received: the board received the referral in the year. Decisions: the board decided on "
            "the referral in the year. Completed: action tracking started in the year (the SAR's completion "
            "clock stopped). Published: published in the year.",
        ),
    )
