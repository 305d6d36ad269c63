"""The demo's two financial years of work: the volume behind a real-looking annual report.

`manage.py seed_demo` makes the showcase reviews through the services (reviews/demo.py); this adds,
in bulk, what a large city's partnership sees in a year and the year before (for the year-on-year
comparison): about 160 child deaths a year across the ten categories, expected and unexpected, of
every age, sex, ethnicity and place of death, most reviewed by the CDOP and some still open; a few
rapid reviews, two of them converted into local CSPRs that were published; the findings of those
reviewed, with their themes, category and modifiable factors; and recommendations whose actions are
in every state (open, in progress, completed, verified, overdue, closed as not implemented).

Everything is fictional and built from a seeded random generator, so the same day gives the same
data: pseudonyms only (no identities, no NHS numbers), dates relative to the financial years that
contain today and the one before. The rows are written with ``bulk_create`` (a few dozen statements
for a thousand rows); their clocks are those ``review_clocks_refresh`` would compute
(``review_clocks_build``), and the clocks still running get their deadlines as the service would.
Each review also gets its stage changes (TransitionLog rows dated from its key dates, in the audit
chain) and, for the rapid reviews, CSPRs and one child death review in four, the contributions of
three agencies (on time, late, extended, chased, escalated), for the oversight dashboard and the
annual report's agencies table.

Seeding converges per financial year: a year whose reviews are already there (found by their
titles) is left as it is, so running the command again adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from notifications.models import Deadline, DeadlineKind, DeadlineState, Notification
from reviews.models import Agency, Partnership, Review, ReviewClock, ReviewKind, ReviewRole, ReviewState, Role, Sex
from reviews.models.actions import ACTIVE_ACTION_STATES, Action, ActionState
from reviews.models.child_death import ChildDeath, ChildDeathStage, Disability, PlaceOfDeath
from reviews.models.contributions import AgencyContribution, Ask, ContributionState, DueDateChange
from reviews.models.ethnicity import Ethnicity
from reviews.models.findings import (
    CategoryOfDeath,
    Findings,
    FindingsState,
    ModifiableFactors,
    Recommendation,
    Relevance,
)
from reviews.models.review import REFERENCE_CODES
from reviews.models.roles import ROLE_PERMISSIONS, ReviewUserObjectPermission
from reviews.models.subjects import Subject
from reviews.selectors.annual_report import FinancialYear
from reviews.selectors.findings import content_hash, signed_content
from reviews.services.clocks import review_clocks_build
from reviews.services.deadlines import review_clock_deadlines_sync
from workflows.chain import chain_append
from workflows.models import TransitionLog
from workflows.types import User

# Child deaths notified per day: about 170 a year, a large city's figure.
DEATHS_PER_DAY = 0.47
# At most this many child deaths in one year's set: pseudonyms are two letters, taken in a block
# per year (see _pseudonym), so two consecutive years never share one.
MAX_DEATHS_PER_YEAR = 220

C = CategoryOfDeath
# The share of each category among child deaths (roughly the national CDOP report's).
CATEGORY_WEIGHTS: dict[int, int] = {
    C.DELIBERATE: 3,
    C.SUICIDE: 5,
    C.TRAUMA: 6,
    C.MALIGNANCY: 7,
    C.ACUTE: 8,
    C.CHRONIC: 6,
    C.CONGENITAL: 22,
    C.PERINATAL: 30,
    C.INFECTION: 6,
    C.SUDDEN_UNEXPLAINED: 7,
}
# Ages at death per category, in days: (low, high) ranges, one picked at random.
AGE_RANGES: dict[int, list[tuple[int, int]]] = {
    C.DELIBERATE: [(30, 364), (365, 4 * 365), (5 * 365, 16 * 365)],
    C.SUICIDE: [(12 * 365, 17 * 365 + 300)],
    C.TRAUMA: [(365, 9 * 365), (10 * 365, 17 * 365 + 300)],
    C.MALIGNANCY: [(365, 9 * 365), (10 * 365, 17 * 365)],
    C.ACUTE: [(28, 364), (365, 17 * 365)],
    C.CHRONIC: [(365, 17 * 365)],
    C.CONGENITAL: [(0, 27), (0, 27), (28, 364), (365, 9 * 365)],
    C.PERINATAL: [(0, 6), (0, 27)],
    C.INFECTION: [(28, 364), (365, 4 * 365), (5 * 365, 14 * 365)],
    C.SUDDEN_UNEXPLAINED: [(28, 364), (28, 364), (365, 2 * 365)],
}
# Probability the death was unexpected, and that the CDOP found modifiable factors.
UNEXPECTED: dict[int, float] = {
    C.DELIBERATE: 1.0,
    C.SUICIDE: 1.0,
    C.TRAUMA: 1.0,
    C.SUDDEN_UNEXPLAINED: 1.0,
    C.ACUTE: 0.5,
    C.INFECTION: 0.5,
    C.MALIGNANCY: 0.0,
    C.CHRONIC: 0.1,
    C.CONGENITAL: 0.05,
    C.PERINATAL: 0.1,
}
MODIFIABLE: dict[int, float] = {
    C.DELIBERATE: 0.9,
    C.SUICIDE: 0.6,
    C.TRAUMA: 0.6,
    C.SUDDEN_UNEXPLAINED: 0.6,
    C.ACUTE: 0.2,
    C.INFECTION: 0.2,
    C.MALIGNANCY: 0.05,
    C.CHRONIC: 0.15,
    C.CONGENITAL: 0.1,
    C.PERINATAL: 0.3,
}
P = PlaceOfDeath
PLACES: dict[int, list[str]] = {
    C.DELIBERATE: [P.HOME, P.HOSPITAL, P.HOSPITAL],
    C.SUICIDE: [P.HOME, P.PUBLIC_PLACE, P.HOSPITAL],
    C.TRAUMA: [P.PUBLIC_PLACE, P.PUBLIC_PLACE, P.HOSPITAL, P.OTHER_RESIDENCE, P.ABROAD],
    C.MALIGNANCY: [P.HOSPICE, P.HOSPICE, P.HOME, P.HOSPITAL],
    C.ACUTE: [P.HOSPITAL],
    C.CHRONIC: [P.HOSPITAL, P.HOSPICE, P.HOME],
    C.CONGENITAL: [P.HOSPITAL, P.HOSPITAL, P.HOSPICE],
    C.PERINATAL: [P.HOSPITAL],
    C.INFECTION: [P.HOSPITAL, P.HOSPITAL, P.HOME],
    C.SUDDEN_UNEXPLAINED: [P.HOME, P.HOME, P.OTHER_RESIDENCE, P.HOSPITAL],
}
E = Ethnicity
# A large English city's mix; a few not known (the dataset leaves it blank for "not recorded").
ETHNICITY_WEIGHTS: dict[str, int] = {
    E.WHITE_BRITISH: 48,
    E.WHITE_OTHER: 6,
    E.WHITE_IRISH: 1,
    E.WHITE_GYPSY: 1,
    E.WHITE_ROMA: 1,
    E.ASIAN_PAKISTANI: 9,
    E.ASIAN_INDIAN: 4,
    E.ASIAN_BANGLADESHI: 3,
    E.ASIAN_CHINESE: 1,
    E.ASIAN_OTHER: 2,
    E.BLACK_AFRICAN: 6,
    E.BLACK_CARIBBEAN: 3,
    E.BLACK_OTHER: 1,
    E.MIXED_WHITE_BLACK_CARIBBEAN: 3,
    E.MIXED_WHITE_ASIAN: 2,
    E.MIXED_WHITE_BLACK_AFRICAN: 1,
    E.MIXED_OTHER: 2,
    E.OTHER_ARAB: 1,
    E.OTHER_ANY: 2,
    E.NOT_KNOWN: 2,
    "": 1,
}
# The themes a CDOP tags when it finds modifiable factors (docs/DOMAIN.md, Findings: the defaults).
THEMES: dict[int, list[str]] = {
    C.DELIBERATE: ["Physical abuse", "Domestic abuse", "Neglect"],
    C.SUICIDE: ["Online harm", "Missing from home / education", "Parental mental health"],
    C.TRAUMA: ["Neglect", "Substance misuse"],
    C.SUDDEN_UNEXPLAINED: ["Substance misuse", "Neglect", "Parental mental health"],
    C.PERINATAL: ["Domestic abuse", "Substance misuse"],
}
RATIONALE: dict[int, str] = {
    C.DELIBERATE: "Injuries inflicted by a parent; the first category that applies.",
    C.SUICIDE: "The coroner's conclusion and the panel's review support deliberate self-harm.",
    C.TRAUMA: "A road traffic collision; no earlier category applies.",
    C.MALIGNANCY: "Death from a brain tumour diagnosed two years before.",
    C.ACUTE: "Death from an acute surgical condition.",
    C.CHRONIC: "Death from a long-standing neurological condition.",
    C.CONGENITAL: "A chromosomal anomaly diagnosed before birth.",
    C.PERINATAL: "Extreme prematurity; complications of the perinatal period.",
    C.INFECTION: "Overwhelming sepsis; no earlier category applies.",
    C.SUDDEN_UNEXPLAINED: "Sudden unexpected death in infancy, unexplained after the post-mortem.",
}
AGENCY_FOR_ACTIONS = ["community", "acute", "csc", "police", "schools", "gp", "mental_health"]


@dataclass(frozen=True)
class PlannedDeath:
    """One fictional child death of the demo, as the seed means it (the tests count from these)."""

    pseudonym: str
    sex: str
    born: date
    died: date
    aware: date
    notified: date
    unexpected: bool
    looked_after: bool
    place: str
    ethnicity: str
    category: int
    modifiable: str
    jar_visit: date | None
    jar_meeting: date | None
    cdr_meeting: date | None
    cdop_reviewed: date | None
    themes: tuple[str, ...] = ()
    recommendations: int = 0

    @property
    def title(self) -> str:
        return f"{self.pseudonym} ({_age_text(self.born, self.died)})"


@dataclass(frozen=True)
class PlannedCase:
    """A rapid review, and the CSPR it was converted into when ``cspr`` is set."""

    pseudonym: str
    age: str
    sex: str
    aware: date
    sent_to_panel: date | None
    panel_replied: date | None
    cspr: PlannedCspr | None = None

    @property
    def title(self) -> str:
        return f"{self.pseudonym} ({self.age})"


@dataclass(frozen=True)
class PlannedCspr:
    decision: date
    signed: date | None  # findings signed off
    advance_copy: date | None
    published: date | None
    themes: tuple[str, ...] = ()
    recommendations: int = 0


@dataclass
class YearPlan:
    year: FinancialYear
    deaths: list[PlannedDeath] = field(default_factory=list)
    cases: list[PlannedCase] = field(default_factory=list)

    def titles(self) -> list[str]:
        return [d.title for d in self.deaths] + [c.title for c in self.cases]


def _age_text(born: date, died: date) -> str:
    days = (died - born).days
    if days < 28:
        return f"aged {days} day{'s' if days != 1 else ''}"
    if days < 365:
        months = max(1, days // 30)
        return f"aged {months} month{'s' if months != 1 else ''}"
    years = died.year - born.year - ((died.month, died.day) < (born.month, born.day))
    return f"aged {years}"


def _pseudonym(year: FinancialYear, index: int) -> str:
    """'Child AB': two letters, each year's set in its own block of the 676 pairs."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    n = ((year.start_year % 3) * MAX_DEATHS_PER_YEAR + index) % (26 * 26)
    return f"Child {letters[n // 26]}{letters[n % 26]}"


