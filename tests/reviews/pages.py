"""Fixtures and helpers shared by the contribution and chronology view tests (imported by them)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.urls import reverse

from reviews.imports.chronology import HEADERS
from reviews.models import Review, ReviewState
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import AgencyContribution, Ask
from reviews.services.chronology import EntryData, entry_save
from reviews.services.contributions import contribution_advance, contribution_request
from tests.factories import advance_to


@pytest.fixture
def scoping(review, coordinator) -> Review:
    return advance_to(review, ReviewState.SCOPING, coordinator)


@pytest.fixture
def police_contribution(scoping, coordinator, police, police_lead) -> AgencyContribution:
    return contribution_request(
        actor=coordinator, review_id=scoping.pk, agency=police, lead=police_lead, asks=[Ask.CHRONOLOGY]
    )


@pytest.fixture
def gp_contribution(scoping, coordinator, gp, gp_lead) -> AgencyContribution:
    return contribution_request(
        actor=coordinator, review_id=scoping.pk, agency=gp, lead=gp_lead, asks=[Ask.CHRONOLOGY, Ask.AGENCY_REPORT]
    )


def add_entry(contribution: AgencyContribution, lead: Any, **changes: Any) -> ChronologyEntry:
    values: dict[str, Any] = {
        "event_date": date(2025, 11, 3),
        "source_record": "Custody record 2231",
        "what_happened": "Call to the family home; mother's partner arrested.",
        "professional_role": "Response officer",
        "significant": False,
    }
    values.update(changes)
    return entry_save(actor=lead, contribution_id=contribution.pk, data=EntryData(**values))


def submit(contribution: AgencyContribution, lead: Any) -> None:
    contribution_advance(actor=lead, contribution_id=contribution.pk, transition="submit")


def url(name: str, contribution: AgencyContribution, *extra: Any) -> str:
    return reverse(f"reviews:{name}", args=[contribution.review.reference, contribution.pk, *extra])


def date_parts(name: str, value: date) -> dict[str, str]:
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join([",".join(HEADERS), *lines]) + "\n").encode(encoding)


def entry_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        **date_parts("event_date", date(2025, 3, 14)),
        "date_precision": "exact",
        "event_time": "22:10",
        "source_record": "Custody record 2231",
        "what_happened": "Arrest at the family home; child present.",
        "professional_role": "Response officer",
        "agency_comment": "First police contact with the family.",
        "significant": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


EVENING = time(22, 10)
