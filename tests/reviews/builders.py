"""Builders that take the fixture review forward through the real services: chronology entries,
submitted contributions, findings, recommendations and actions. Plain functions, imported by name;
the fixtures built on them (``drafting``, ``police_contribution`` ...) live in tests/reviews/conftest.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from reviews.models import Agency, Review
from reviews.models.actions import Action
from reviews.models.agencyforms import AgencyFormAnswers, field_choices, iter_fields
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import AgencyContribution
from reviews.models.findings import Recommendation
from reviews.services.actions import ActionData, action_create
from reviews.services.agencyforms import agency_form_save
from reviews.services.chronology import EntryData, entry_save
from reviews.services.contributions import contribution_advance
from reviews.services.findings import (
    FindingsData,
    RecommendationData,
    findings_save,
    findings_sign_off,
    recommendation_save,
)
from tests.factories import read_hash
from workflows.types import User


def soon(days: int = 60) -> date:
    return timezone.localdate() + timedelta(days=days)


# --- contributions and their chronology -----------------------------------------------------------


def add_entry(contribution: AgencyContribution, lead: User, **changes: Any) -> ChronologyEntry:
    values: dict[str, Any] = {
        "event_date": date(2025, 11, 3),
        "source_record": "Custody record 2231",
        "what_happened": "Call to the family home; mother's partner arrested.",
        "professional_role": "Response officer",
        "significant": False,
    }
    values.update(changes)
    return entry_save(actor=lead, contribution_id=contribution.pk, data=EntryData(**values))


def complete_answers(definition: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An answer to every required question of ``definition`` (as JSON stores it), then ``changes``."""
    answers: dict[str, Any] = {}
    for field in iter_fields(definition):
        if not field.get("required"):
            continue
        kind = field["type"]
        if kind == "date":
            answers[field["name"]] = "2026-03-01"
        elif kind == "number":
            answers[field["name"]] = 2
        elif kind in ("choice", "yes_no", "multi_choice"):
            first = field_choices(field)[0]["value"]
            answers[field["name"]] = [first] if kind == "multi_choice" else first
        else:
            answers[field["name"]] = f"Answer to {field['name']}"
    answers.update(changes)
    return answers


def answer_form(contribution: AgencyContribution, lead: User, key: str, **changes: Any) -> AgencyFormAnswers:
    """The lead answers every required question of the form ``key`` asked of ``contribution``."""
    answer_set = contribution.form_answers.select_related("form").get(form__key=key)
    return agency_form_save(
        actor=lead,
        contribution_id=contribution.pk,
        form_key=key,
        answers=complete_answers(answer_set.form.definition, **changes),
        complete=True,
    )


def submit(contribution: AgencyContribution, lead: User) -> None:
    contribution_advance(actor=lead, contribution_id=contribution.pk, transition="submit")


# --- findings, recommendations and actions ----------------------------------------------------------


def write_findings(review: Review, actor: User, **changes: Any) -> None:
    values: dict[str, Any] = {
        "findings": "Agencies held pieces of the picture that no one put together.",
        "learning": "Escalate concerns about a non-mobile baby's bruising at once.",
        "themes": ["Neglect", "Domestic abuse"],
    }
    values.update(changes)
    findings_save(actor=actor, review_id=review.pk, data=FindingsData(**values))


def add_recommendation(review: Review, actor: User, agency: Agency, **changes: Any) -> Recommendation:
    values: dict[str, Any] = {
        "what": "Train all front-line officers in the bruising protocol.",
        "owner_agency": agency,
        "due_by": soon(90),
        "success_measure": "95% of officers trained, audited in six months.",
    }
    values.update(changes)
    return recommendation_save(actor=actor, review_id=review.pk, data=RecommendationData(**values))


def signed_with_recommendation(review: Review, coordinator: User, chair: User, agency: Agency) -> Recommendation:
    write_findings(review, coordinator)
    recommendation = add_recommendation(review, coordinator, agency)
    findings_sign_off(actor=chair, review_id=review.pk, read_hash=read_hash(review.pk))
    return recommendation


def add_action(recommendation: Recommendation, actor: User, **changes: Any) -> Action:
    values: dict[str, Any] = {
        "description": "Run the bruising protocol training for every response team.",
        "owner_agency": recommendation.owner_agency,
        "owner_role": "Head of public protection",
        "due_date": soon(60),
        "success_measure": "Attendance records for every team.",
    }
    values.update(changes)
    return action_create(actor=actor, recommendation_id=recommendation.pk, data=ActionData(**values))


# --- intake: notifications of a child's death through the public form ------------------------------


def notify_death(partnership: Any = None, **changes: Any) -> Any:
    """A notification through the intake service, as the public form sends it (IntakeData); routed
    by the postcode unless ``partnership`` is given. Returns the intake item."""
    from reviews.services.intake import IntakeData, intake_submit

    now = timezone.now()
    values: dict[str, Any] = {
        "child_name": "Poppy Ashcombe-Lindqvist",
        "date_of_birth": date(2023, 5, 17),
        "nhs_number": "9434765919",
        "sex": "female",
        "ethnicity": "white_british",
        "address": "3 Orchard Row\nNorthbridge",
        "postcode": "NB3 7QT",
        "died_at": now - timedelta(hours=6),
        "place_of_death": "Northbridge General Hospital",
        "expectation": "unexpected",
        "notifier_name": "Dr Amara Okafor",
        "notifier_role": "Paediatric registrar",
        "notifier_organisation": "Northbridge General Hospital",
        "notifier_email": "amara.okafor@nbgh.example.nhs.uk",
        "notifier_phone": "01632 960 123",
        "became_aware_at": now - timedelta(hours=5),
        "account": "Brought in by ambulance after a cardiac arrest at home; resuscitation was unsuccessful.",
        "partnership": partnership,
    }
    values.update(changes)
    item, _new = intake_submit(data=IntakeData(**values))
    return item