def year_plan(year: FinancialYear, today: date) -> YearPlan:
    """The deaths and cases of ``year`` as of ``today`` (nothing after today). Deterministic."""
    rng = random.Random(f"northbridge-{year.start_year}")
    last = min(year.end, today - timedelta(days=1))
    span = max((last - year.start).days, 0)
    count = min(MAX_DEATHS_PER_YEAR, max(12, round(DEATHS_PER_DAY * (span + 1))))
    died_days = sorted(year.start + timedelta(days=rng.randint(0, span)) for _ in range(count))

    # The dates first: who has been reviewed by when does not depend on the category.
    timeline = []
    for died in died_days:
        aware = min(died + timedelta(days=rng.choice([0, 0, 0, 1])), today)
        notified = min(aware + timedelta(days=rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 6])), today)
        meeting: date | None = died + timedelta(days=rng.randint(50, 130))
        stuck = rng.random() < 0.08  # waiting for the post-mortem or the inquest
        if stuck or meeting is None or meeting >= today:
            meeting = None
        cdop: date | None = meeting + timedelta(days=rng.randint(28, 110)) if meeting else None
        if cdop is not None and cdop >= today:
            cdop = None
        timeline.append((died, aware, notified, meeting, cdop))

    # Every category among the deaths reviewed in the year itself and in the next (when it has come):
    # the year's CDOP table then shows all ten, whatever the weights draw.
    categories: list[int | None] = [None] * count
    for window in (year, FinancialYear(year.start_year + 1)):
        forced = [i for i, t in enumerate(timeline) if t[4] in window and categories[i] is None]
        for forced_category, i in zip(C.values, forced, strict=False):
            categories[i] = forced_category
    for i, drawn in enumerate(categories):
        if drawn is None:
            categories[i] = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]

    plan = YearPlan(year)
    for i, ((died, aware, notified, meeting, cdop), category) in enumerate(zip(timeline, categories, strict=True)):
        assert category is not None
        low, high = rng.choice(AGE_RANGES[category])
        born = died - timedelta(days=rng.randint(low, high))
        unexpected = rng.random() < UNEXPECTED[category]
        visit = jar_meeting = None
        if unexpected:
            visit = min(died + timedelta(days=rng.choice([0, 0, 0, 1, 2])), today)
            jar_meeting = min(died + timedelta(days=rng.choice([1, 2, 3, 3, 5, 8])), today)
        modifiable = ModifiableFactors.NO.value
        roll = rng.random()
        if roll < MODIFIABLE[category]:
            modifiable = ModifiableFactors.YES.value
        elif roll > 0.95:
            modifiable = ModifiableFactors.INSUFFICIENT.value
        themes: tuple[str, ...] = ()
        recommendations = 0
        if cdop is not None and modifiable == ModifiableFactors.YES:
            pool = THEMES.get(category, ["Neglect"])
            themes = tuple(sorted(rng.sample(pool, k=min(len(pool), rng.randint(1, 2)))))
            recommendations = 1 if i % 3 == 0 else 0
        plan.deaths.append(
            PlannedDeath(
                pseudonym=_pseudonym(year, i),
                sex=rng.choices([Sex.MALE, Sex.FEMALE, Sex.INDETERMINATE], weights=[54, 45, 1])[0],
                born=born,
                died=died,
                aware=aware,
                notified=notified,
                unexpected=unexpected,
                looked_after=rng.random() < 0.03,
                place=rng.choice(PLACES[category]),
                ethnicity=rng.choices(list(ETHNICITY_WEIGHTS), weights=list(ETHNICITY_WEIGHTS.values()))[0],
                category=category,
                modifiable=modifiable,
                jar_visit=visit,
                jar_meeting=jar_meeting,
                cdr_meeting=meeting,
                cdop_reviewed=cdop,
                themes=themes,
                recommendations=recommendations,
            )
        )
    plan.cases = _cases(year, today)
    return plan


