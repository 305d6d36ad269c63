"""Fixtures of the clock tests: a child death review, and a serious case review whose completion clock
stops on reaching a stage."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.models import Review, ReviewKind, Role
from tests.factories import make_review


@pytest.fixture
def child_death(coordinator, chair, partnership) -> Review:
    """A CDR at notification with a chair: its review meeting clock (3 months from the death on Sat 7 March
    2026, due Sun 7 June) and the CDOP's (due Mon 7 September) stop on their recorded dates
    (reviews/services/child_death.py); the 48-hour notification was met on Sun 8 March."""
    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        title="Child C (aged 4 months)",
        key_dates={"incident_on": date(2026, 3, 7), "notified_on": date(2026, 3, 8)},
        roles=[(chair, Role.CHAIR, None)],
    )


@pytest.fixture
def scr(coordinator, chair, partnership) -> Review:
    """A legacy SCR at notification with a chair: its completion clock (6 months from the decision on Sat
    7 March 2026, due Mon 7 September) stops on reaching action tracking, a practice clock that still
    stops on a stage (docs/DOMAIN.md, Clocks)."""
    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.SCR,
        title="Child S (aged 3)",
        key_dates={
            "became_aware_on": date(2026, 3, 2),
            "notified_on": date(2026, 3, 4),
            "decision_on": date(2026, 3, 7),
        },
        roles=[(chair, Role.CHAIR, None)],
    )
