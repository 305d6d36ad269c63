"""The report fixtures of tests/reviews/report, and a round sending version 1 to the police and
the GP on Monday 1 March 2027, comments due by Friday 5 March 2027."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.models import AccuracyRound, ReviewRole, Role
from reviews.services.accuracy import accuracy_round_send
from tests.reviews.report import conftest as report_fixtures

# The report's fixtures, shared (a conftest is seen only by its own folder).
signed = report_fixtures.signed
recommendation = report_fixtures.recommendation
drafted = report_fixtures.drafted

SENT_ON = date(2027, 3, 1)  # a Monday
DUE = date(2027, 3, 5)  # the Friday


def lead_roles(review, *users) -> list[int]:
    return [ReviewRole.objects.get(review=review, user=user, role=Role.AGENCY_LEAD).pk for user in users]


@pytest.fixture
def sent(today, drafted, coordinator, police_lead, gp_lead) -> AccuracyRound:
    today.set(SENT_ON)
    review = drafted.report.review
    return accuracy_round_send(
        actor=coordinator, review_id=review.pk, lead_role_ids=lead_roles(review, police_lead, gp_lead), due_date=DUE
    )