def _cases(year: FinancialYear, today: date) -> list[PlannedCase]:
    """Three rapid reviews a year: in the previous year one converted into a CSPR published that year
    and one converted and published in the next; in the current year one converted, its CSPR at
    findings. The others the partners decided needed no further review."""
    previous = year.end < today
    start, last = year.start, min(year.end, today - timedelta(days=1))
    span = max((last - start).days, 1)

    def at(fraction: float) -> date:
        return start + timedelta(days=round(span * fraction))

    letters = "GHJ" if year.start_year % 2 else "KLM"
    cases = []
    aware = at(0.1)
    first_cspr = None
    if previous:
        decision = aware + timedelta(days=20)
        published = min(decision + timedelta(days=165), today - timedelta(days=1))
        first_cspr = PlannedCspr(
            decision=decision,
            signed=published - timedelta(days=35),
            advance_copy=published - timedelta(days=12),
            published=published,
            themes=("Neglect", "Parental mental health", "Substance misuse"),
            recommendations=3,
        )
    cases.append(
        PlannedCase(
            f"Child {letters[0]}",
            "aged 7 months",
            Sex.MALE,
            aware,
            aware + timedelta(days=19),
            aware + timedelta(days=31),
            first_cspr,
        )
    )
    aware = at(0.45)
    # Sent late: 15 working days is at least 21 calendar days; 30 is past it.
    cases.append(
        PlannedCase(
            f"Child {letters[1]}",
            "aged 4",
            Sex.FEMALE,
            aware,
            min(aware + timedelta(days=30), today),
            None if aware + timedelta(days=44) >= today else aware + timedelta(days=44),
        )
    )
    aware = at(0.75) if previous else at(0.3)
    decision = aware + timedelta(days=18)
    if previous:
        published = decision + timedelta(days=215)  # past its 6 months: published late
        cspr = PlannedCspr(
            decision=decision,
            signed=published - timedelta(days=40) if published - timedelta(days=40) < today else None,
            advance_copy=published - timedelta(days=10) if published < today else None,
            published=published if published < today else None,
            themes=("Domestic abuse", "Physical abuse"),
            recommendations=3,
        )
    else:
        cspr = PlannedCspr(decision=min(decision, today), signed=None, advance_copy=None, published=None)
    cases.append(
        PlannedCase(
            f"Child {letters[2]}",
            "aged 14",
            Sex.FEMALE,
            aware,
            min(aware + timedelta(days=18), today),
            None,
            cspr,
        )
    )
    return cases


