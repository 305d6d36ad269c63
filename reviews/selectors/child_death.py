"""Readers of a child death review: the notification dataset and the joint agency response for the
review page, and the CDOP's anonymised papers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reviews.models import ChildDeath, JointAgencyResponseItem, Review, ReviewKind, Subject
from reviews.models.child_death import JarItem
from reviews.models.clocks import JAR_HOME_VISIT, JAR_INFORMATION_MEETING
from reviews.selectors.clocks import ClockRow

JAR_CLOCKS = {JarItem.HOME_VISIT: JAR_HOME_VISIT.key, JarItem.INFORMATION_MEETING: JAR_INFORMATION_MEETING.key}


@dataclass(frozen=True)
class JarRow:
    item: JarItem
    record: JointAgencyResponseItem | None
    clock: ClockRow | None


@dataclass(frozen=True)
class ChildDeathSummary:
    review: Review
    record: ChildDeath | None
    jar: list[JarRow]

    @property
    def expected_text(self) -> str:
        if self.review.death_unexpected is None:
            return "Not recorded"
        return "Unexpected" if self.review.death_unexpected else "Expected"


def child_death_summary(review: Review, clocks: list[ClockRow]) -> ChildDeathSummary | None:
    """The dataset, the meeting and the CDOP's review, and the joint agency response beside its clocks
    (from the rows already read for the page). Two queries; none for another kind of review."""
    if review.kind != ReviewKind.CHILD_DEATH:
        return None
    record = ChildDeath.objects.filter(review=review).first()
    jar: list[JarRow] = []
    if review.death_unexpected:
        recorded = {
            row.item: row for row in JointAgencyResponseItem.objects.filter(review=review).select_related("recorded_by")
        }
        by_key = {row.clock.key: row for row in clocks}
        jar = [JarRow(item, recorded.get(item), by_key.get(JAR_CLOCKS[item])) for item in JarItem]
    return ChildDeathSummary(review=review, record=record, jar=jar)


# --- the CDOP's papers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnonymisedChild:
    pseudonym: str
    sex: str
    # Age at death in whole months: the panel needs the age, not the dates of birth and death.
    age_months: int | None

    @property
    def age_text(self) -> str:
        if self.age_months is None:
            return "Not known"
        years, months = divmod(self.age_months, 12)
        if years == 0:
            return f"{months} month{'s' if months != 1 else ''}"
        return f"{years} year{'s' if years != 1 else ''}, {months} month{'s' if months != 1 else ''}"


def _months_between(born: date, died: date) -> int:
    return (died.year - born.year) * 12 + died.month - born.month - (1 if died.day < born.day else 0)


@dataclass(frozen=True)
class CdopPapers:
    review: Review
    children: list[AnonymisedChild]
    record: ChildDeath | None
    jar: list[JointAgencyResponseItem]


def cdop_papers(review: Review) -> CdopPapers:
    """What the CDOP reads: pseudonyms, ages, the dataset without the notifier, the joint agency response
    (roles, not names) and the meeting. Never a SubjectIdentity: this reader does not touch them.
    Three queries."""
    died = review.incident_on
    children = [
        AnonymisedChild(
            pseudonym=subject.pseudonym,
            sex=subject.get_sex_display(),
            age_months=_months_between(subject.date_of_birth, died) if subject.date_of_birth and died else None,
        )
        for subject in Subject.objects.filter(review=review).only("pseudonym", "sex", "date_of_birth")
    ]
    return CdopPapers(
        review=review,
        children=children,
        record=ChildDeath.objects.filter(review=review).first(),
        jar=list(JointAgencyResponseItem.objects.filter(review=review)),
    )
