"""The partnership (tenant): its kinds of review, closure days (and the working days they take out of
its deadlines), code, and its agencies."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reviews.models import ClosureDay, Partnership, ReviewKind, ReviewRole, Role
from tests.factories import PartnershipFactory
from workflows.calendar import add_working_days, is_working_day, working_days_between


def test_a_new_partnership_runs_every_kind_of_review(db):
    partnership = PartnershipFactory()
    assert all(partnership.runs_kind(kind) for kind in ReviewKind.values)


def test_an_adults_board_runs_only_what_it_lists(db):
    board = PartnershipFactory(review_kinds=[ReviewKind.SAR])
    assert board.runs_kind(ReviewKind.SAR)
    assert not board.runs_kind(ReviewKind.CHILD_DEATH)


def test_closure_dates_are_the_partnership_s_own(partnership, other_partnership):
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 12, 29), reason="Shutdown")
    ClosureDay.objects.create(partnership=other_partnership, date=date(2026, 12, 30), reason="Shutdown")
    assert list(partnership.closure_dates()) == [date(2026, 12, 29)]


@pytest.mark.django_db
def test_partnership_closure_days_push_the_deadline(partnership, other_partnership):
    for day in (29, 30, 31):
        ClosureDay.objects.create(partnership=partnership, date=date(2026, 12, day), reason="Council shutdown")

    assert add_working_days(date(2026, 12, 18), 15, partnership) == date(2027, 1, 18)
    assert not is_working_day(date(2026, 12, 30), partnership)
    # Another partnership's shutdown does not move this one's deadlines.
    assert add_working_days(date(2026, 12, 18), 15, other_partnership) == date(2027, 1, 13)
    assert is_working_day(date(2026, 12, 30), other_partnership)


@pytest.mark.django_db
def test_closure_days_are_not_counted_between_two_dates(partnership):
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 12, 29), reason="Council shutdown")

    assert working_days_between(date(2026, 12, 18), date(2027, 1, 13)) == 15
    assert working_days_between(date(2026, 12, 18), date(2027, 1, 13), partnership) == 14


def test_a_closure_day_is_recorded_once(partnership):
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 12, 29), reason="Shutdown")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClosureDay.objects.create(partnership=partnership, date=date(2026, 12, 29), reason="Again")


@pytest.mark.parametrize("code", ["nscp", "N", "NSCP1", "TOOLONGCODE"])
def test_the_reference_code_is_capital_letters(code, db):
    with pytest.raises(ValidationError) as error:
        Partnership(name="Somewhere", code=code).full_clean()
    assert "code" in error.value.message_dict


def test_the_database_ties_an_agency_only_to_an_agency_lead(review, chair, police):
    with pytest.raises(IntegrityError, match="reviewrole_agency_only_for_agency_lead"), transaction.atomic():
        ReviewRole.objects.create(review=review, user=chair, role=Role.PANEL_MEMBER, agency=police)
    with pytest.raises(ValidationError) as error:
        ReviewRole(review=review, user=chair, role=Role.AGENCY_LEAD).clean()
    assert error.value.message_dict == {"agency": ["An agency lead answers for one agency: choose it."]}