# --- writing it ---------------------------------------------------------------------------------


@dataclass
class _Batch:
    """The rows of one year, before and after their parents get their ids."""

    reviews: list[Review] = field(default_factory=list)
    subjects: list[tuple[Review, Subject]] = field(default_factory=list)
    child_deaths: list[tuple[Review, ChildDeath]] = field(default_factory=list)
    findings: list[tuple[Review, Findings, int, int]] = field(default_factory=list)  # recommendations, seed
    created_at: dict[int, datetime] = field(default_factory=dict)  # id(review) -> when opened
    # id(review) -> its stage changes: (transition, from, to, day), oldest first.
    steps: dict[int, list[tuple[str, str, str, date]]] = field(default_factory=dict)
    # (review, agency key, asked, due, submitted or None, extended, chased, escalated, waived)
    contributions: list[tuple[Review, str, date, date, date | None, bool, bool, bool, bool]] = field(
        default_factory=list
    )


def seed_year_volume(
    *,
    partnership: Partnership,
    agencies: dict[str, Agency],
    users: dict[str, User],
    today: date,
) -> list[str]:
    """Write the current and the previous financial year's volume, each unless already there.
    Returns the labels of the years written."""
    current = FinancialYear.of(today)
    written = []
    for year in (current.previous, current):
        plan = year_plan(year, today)
        if Review.objects.filter(partnership=partnership, title__in=plan.titles()).exists():
            continue
        _write(plan, partnership=partnership, agencies=agencies, users=users, today=today)
        written.append(year.label)
    return written


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.get_current_timezone())


