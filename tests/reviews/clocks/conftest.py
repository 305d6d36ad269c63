"""Fixtures of the clock tests: a frozen "today", so dated cases over Christmas 2026 can be recorded."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone


@pytest.fixture
def today(monkeypatch):
    """Set "today" for every service that asks timezone.localdate() (key-date checks, stops, reminders)."""

    class Today:
        value = date(2027, 2, 1)

        def set(self, day: date) -> date:
            self.value = day
            return day

    holder = Today()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: holder.value)
    return holder
