"""A child death review with every role filled, and the child's identity recorded (tests/factories)."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.models import Review, ReviewKind, Role
from reviews.services.subjects import SubjectData
from tests.factories import make_review

FULL_NAME = "Oliver Quentin Example"
NHS_NUMBER = "9434765919"


@pytest.fixture
def cdr(coordinator, chair, panel_member, scrutineer, partnership) -> Review:
    """A CDR at notification: Child D, born Sun 5 January 2025, died Fri 6 March 2026."""
    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        title="Child D (aged 14 months)",
        key_dates={"incident_on": date(2026, 3, 6), "became_aware_on": date(2026, 3, 6)},
        subject=SubjectData(
            pseudonym="Child D",
            date_of_birth=date(2025, 1, 5),
            date_of_death_or_incident=date(2026, 3, 6),
            full_name=FULL_NAME,
            nhs_number=NHS_NUMBER,
            address="12 Example Row, Northbridge",
        ),
        roles=[
            (chair, Role.CHAIR, None),
            (panel_member, Role.PANEL_MEMBER, None),
            (scrutineer, Role.SCRUTINEER, None),
        ],
    )