def _write(
    plan: YearPlan, *, partnership: Partnership, agencies: dict[str, Agency], users: dict[str, User], today: date
) -> None:
    coordinator, chair = users["coordinator"], users["chair"]
    rng = random.Random(f"northbridge-actions-{plan.year.start_year}")
    # Its own generator, so the history and contributions leave the other rows as they were drawn.
    history = random.Random(f"northbridge-history-{plan.year.start_year}")
    batch = _Batch()
    sequences: dict[tuple[str, int], int] = {
        (row["kind"], row["year"]): row["n"]
        for row in Review.objects.filter(partnership=partnership).values("kind", "year").annotate(n=Max("sequence"))
    }

    def new_review(kind: str, title: str, opened: date, **fields: object) -> Review:
        key = (kind, opened.year)
        sequences[key] = sequences.get(key, 0) + 1
        review = Review(
            partnership=partnership,
            kind=kind,
            title=title,
            year=opened.year,
            sequence=sequences[key],
            reference=f"{partnership.code}-{REFERENCE_CODES[kind]}-{opened.year}-{sequences[key]:03d}",
            created_by=coordinator,
            **fields,
        )
        batch.reviews.append(review)
        batch.created_at[id(review)] = _at(opened, 9)
        return review

    for death in plan.deaths:
        if death.cdop_reviewed is not None:
            state = ReviewState.ACTION_TRACKING if death.recommendations else ReviewState.CLOSED
        elif death.cdr_meeting is not None:
            state = ReviewState.FINDINGS
        elif (today - death.died).days > 21:
            state = ReviewState.PANEL
        else:
            state = ReviewState.AGENCY_SUBMISSIONS
        review = new_review(
            ReviewKind.CHILD_DEATH,
            death.title,
            death.notified,
            state=state,
            became_aware_on=death.aware,
            incident_on=death.died,
            notified_on=death.notified,
            death_unexpected=death.unexpected,
            child_looked_after=death.looked_after,
            lac_death_notified_on=min(death.aware + timedelta(days=3), today) if death.looked_after else None,
            jar_home_visit_on=death.jar_visit,
            jar_meeting_on=death.jar_meeting,
            cdr_meeting_on=death.cdr_meeting,
            cdop_reviewed_on=death.cdop_reviewed,
        )
        batch.subjects.append((review, _subject(death.pseudonym, death.born, death.died, death.sex)))
        asked = death.notified + timedelta(days=history.choice([2, 3, 4]))
        panel_on = min(death.died + timedelta(days=history.randint(22, 35)), today)
        if death.cdr_meeting is not None:
            panel_on = min(panel_on, death.cdr_meeting - timedelta(days=history.randint(7, 14)))
        batch.steps[id(review)] = _spine_steps(
            state,
            [
                death.notified + timedelta(days=history.choice([0, 1, 1, 2])),
                asked,
                panel_on,
                death.cdr_meeting,
                death.cdop_reviewed,
                death.cdop_reviewed,
            ],
            today,
        )
        if len(batch.steps[id(review)]) >= 2 and len(batch.reviews) % 4 == 0:
            _ask_agencies(
                batch, review, asked, 21, today, until=panel_on if state != ReviewState.AGENCY_SUBMISSIONS else None
            )
        stage = ChildDeathStage.AWAITING_MEETING
        if death.cdop_reviewed:
            stage = ChildDeathStage.CDOP_REVIEWED
        elif death.cdr_meeting:
            stage = ChildDeathStage.MEETING_HELD
        batch.child_deaths.append(
            (
                review,
                ChildDeath(
                    state=stage,
                    place_of_death=death.place,
                    ethnicity=death.ethnicity,
                    disability=rng.choice([Disability.NO, Disability.NO, Disability.YES, Disability.NOT_KNOWN]),
                    home_local_authority="Northbridge City Council",
                    notifier_name="Northbridge child death team",
                    notifier_role="Designated doctor for child deaths",
                    became_aware_at=time(rng.randint(0, 23), rng.choice([0, 15, 30, 45])),
                    dataset_recorded_by=coordinator,
                    dataset_recorded_at=_at(death.notified, 11),
                    meeting_held_on=death.cdr_meeting,
                    meeting_notes="Held with the family's consent; papers anonymised." if death.cdr_meeting else "",
                    no_post_mortem=not death.unexpected,
                    cdop_reviewed_on=death.cdop_reviewed,
                    cdop_notes="Reviewed on anonymised papers." if death.cdop_reviewed else "",
                ),
            )
        )
        if death.cdop_reviewed or death.cdr_meeting:
            signed = death.cdop_reviewed is not None
            batch.findings.append(
                (
                    review,
                    Findings(
                        state=FindingsState.SIGNED_OFF if signed else FindingsState.DRAFT,
                        findings="The panel reviewed the information from every agency involved with the family.",
                        learning="Learning shared with the agencies through the CDOP's quarterly bulletin."
                        if signed
                        else "",
                        themes=list(death.themes),
                        category_of_death=death.category if signed else None,
                        category_rationale=RATIONALE[death.category] if signed else "",
                        modifiable_factors=death.modifiable if signed else "",
                        factors_child="Recorded in the analysis form." if signed else "",
                        factors_family="Recorded in the analysis form." if signed else "",
                        factors_physical="Recorded in the analysis form." if signed else "",
                        factors_services="Recorded in the analysis form." if signed else "",
                        factors_child_relevance=Relevance.NONE_OR_UNLIKELY if signed else None,
                        factors_family_relevance=(
                            Relevance.MAY_HAVE_CONTRIBUTED
                            if death.modifiable == ModifiableFactors.YES
                            else Relevance.NONE_OR_UNLIKELY
                        )
                        if signed
                        else None,
                        factors_physical_relevance=Relevance.NONE_OR_UNLIKELY if signed else None,
                        factors_services_relevance=Relevance.NONE_OR_UNLIKELY if signed else None,
                        version=1 if signed else 0,
                        signed_by=chair if signed else None,
                        signed_at=_at(death.cdop_reviewed, 15) if death.cdop_reviewed else None,
                        updated_by=coordinator,
                    ),
                    death.recommendations,
                    len(batch.findings),
                )
            )

    for case in plan.cases:
        rapid_state = ReviewState.CLOSED if case.sent_to_panel else ReviewState.SCOPING
        if case.cspr is None and case.panel_replied is None and case.sent_to_panel:
            rapid_state = ReviewState.PANEL  # waiting for the national Panel's reply
        decision = case.cspr.decision if case.cspr else case.sent_to_panel
        rapid = new_review(
            ReviewKind.RAPID,
            case.title,
            case.aware + timedelta(days=1),
            state=rapid_state,
            became_aware_on=case.aware,
            incident_on=case.aware - timedelta(days=1),
            notified_on=case.aware + timedelta(days=1),
            decision_on=decision,
            sent_to_panel_on=case.sent_to_panel,
            panel_replied_on=case.panel_replied,
        )
        died = case.aware - timedelta(days=1)
        batch.subjects.append((rapid, _subject(case.pseudonym, _born(case.age, died), died, case.sex)))
        notified = case.aware + timedelta(days=1)
        asked = notified + timedelta(days=1)
        sent = case.sent_to_panel or today
        meeting = max(asked, sent - timedelta(days=8))
        if case.cspr is not None:
            # Converted at the rapid review meeting, where the partners decided on a local review.
            decision = case.cspr.decision
            steps = _spine_steps(
                ReviewState.PANEL, [notified + timedelta(days=1), asked, min(meeting, decision)], today
            )
            if len(steps) == 3:  # at the panel: the meeting converted it
                steps.append(
                    ("convert_to_cspr", ReviewState.PANEL, ReviewState.CLOSED, min(max(decision, steps[-1][3]), today))
                )
            batch.steps[id(rapid)] = steps
        else:
            batch.steps[id(rapid)] = _spine_steps(
                rapid_state,
                [notified + timedelta(days=1), asked, meeting, sent, case.panel_replied, case.panel_replied],
                today,
            )
        _ask_agencies(batch, rapid, asked, 7, today, until=meeting)
        if case.cspr is None:
            continue
        cspr = case.cspr
        # Published or not yet, its actions are tracked once the findings are signed off.
        state = ReviewState.ACTION_TRACKING if cspr.signed else ReviewState.FINDINGS
        review = new_review(
            ReviewKind.CSPR,
            case.title,
            cspr.decision,
            state=state,
            converted_from=rapid,
            became_aware_on=case.aware,
            incident_on=died,
            notified_on=case.aware + timedelta(days=1),
            decision_on=cspr.decision,
            published_on=cspr.published,
            publication_decision="full" if cspr.published else "",
            publication_planned_on=None if cspr.published else cspr.decision + timedelta(days=200),
            advance_copy_sent_on=cspr.advance_copy if cspr.published else None,
        )
        batch.subjects.append((review, _subject(case.pseudonym, _born(case.age, died), died, case.sex)))
        # Opened at scoping by the conversion. The report's writing (findings) is the long stage:
        # an open one entered it a few days ago, a signed one on its planned day.
        asked = cspr.decision + timedelta(days=14)
        into_findings = (
            min(cspr.signed - timedelta(days=history.randint(60, 110)), today)
            if cspr.signed
            else today - timedelta(days=3)
        )
        into_findings = max(into_findings, asked + timedelta(days=20))
        panel_on = asked + (into_findings - asked) * 3 // 4
        batch.steps[id(review)] = _spine_steps(state, [asked, panel_on, into_findings, cspr.signed], today, first=1)
        _ask_agencies(batch, review, asked, 35, today, until=panel_on)
        batch.findings.append(
            (
                review,
                Findings(
                    state=FindingsState.SIGNED_OFF if cspr.signed else FindingsState.DRAFT,
                    findings="Agencies did not share what each knew about the risks at home; no one held the "
                    "whole picture.",
                    learning="Professional curiosity about the adults in the household; escalation when a "
                    "referral is closed without a visit.",
                    themes=list(cspr.themes),
                    version=1 if cspr.signed else 0,
                    signed_by=chair if cspr.signed else None,
                    signed_at=_at(cspr.signed, 15) if cspr.signed else None,
                    updated_by=coordinator,
                ),
                cspr.recommendations,
                len(batch.findings),
            )
        )

    # Reviews first (their ids are everyone's parent), then the rest in dependency order.
    # The CSPRs after the rapid reviews they were converted from.
    Review.objects.bulk_create([review for review in batch.reviews if review.converted_from is None])
    Review.objects.bulk_create([review for review in batch.reviews if review.converted_from is not None])
    for review in batch.reviews:
        review.created_at = batch.created_at[id(review)]
    Review.objects.bulk_update(batch.reviews, ["created_at"])
    subjects = []
    for review, subject in batch.subjects:
        subject.review = review
        subjects.append(subject)
    Subject.objects.bulk_create(subjects)
    deaths = []
    for review, death_row in batch.child_deaths:
        death_row.review = review
        deaths.append(death_row)
    ChildDeath.objects.bulk_create(deaths)
    findings = []
    for review, findings_row, _, _ in batch.findings:
        findings_row.review = review
        findings.append(findings_row)
    Findings.objects.bulk_create(findings)
    _recommendations_and_actions(batch, agencies=agencies, users=users, today=today)
    _write_history(batch, coordinator)
    _write_contributions(batch, partnership=partnership, agencies=agencies, users=users)
    _seal_signed_findings(findings)
    _roles(batch.reviews, users)
    clocks = review_clocks_build(reviews=batch.reviews, partnership=partnership, today=today)
    ReviewClock.objects.bulk_create(clocks)
    by_review: dict[int, list[ReviewClock]] = {}
    for clock in clocks:
        by_review.setdefault(clock.review_id, []).append(clock)
    # Reminders for the clocks still running, as the service sets them (most reviews have none).
    for review in batch.reviews:
        running = [c for c in by_review.get(review.pk, []) if c.stopped_on is None and c.due_date is not None]
        if running:
            review_clock_deadlines_sync(review=review, clocks=by_review[review.pk])


