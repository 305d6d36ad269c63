"""Fixtures and helpers shared by the findings, actions and panel tests (imported by them)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from reviews.models import Agency, AgencyKind, Review, ReviewState
from reviews.models.actions import Action
from reviews.models.findings import Recommendation
from reviews.services.actions import ActionData, action_create
from reviews.services.findings import (
    FindingsData,
    RecommendationData,
    findings_save,
    findings_sign_off,
    recommendation_save,
)
from reviews.services.review import review_advance
from tests.factories import AgencyFactory, advance_to

# What `from tests.reviews.findings_support import *` brings into a test module: the fixtures.
__all__ = ["csc", "drafting"]


def soon(days: int = 60) -> date:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def csc(partnership) -> Agency:
    return AgencyFactory(
        name="Northbridge Children's Social Care",
        short_name="Children's social care",
        kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
        serves=[partnership],
    )


@pytest.fixture
def drafting(review, coordinator) -> Review:
    """The fixture review at findings, nothing written yet (advance_to would sign them off)."""
    advance_to(review, ReviewState.PANEL, coordinator)
    return review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")


def write_findings(review: Review, actor: Any, **changes: Any) -> None:
    values: dict[str, Any] = {
        "findings": "Agencies held pieces of the picture that no one put together.",
        "learning": "Escalate concerns about a non-mobile baby's bruising at once.",
        "themes": ["Neglect", "Domestic abuse"],
    }
    values.update(changes)
    findings_save(actor=actor, review_id=review.pk, data=FindingsData(**values))


def add_recommendation(review: Review, actor: Any, agency: Agency, **changes: Any) -> Recommendation:
    values: dict[str, Any] = {
        "what": "Train all front-line officers in the bruising protocol.",
        "owner_agency": agency,
        "due_by": soon(90),
        "success_measure": "95% of officers trained, audited in six months.",
    }
    values.update(changes)
    return recommendation_save(actor=actor, review_id=review.pk, data=RecommendationData(**values))


def signed_with_recommendation(review: Review, coordinator: Any, chair: Any, agency: Agency) -> Recommendation:
    write_findings(review, coordinator)
    recommendation = add_recommendation(review, coordinator, agency)
    findings_sign_off(actor=chair, review_id=review.pk)
    return recommendation


def add_action(recommendation: Recommendation, actor: Any, **changes: Any) -> Action:
    values: dict[str, Any] = {
        "description": "Run the bruising protocol training for every response team.",
        "owner_agency": recommendation.owner_agency,
        "owner_role": "Head of public protection",
        "due_date": soon(60),
        "success_measure": "Attendance records for every team.",
    }
    values.update(changes)
    return action_create(actor=actor, recommendation_id=recommendation.pk, data=ActionData(**values))
