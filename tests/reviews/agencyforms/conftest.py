"""Agency forms asked of the police and the GP on the scoping review: the shipped forms loaded,
both agencies asked for the rapid review agency summary (and nothing else)."""

from __future__ import annotations

import pytest

from reviews.models.contributions import AgencyContribution
from reviews.services.agencyforms import agency_forms_load_defaults
from reviews.services.contributions import contribution_request

FORM = "rapid_review_summary"


@pytest.fixture
def shipped_forms(db) -> dict[str, str]:
    return agency_forms_load_defaults()


@pytest.fixture
def police_asked(shipped_forms, scoping, coordinator, police, police_lead) -> AgencyContribution:
    return contribution_request(
        actor=coordinator, review_id=scoping.pk, agency=police, lead=police_lead, asks=[], forms=[FORM]
    )


@pytest.fixture
def gp_asked(shipped_forms, scoping, coordinator, gp, gp_lead) -> AgencyContribution:
    return contribution_request(actor=coordinator, review_id=scoping.pk, agency=gp, lead=gp_lead, asks=[], forms=[FORM])