def _subject(pseudonym: str, born: date, died: date, sex: str) -> Subject:
    return Subject(pseudonym=pseudonym, date_of_birth=born, date_of_death_or_incident=died, sex=sex)


def _born(age: str, died: date) -> date:
    number = int(age.split()[1])
    days = number * 30 + 10 if "month" in age else number * 365 + 100
    return died - timedelta(days=days)


# Action states in turn, so every state appears; an active action's due date in the past is overdue.
ACTION_PATTERN: list[tuple[str, int]] = [
    (ActionState.VERIFIED, 0),
    (ActionState.COMPLETED, 0),
    (ActionState.OPEN, 60),  # due in 60 days
    (ActionState.IN_PROGRESS, -20),  # overdue
    (ActionState.VERIFIED, 0),
    (ActionState.CLOSED_NOT_IMPLEMENTED, 0),
    (ActionState.OPEN, -45),  # overdue
    (ActionState.IN_PROGRESS, 30),
    (ActionState.VERIFIED, 0),
]
NOT_IMPLEMENTED_REASONS = [
    "The service was recommissioned and the new provider's pathway already covers it.",
    "Superseded by the national guidance published in the year; the partnership adopted that instead.",
]


def _recommendations_and_actions(
    batch: _Batch, *, agencies: dict[str, Agency], users: dict[str, User], today: date
) -> None:
    coordinator, lead = users["coordinator"], users["health.lead"]
    recommendations: list[Recommendation] = []
    created: list[date] = []
    for review, record, count, _ in batch.findings:
        if not count or record.signed_at is None:
            continue
        signed = timezone.localdate(record.signed_at)
        for number in range(1, count + 1):
            agency = agencies[AGENCY_FOR_ACTIONS[(review.pk + number) % len(AGENCY_FOR_ACTIONS)]]
            recommendations.append(
                Recommendation(
                    findings=record,
                    number=number,
                    what=[
                        "Safe sleep advice is given and recorded at every health visiting contact until the "
                        "baby is one.",
                        "Referrals closed without a home visit are reviewed by a manager within 2 working days.",
                        "Practitioners ask about the adults living in or visiting the household at every assessment.",
                    ][(number - 1) % 3],
                    owner_agency=agency,
                    due_by=signed + timedelta(days=180),
                    success_measure="An audit of 20 cases six months on shows it done in at least 18.",
                )
            )
            created.append(signed)
    Recommendation.objects.bulk_create(recommendations)
    for recommendation, day in zip(recommendations, created, strict=True):
        recommendation.created_at = _at(day, 16)
    Recommendation.objects.bulk_update(recommendations, ["created_at"])

    actions: list[Action] = []
    turn = 0
    for recommendation, signed in zip(recommendations, created, strict=True):
        review = recommendation.findings.review
        for number in (1, 2):
            state, due_offset = ACTION_PATTERN[turn % len(ACTION_PATTERN)]
            turn += 1
            settled_or_done = state not in ACTIVE_ACTION_STATES
            due = today + timedelta(days=due_offset) if not settled_or_done else signed + timedelta(days=120)
            done = min(signed + timedelta(days=100), today - timedelta(days=1))
            actions.append(
                Action(
                    recommendation=recommendation,
                    review=review,
                    number=number,
                    description=[
                        "Update the procedure and brief every team.",
                        "Audit a sample of cases and report to the partnership's quality group.",
                    ][number - 1],
                    owner_agency=recommendation.owner_agency,
                    owner_role="Head of safeguarding",
                    due_date=max(due, signed + timedelta(days=14)) if settled_or_done else due,
                    success_measure=recommendation.success_measure,
                    state=state,
                    evidence="Procedure v3 issued; briefing attendance records kept."
                    if state in (ActionState.COMPLETED, ActionState.VERIFIED)
                    else "",
                    completed_by=lead if state in (ActionState.COMPLETED, ActionState.VERIFIED) else None,
                    completed_at=_at(done, 12) if state in (ActionState.COMPLETED, ActionState.VERIFIED) else None,
                    verified_by=coordinator if state == ActionState.VERIFIED else None,
                    verified_at=_at(done, 17) if state == ActionState.VERIFIED else None,
                    not_implemented_reason=NOT_IMPLEMENTED_REASONS[turn % 2]
                    if state == ActionState.CLOSED_NOT_IMPLEMENTED
                    else "",
                    created_by=coordinator,
                )
            )
    Action.objects.bulk_create(actions)
    for action in actions:
        action.created_at = action.recommendation.created_at
    Action.objects.bulk_update(actions, ["created_at"])


