"""The same notification sent twice at the same moment (a double click that beat the button's guard,
or two tabs), each on its own database connection: stored once, both told the same reference."""

from __future__ import annotations

import pytest
from django.db import connection

from reviews.models import IntakeItem
from tests.concurrency import race
from tests.reviews.builders import notify_death

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _sending():
    def send():
        try:
            return notify_death().reference
        finally:
            connection.close()

    return send


def test_two_identical_notifications_at_once_are_stored_once(areas):
    results = race(*[(f"press {n}", _sending()) for n in range(4)])
    outcomes = {name: result[0] for name, result in results.items()}
    assert set(outcomes.values()) == {"ok"}, results
    assert len({result[1] for result in results.values()}) == 1
    assert IntakeItem.objects.count() == 1
