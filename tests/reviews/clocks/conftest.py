"""Fixtures of the clock tests: a child death review, whose clocks stop on reaching a stage."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.models import Review, ReviewKind, Role
from tests.factories import make_review


@pytest.fixture
def child_death(coordinator, chair, partnership) -> Review:
    """A CDR at notification with a chair: its review meeting clock (3 months from the death on Sat 7 March
    2026, due Sun 7 June) stops when findings are reached, the CDOP's (due Mon 7 September) at action
    tracking; the 48-hour notification was met on Sun 8 March."""
    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        title="Child C (aged 4 months)",
        key_dates={"incident_on": date(2026, 3, 7), "notified_on": date(2026, 3, 8)},
        roles=[(chair, Role.CHAIR, None)],
    )