def _roles(reviews: list[Review], users: dict[str, User]) -> None:
    """The coordinator and the chair on each (the panel member on the CSPRs), with their object
    permissions, as reviews.services.roles.role_assign records them."""
    grants = [(Role.COORDINATOR, "coordinator"), (Role.CHAIR, "chair")]
    roles = []
    for review in reviews:
        for role, username in grants:
            roles.append(ReviewRole(review=review, user=users[username], role=role))
        if review.kind == ReviewKind.CSPR:
            roles.append(ReviewRole(review=review, user=users["panel"], role=Role.PANEL_MEMBER))
    ReviewRole.objects.bulk_create(roles)
    content_type = ContentType.objects.get_for_model(Review)
    permissions = {
        p.codename: p for p in Permission.objects.filter(content_type=content_type, codename__in=_codenames())
    }
    ReviewUserObjectPermission.objects.bulk_create(
        [
            ReviewUserObjectPermission(permission=permissions[codename], user=role.user, content_object=role.review)
            for role in roles
            for codename in ROLE_PERMISSIONS[role.role]
        ]
    )


def _codenames() -> set[str]:
    return {codename for codenames in ROLE_PERMISSIONS.values() for codename in codenames}


def _seal_signed_findings(findings: list[Findings]) -> None:
    """Hash what each chair signed off as sign-off does (reviews/services/findings.py), once its
    recommendations exist, so the findings page reads them as unchanged since sign-off."""
    signed = (
        Findings.objects.filter(pk__in=[row.pk for row in findings], state=FindingsState.SIGNED_OFF)
        .select_related("review")
        .order_by("pk")
    )
    sealed = []
    for row in signed:
        row.content_hash = content_hash(signed_content(row))
        sealed.append(row)
    Findings.objects.bulk_update(sealed, ["content_hash"])


# --- stage history --------------------------------------------------------------------------------

SPINE_STEPS = [
    ("start_scoping", ReviewState.NOTIFICATION, ReviewState.SCOPING),
    ("request_submissions", ReviewState.SCOPING, ReviewState.AGENCY_SUBMISSIONS),
    ("convene_panel", ReviewState.AGENCY_SUBMISSIONS, ReviewState.PANEL),
    ("draft_findings", ReviewState.PANEL, ReviewState.FINDINGS),
    ("start_action_tracking", ReviewState.FINDINGS, ReviewState.ACTION_TRACKING),
    ("close", ReviewState.ACTION_TRACKING, ReviewState.CLOSED),
]
CLOSE_REASON = "Every action settled; the partnership's learning is recorded."


def _spine_steps(state: str, days: list[date | None], today: date, first: int = 0) -> list[tuple[str, str, str, date]]:
    """The spine's steps from SPINE_STEPS[first] up to ``state``, the n-th on ``days[n]`` (moved on to
    the day before if earlier, and to today at the latest): the steps a review now at ``state`` took."""
    steps: list[tuple[str, str, str, date]] = []
    previous: date | None = None
    for (transition, source, target), day in zip(SPINE_STEPS[first:], days, strict=False):
        if ReviewState(state) == source or day is None:
            break
        day = min(max(day, previous or day), today)
        steps.append((transition, source, target, day))
        previous = day
        if target == state:
            break
    return steps


def _write_history(batch: _Batch, actor: User) -> None:
    """One TransitionLog row per stage change, dated as the plan says, in the transition log's audit
    chain (workflows/chain.py): rows the chain vouches for, as ``chain_append`` writes them, except
    that ``at`` is the planned day rather than the database's clock (a fictional history)."""
    review_type = ContentType.objects.get_for_model(Review)
    rows = [
        TransitionLog(
            content_type=review_type,
            object_id=review.pk,
            object_label=review.reference,
            transition=transition,
            from_state=source,
            to_state=target,
            actor=actor,
            at=_at(day, 11),
            reason=CLOSE_REASON
            if transition == "close"
            else "The partners agreed the case meets the criteria for a local child safeguarding practice review."
            if transition == "convert_to_cspr"
            else "",
        )
        for review in batch.reviews
        for transition, source, target, day in batch.steps.get(id(review), [])
    ]
    _chain_backdated(rows)


def _chain_backdated(rows: list[TransitionLog]) -> None:
    """The rows appended to the audit chain with the dates the plan gave them (chain_append stamps
    the database's clock, which a history months old cannot have), in date order so the chain reads
    forward; verify_audit passes."""
    rows.sort(key=lambda row: (row.at, row.object_id))
    with transaction.atomic():
        chain_append(rows, keep_timestamps=True)


# --- agency contributions -------------------------------------------------------------------------

