"""A hand-built partnership for the annual report of 2026 (1 April 2026 to 31 March 2027), its rows
written straight to the database with dates either side of 31 March / 1 April, so every figure the
tests expect is counted by hand from the lists below, not by the query under test.

Times are London time: 1 April 2026 00:30 is British Summer Time, 23:30 on 31 March in UTC, so a
report that compared UTC dates would count it in the wrong year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from notifications.models import Deadline, DeadlineKind, Notification
from reviews.models import Partnership, Review, ReviewClock, ReviewKind
from reviews.models.actions import Action, ActionState
from reviews.models.child_death import ChildDeath
from reviews.models.clocks import spec_by_key
from reviews.models.contributions import AgencyContribution, ContributionState, DueDateChange
from reviews.models.findings import Findings, FindingsState, Recommendation
from reviews.models.subjects import Subject, SubjectIdentity
from tests.factories import AgencyFactory, UserFactory
from workflows.calendar import WorkingCalendar

LONDON = ZoneInfo("Europe/London")
AS_OF = date(2027, 6, 30)
FULL_NAME = "Oliver Quentin Annualreport"
NHS_NUMBER = "9434765919"
PSEUDONYM = "Child Cee-One"


def at(day: date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@dataclass
class World:
    partnership: Partnership
    reviews: dict[str, Review]


_sequence = count(1)


def _review(partnership: Partnership, user: Any, name: str, kind: str, created: dt.datetime, **fields: Any) -> Review:
    n = next(_sequence)
    review = Review.objects.create(
        partnership=partnership,
        kind=kind,
        reference=f"{partnership.code}-{name}",
        year=2026,
        sequence=n,
        title=f"Review {name}",
        created_by=user,
        **fields,
    )
    Review.objects.filter(pk=review.pk).update(created_at=created)
    return review


def _clock(review: Review, key: str, due: date, stopped: date | None = None, abandoned: bool = False) -> None:
    spec = spec_by_key(key)
    assert spec is not None
    ReviewClock.objects.create(
        review=review,
        key=key,
        label=spec.label,
        basis=spec.basis,
        start_event=spec.start_events[0],
        start_date=date(2025, 1, 1),
        duration=spec.duration,
        unit=spec.unit,
        calendar=WorkingCalendar.BANK_HOLIDAYS,
        due_date=due,
        stopped_on=stopped,
        abandoned=abandoned,
    )


def _findings(review: Review, signed: dt.datetime, state: str = FindingsState.SIGNED_OFF, **fields: Any) -> Findings:
    return Findings.objects.create(review=review, state=state, signed_at=signed, **fields)


@pytest.fixture
def world(db) -> World:
    user = UserFactory(username="annual.coordinator")
    partnership = Partnership.objects.create(name="Annualshire Safeguarding Partnership", code="ANNU")
    police = AgencyFactory(name="Annualshire Police", serves=[partnership])
    health = AgencyFactory(name="Annualshire NHS Trust", serves=[partnership])
    R = lambda *a, **k: _review(partnership, user, *a, **k)  # noqa: E731

    reviews = {
        # CSPRs. R1: opened 31 March 2026 23:30 (last year); published 1 April 2026, which stops its clock.
        "R1": R(
            "R1",
            ReviewKind.CSPR,
            at(date(2026, 3, 31), 23, 30),
            published_on=date(2026, 4, 1),
            publication_decision="full",
        ),
        # R2: opened 1 April 2026 00:30 BST (this year); published 31 March 2027.
        "R2": R(
            "R2",
            ReviewKind.CSPR,
            at(date(2026, 4, 1), 0, 30),
            published_on=date(2027, 3, 31),
            publication_decision="full",
        ),
        # R3: opened 31 March 2027; decided not to publish on 1 April 2027 (next year).
        "R3": R(
            "R3",
            ReviewKind.CSPR,
            at(date(2027, 3, 31)),
            publication_declined_on=date(2027, 4, 1),
            publication_decision="not_published",
        ),
        # Rapid reviews. R4: opened 1 April 2027 00:00:30 (next year). R5: opened June, sent to the Panel 20 June.
        "R4": R("R4", ReviewKind.RAPID, dt.datetime(2027, 4, 1, 0, 0, 30, tzinfo=LONDON)),
        "R5": R("R5", ReviewKind.RAPID, at(date(2026, 6, 1)), sent_to_panel_on=date(2026, 6, 20)),
        # SARs. R6: referral 10 April 2026, decision 15 May, completed 10 January 2027, published 1 February.
        "R6": R(
            "R6",
            ReviewKind.SAR,
            at(date(2026, 5, 1)),
            became_aware_on=date(2026, 4, 10),
            decision_on=date(2026, 5, 15),
            published_on=date(2027, 2, 1),
            publication_decision="full",
        ),
        # R7: opened 15 March 2026, referral 31 March 2026 (last year), decision 1 April 2026 (this year).
        "R7": R(
            "R7", ReviewKind.SAR, at(date(2026, 3, 15)), became_aware_on=date(2026, 3, 31), decision_on=date(2026, 4, 1)
        ),
        # R8: an institutional investigation, decided not to publish 1 December 2026: completed, not published.
        "R8": R(
            "R8",
            ReviewKind.INSTITUTIONAL,
            at(date(2026, 9, 9)),
            publication_declined_on=date(2026, 12, 1),
            publication_decision="not_published",
        ),
        # R9: a DHR opened July 2026, completed (sent to the QA panel) 20 December 2026.
        "R9": R("R9", ReviewKind.DHR, at(date(2026, 7, 1)), sent_to_qa_panel_on=date(2026, 12, 20)),
        # Child deaths.
        "C1": R(
            "C1",
            ReviewKind.CHILD_DEATH,
            at(date(2026, 3, 31)),
            notified_on=date(2026, 3, 31),
            cdop_reviewed_on=date(2026, 9, 1),
            death_unexpected=True,
            incident_on=date(2026, 3, 30),
        ),
        "C2": R(
            "C2",
            ReviewKind.CHILD_DEATH,
            at(date(2026, 4, 1), 10),
            notified_on=date(2026, 4, 1),
            death_unexpected=False,
            incident_on=date(2026, 3, 31),
        ),
        # C3: no notification date: notified by when the notifier became aware, 31 March 2027; the date of
        # death only on the subject; expected or not not recorded; no notification dataset at all.
        "C3": R("C3", ReviewKind.CHILD_DEATH, at(date(2027, 3, 31)), became_aware_on=date(2027, 3, 31)),
        "C4": R(
            "C4",
            ReviewKind.CHILD_DEATH,
            at(date(2025, 5, 1)),
            notified_on=date(2025, 5, 1),
            cdop_reviewed_on=date(2027, 3, 31),
            death_unexpected=True,
            incident_on=date(2025, 4, 28),
        ),
        "C5": R(
            "C5",
            ReviewKind.CHILD_DEATH,
            at(date(2025, 6, 1)),
            notified_on=date(2025, 6, 1),
            cdop_reviewed_on=date(2026, 3, 31),
            death_unexpected=False,
            incident_on=date(2025, 5, 31),
        ),
        # C6: notified 1 April 2027: in no table.
        "C6": R(
            "C6",
            ReviewKind.CHILD_DEATH,
            at(date(2027, 4, 1)),
            notified_on=date(2027, 4, 1),
            death_unexpected=True,
            incident_on=date(2027, 3, 30),
        ),
    }
    r = reviews

    # Subjects (date of birth, sex) and the notification dataset (place, ethnicity).
    subjects = {
        "C1": (date(2026, 3, 20), None, "male", "hospital", "white_british"),  # 10 days: 0 to 27 days
        "C2": (date(2025, 4, 2), None, "female", "home", "asian_indian"),  # 363 days: 28 to 364 days
        "C3": (date(2020, 4, 1), date(2027, 3, 30), "not_known", None, None),  # 6 years: 5 to 9
        "C4": (date(2010, 6, 1), None, "male", "public_place", "white_british"),  # 14 years: 10 to 14
        "C5": (date(2024, 6, 1), None, "female", "hospital", "black_african"),  # 364 days: 28 to 364 days
        "C6": (date(2015, 1, 1), None, "male", "home", "white_irish"),
    }
    for name, (born, died, sex, place, ethnicity) in subjects.items():
        subject = Subject.objects.create(
            review=r[name],
            pseudonym=PSEUDONYM if name == "C1" else f"Child {name}",
            date_of_birth=born,
            date_of_death_or_incident=died,
            sex=sex,
        )
        if name == "C1":
            SubjectIdentity.objects.create(
                subject=subject, full_name=FULL_NAME, nhs_number=NHS_NUMBER, address="1 Secret Lane"
            )
        if place:
            ChildDeath.objects.create(review=r[name], place_of_death=place, ethnicity=ethnicity)

    # Clocks: (review, key, due, stopped, abandoned).
    _clock(r["R1"], "cspr_completion", date(2026, 4, 1), date(2026, 4, 1))  # due in year: met
    _clock(r["R2"], "cspr_completion", date(2026, 11, 2), date(2027, 3, 31))  # met late; completes R2
    _clock(r["R3"], "cspr_completion", date(2027, 4, 1), date(2027, 4, 1))  # due next year
    _clock(r["R5"], "rapid_review", date(2026, 6, 22), date(2026, 6, 20))  # met
    _clock(r["R6"], "sar_completion", date(2026, 11, 16), date(2027, 1, 11))  # met late; completes R6
    _clock(r["R7"], "sar_decision", date(2026, 4, 1), date(2026, 4, 1))  # met
    _clock(r["R9"], "dhr_completion", date(2027, 3, 31), date(2026, 12, 20))  # met; completes R9
    _clock(r["R9"], "home_office_decision", date(2027, 3, 31))  # not stopped: overdue on 30 June 2027
    _clock(r["C1"], "cdop_review", date(2026, 3, 31), date(2026, 9, 1))  # due last year; completes C1
    _clock(r["C2"], "cdr_notification", date(2026, 4, 2), date(2026, 4, 1))  # met
    _clock(r["C3"], "jar_home_visit", date(2027, 3, 31), None, abandoned=True)  # withdrawn: not counted
    _clock(r["C4"], "cdop_review", date(2026, 10, 28), date(2027, 3, 31))  # met late; completes C4
    _clock(r["C5"], "cdop_review", date(2026, 3, 31), date(2026, 3, 31))  # last year

    # Findings: themes, recommendations, the CDR analysis.
    f_r2 = _findings(r["R2"], at(date(2026, 4, 1), 0, 30), themes=["Neglect", "Domestic abuse"])
    f_r6 = _findings(r["R6"], at(date(2027, 3, 31), 23, 30), themes=["Neglect", "Self-neglect"])
    f_r1 = _findings(r["R1"], at(date(2026, 3, 31), 23, 30), themes=["Neglect"])  # last year
    f_r9 = _findings(r["R9"], at(date(2026, 8, 1)), state=FindingsState.DRAFT, themes=["Domestic abuse"])  # reopened
    _findings(r["C1"], at(date(2026, 8, 20)), category_of_death=8, modifiable_factors="no")
    _findings(r["C4"], at(date(2027, 3, 1)), category_of_death=3, modifiable_factors="yes")
    _findings(r["C5"], at(date(2026, 3, 1)), category_of_death=6, modifiable_factors="insufficient")
    recommendation = None
    for findings, how_many in ((f_r2, 2), (f_r6, 1), (f_r1, 3), (f_r9, 1)):
        for number in range(1, how_many + 1):
            made = Recommendation.objects.create(
                findings=findings,
                number=number,
                what="Change",
                owner_agency=police,
                due_by=date(2027, 1, 1),
                success_measure="Audit",
            )
            recommendation = recommendation or made

    # Actions on R2's first recommendation: (state, due, created).
    actions = [
        (ActionState.OPEN, date(2027, 3, 31), at(date(2026, 5, 1))),  # A1 overdue
        (ActionState.OPEN, date(2027, 4, 1), at(date(2026, 5, 1))),  # A2 due after the year: not overdue
        (ActionState.IN_PROGRESS, date(2026, 12, 1), at(date(2026, 5, 1))),  # A3 overdue
        (ActionState.COMPLETED, date(2026, 10, 1), at(date(2026, 5, 1))),  # A4 done
        (ActionState.VERIFIED, date(2026, 10, 1), at(date(2026, 5, 1))),  # A5
        (ActionState.CLOSED_NOT_IMPLEMENTED, date(2026, 9, 1), at(date(2026, 5, 1))),  # A6
        (ActionState.OPEN, date(2027, 5, 1), at(date(2027, 4, 1), 0, 30)),  # A7 agreed next year: not counted
        (ActionState.OPEN, date(2026, 3, 1), at(date(2026, 3, 31))),  # A8 agreed last year, still open: overdue
    ]
    for number, (state, due, created) in enumerate(actions, start=1):
        action = Action.objects.create(
            recommendation=recommendation,
            review=r["R2"],
            number=number,
            description="Do it",
            owner_agency=police,
            owner_role="Head of safeguarding",
            due_date=due,
            success_measure="Audit",
            state=state,
            evidence="Done" if state in (ActionState.COMPLETED, ActionState.VERIFIED) else "",
            not_implemented_reason="No budget" if state == ActionState.CLOSED_NOT_IMPLEMENTED else "",
            created_by=user,
        )
        Action.objects.filter(pk=action.pk).update(created_at=created)

    # Contributions: (name, review, agency, requested, due, submitted, state).
    contributions = [
        (
            "K1",
            "R2",
            police,
            at(date(2026, 4, 1), 0, 30),
            date(2026, 5, 1),
            at(date(2026, 5, 2), 0, 30),
            ContributionState.ACCEPTED,
        ),
        (
            "K2",
            "R5",
            police,
            at(date(2026, 6, 1)),
            date(2026, 6, 10),
            at(date(2026, 6, 10), 23, 30),
            ContributionState.ACCEPTED,
        ),
        ("K3", "R9", police, at(date(2026, 7, 1)), date(2026, 8, 1), None, ContributionState.REQUESTED),
        ("K4", "R2", health, at(date(2026, 4, 2)), date(2026, 5, 1), None, ContributionState.WAIVED),
        (
            "K5",
            "R6",
            health,
            at(date(2026, 3, 31), 23, 30),
            date(2026, 5, 1),
            at(date(2026, 4, 20)),
            ContributionState.ACCEPTED,
        ),
        ("K6", "R9", health, at(date(2027, 3, 31)), date(2027, 4, 20), None, ContributionState.REQUESTED),
    ]
    made: dict[str, AgencyContribution] = {}
    for name, review, agency, requested, due, submitted, state in contributions:
        contribution = AgencyContribution.objects.create(
            review=r[review],
            agency=agency,
            lead=user,
            due_date=due,
            state=state,
            submitted_at=submitted,
            asks=["chronology"],
        )
        AgencyContribution.objects.filter(pk=contribution.pk).update(requested_at=requested)
        made[name] = contribution
    DueDateChange.objects.create(
        contribution=made["K1"],
        status="granted",
        old_due_date=date(2026, 4, 20),
        proposed_due_date=date(2026, 5, 1),
        reason="Staff",
        asked_by=user,
    )
    DueDateChange.objects.create(
        contribution=made["K6"],
        status="refused",
        old_due_date=date(2027, 4, 20),
        proposed_due_date=date(2027, 5, 1),
        reason="Staff",
        asked_by=user,
    )
    content_type = ContentType.objects.get_for_model(AgencyContribution)
    keys = count(1)
    # Reminders: (contribution, escalation, status). K4's only reminder was cancelled: never sent.
    for name, escalation, status in (
        ("K1", False, Notification.Status.SENT),
        ("K3", False, Notification.Status.SENT),
        ("K3", True, Notification.Status.SENT),
        ("K4", False, Notification.Status.CANCELLED),
    ):
        deadline, _ = Deadline.objects.get_or_create(
            content_type=content_type,
            object_id=made[name].pk,
            kind=DeadlineKind.CONTRIBUTION_DUE,
            defaults={"due_date": made[name].due_date, "owner_label": "Agency"},
        )
        Notification.objects.create(
            idempotency_key=f"annual-{next(keys)}",
            kind=Notification.Kind.REMINDER,
            channel=Notification.Channel.EMAIL,
            recipient=user,
            deadline=deadline,
            escalation=escalation,
            status=status,
        )
    return World(partnership=partnership, reviews=reviews)