# The agencies asked on each review, with their demo leads (reviews/demo.py USERS).
ASKED_AGENCIES = [("police", "police.lead"), ("gp", "gp.lead"), ("community", "health.lead")]
# How each contribution went, in turn (the turn moves on per agency too, so every agency gets each):
# (days submitted after the due date, or None for not yet; extended; chased; escalated)
CONTRIBUTION_PATTERN: list[tuple[int | None, bool, bool, bool]] = [
    (-2, False, False, False),  # on time
    (6, False, True, False),  # late, chased
    (-1, True, False, False),  # on time after an extension
    (15, False, True, True),  # late, chased and escalated
    (0, False, True, False),  # on time, on the day, after a reminder
    (-4, False, False, False),  # on time
    (3, True, True, False),  # late even after an extension, chased
]


def _ask_agencies(batch: _Batch, review: Review, asked: date, days: int, today: date, until: date | None) -> None:
    """Plan the contributions asked of ASKED_AGENCIES on ``asked``, due ``days`` later; each
    submitted by ``until`` at the latest (the panel met on them), and never after today."""
    if asked >= today:
        return
    for index, (agency, _) in enumerate(ASKED_AGENCIES):
        offset, extended, chased, escalated = CONTRIBUTION_PATTERN[
            (len(batch.contributions) + index) % len(CONTRIBUTION_PATTERN)
        ]
        due = asked + timedelta(days=days + (10 if extended else 0))
        submitted = due + timedelta(days=offset) if offset is not None else None
        if submitted is not None and until is not None:
            submitted = max(min(submitted, until), asked)
        if submitted is not None and submitted >= today:
            submitted = None
        # A reminder goes out before the due date, or after it once late; none after a submission.
        if chased and submitted is not None and submitted <= due - timedelta(days=2) and offset != 0:
            chased = escalated = False
        batch.contributions.append((review, agency, asked, due, submitted, extended, chased, escalated, False))


def _write_contributions(
    batch: _Batch, *, partnership: Partnership, agencies: dict[str, Agency], users: dict[str, User]
) -> None:
    """The planned contributions, with a granted extension's DueDateChange and the reminders
    (deadline and sent e-mails) of those chased, as the annual report and the dashboard count them.
    The deadlines are settled or have no reminder to come: the demo's sweep sends nothing for them."""
    if not batch.contributions:
        return
    coordinator = users["coordinator"]
    leads = dict(ASKED_AGENCIES)
    asks: dict[str, list[str]] = {
        ReviewKind.CHILD_DEATH: [Ask.CDR_REPORTING_FORM.value],
        ReviewKind.RAPID: [Ask.RAPID_REVIEW_SUMMARY.value],
        ReviewKind.CSPR: [Ask.CHRONOLOGY.value, Ask.AGENCY_REPORT.value],
    }
    rows = [
        AgencyContribution(
            review=review,
            agency=agencies[agency],
            asks=asks.get(review.kind, [Ask.CHRONOLOGY.value]),
            lead=users[leads[agency]],
            due_date=due,
            state=ContributionState.ACCEPTED if submitted else ContributionState.REQUESTED,
            submitted_at=_at(submitted, 16) if submitted else None,
            times_submitted=1 if submitted else 0,
        )
        for review, agency, _, due, submitted, *_ in batch.contributions
    ]
    AgencyContribution.objects.bulk_create(rows)
    for row, planned in zip(rows, batch.contributions, strict=True):
        row.requested_at = _at(planned[2], 10)
    AgencyContribution.objects.bulk_update(rows, ["requested_at"])

    changes = []
    for row, (_, _, _, due, _, extended, *_) in zip(rows, batch.contributions, strict=True):
        if extended:
            changes.append(
                DueDateChange(
                    contribution=row,
                    status=DueDateChange.Status.GRANTED,
                    old_due_date=due - timedelta(days=10),
                    proposed_due_date=due,
                    reason="Our safeguarding lead is on leave; the chronology needs her sign-off.",
                    asked_by=row.lead,
                    decided_by=coordinator,
                    decided_at=_at(due - timedelta(days=12), 14),
                    decision_note="Granted: the panel date allows it.",
                )
            )
    DueDateChange.objects.bulk_create(changes)
    for change in changes:
        assert change.decided_at is not None
        change.asked_at = change.decided_at - timedelta(hours=3)
    DueDateChange.objects.bulk_update(changes, ["asked_at"])

    content_type = ContentType.objects.get_for_model(AgencyContribution)
    chased = [(row, planned) for row, planned in zip(rows, batch.contributions, strict=True) if planned[6]]
    deadlines = [
        Deadline(
            content_type=content_type,
            object_id=row.pk,
            kind=DeadlineKind.CONTRIBUTION_DUE,
            due_date=row.due_date,
            state=DeadlineState.MET if row.submitted_at else DeadlineState.OPEN,
            owner_label=row.agency.name,
            scope=row.review.reference,
            context={"reference": row.review.reference, "what": "Agency contribution", "owner": row.agency.name},
            calendar=partnership.code,
        )
        for row, _ in chased
    ]
    Deadline.objects.bulk_create(deadlines)
    notifications = []
    for deadline, (row, (_, agency, _, due, _, _, _, escalated, _)) in zip(deadlines, chased, strict=True):
        # The day before it was due, and (if escalated) a week after, to the lead and the coordinator.
        sends = [(-1, False, row.lead, due - timedelta(days=1))]
        if escalated:
            sends.append((5, True, coordinator, due + timedelta(days=7)))
        for step, escalation, recipient, day in sends:
            notifications.append(
                Notification(
                    idempotency_key=f"demo-{row.review.reference}-{agency}-{step}-{int(escalation)}",
                    kind=Notification.Kind.REMINDER,
                    channel=Notification.Channel.EMAIL,
                    recipient=recipient,
                    email=recipient.email,
                    deadline=deadline,
                    scope=row.review.reference,
                    step=step,
                    escalation=escalation,
                    due_date=due,
                    context=deadline.context,
                    status=Notification.Status.SENT,
                    created_at=_at(day, 7),
                    available_at=_at(day, 7),
                    sent_at=_at(day, 7),
                )
            )
    Notification.objects.bulk_create(notifications)
