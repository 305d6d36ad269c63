"""Writing agency forms: publishing a definition's next version, asking a contribution for forms,
and the agency lead's answers (a draft any number of times; the contribution's submit freezes them)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from reviews.models.agencyforms import (
    KEY_MESSAGE,
    KEY_PATTERN,
    AgencyFormAnswers,
    AgencyFormDefinition,
    answers_errors,
    definition_errors,
)
from reviews.models.contributions import AgencyContribution, ContributionState
from reviews.selectors.agencyforms import current_definitions
from reviews.services.chronology import _editable_contribution, _mark_started
from workflows.audit import audit_record
from workflows.types import User


def agency_form_publish(*, actor: User | None, key: str, definition: Any) -> AgencyFormDefinition:
    """Store ``definition`` as the next version of form ``key`` (version 1 for a new form).
    Refused, with every problem named, unless it is valid against its own schema."""
    errors: dict[str, list[str]] = {}
    if not re.match(KEY_PATTERN, key or ""):
        errors["key"] = [KEY_MESSAGE]
    problems = definition_errors(definition)
    if problems:
        errors["definition"] = problems
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The existing versions locked, so two saves at once cannot both take the same number (the
        # unique constraint would refuse the second anyway; this makes it wait instead).
        list(AgencyFormDefinition.objects.select_for_update().filter(key=key).values_list("pk", flat=True))
        latest = AgencyFormDefinition.objects.filter(key=key).aggregate(v=Max("version"))["v"] or 0
        form = AgencyFormDefinition.objects.create(
            key=key, version=latest + 1, title=definition["title"], definition=definition, created_by=actor
        )
        audit_record(actor=actor, verb="agency_form.published", target=form, key=key, version=form.version)
    return form


def agency_forms_ask(contribution: AgencyContribution, keys: Sequence[str]) -> list[AgencyFormAnswers]:
    """Called inside the contribution request's transaction: one empty answer set per form asked,
    on the form's current version (which it keeps, whatever versions come after)."""
    current = current_definitions(keys)
    unknown = [key for key in keys if key not in current]
    if unknown:
        raise ValidationError({"forms": f"No such agency form: {', '.join(unknown)}."})
    return [AgencyFormAnswers.objects.create(contribution=contribution, form=current[key]) for key in keys]


def clean_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """An unanswered question is absent: blank text, no choice and an empty list are dropped."""
    cleaned: dict[str, Any] = {}
    for name, value in answers.items():
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None, []):
            continue
        cleaned[name] = value
    return cleaned


def agency_form_save(
    *, actor: User, contribution_id: int, form_key: str, answers: dict[str, Any], complete: bool = False
) -> AgencyFormAnswers:
    """The agency lead saves their answers. ``complete`` (saving to submit) also refuses, naming
    each, any required question left unanswered; then nothing is saved."""
    with transaction.atomic():
        contribution = _editable_contribution(actor, contribution_id)
        answer_set = (
            AgencyFormAnswers.objects.select_for_update(of=("self",))
            .select_related("form")
            .filter(contribution=contribution, form__key=form_key)
            .first()
        )
        if answer_set is None:
            raise ValidationError({"__all__": "This form was not asked of your agency."})
        answers = clean_answers(answers)
        errors = answers_errors(answer_set.form.definition, answers, complete=complete)
        if errors:
            raise ValidationError({name: [message] for name, message in errors.items()})
        answer_set.answers = answers
        answer_set.updated_by = actor
        answer_set.save(update_fields=["answers", "updated_by", "updated_at"])
        _mark_started(actor, contribution)
        audit_record(
            actor=actor,
            verb="agency_form.saved",
            target=contribution.review,
            agency=str(contribution.agency),
            form=form_key,
            version=answer_set.form.version,
            answered=len(answers),
        )
    return answer_set


def agency_form_submit(
    *, actor: User, contribution_id: int, form_key: str, answers: dict[str, Any], expected_state: str | None = None
) -> AgencyFormAnswers:
    """The form page's "save and submit" taken to its end in one go (the API's submit): the answers
    saved complete (every required question answered), then the contribution's own submit step
    (resubmit, if it was returned), which freezes them. All or nothing: a step refused
    (TransitionRefused, with why) or answers refused (ValidationError) save nothing."""
    # Here, not at the top: reviews.services.contributions imports this module (asking for forms).
    from reviews.services.contributions import contribution_advance

    with transaction.atomic():
        answer_set = agency_form_save(
            actor=actor, contribution_id=contribution_id, form_key=form_key, answers=answers, complete=True
        )
        state = AgencyContribution.objects.values_list("state", flat=True).get(pk=contribution_id)
        step = "resubmit" if state == ContributionState.RETURNED else "submit"
        contribution_advance(
            actor=actor, contribution_id=contribution_id, transition=step, expected_state=expected_state or state
        )
    return answer_set


# The forms shipped with the engine, one JSON definition per file named by its key.
DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "agency_forms"


def agency_forms_load_defaults(*, update: bool = False) -> dict[str, str]:
    """Publish each shipped form that is not stored yet (run by ``seed_demo`` and ``manage.py
    load_agency_forms``). A form already stored is left as the administrators have it, unless
    ``update`` and the shipped text differs: then it becomes the next version. Key -> what happened."""
    outcome: dict[str, str] = {}
    for path in sorted(DEFAULTS_DIR.glob("*.json")):
        key = path.stem
        definition = json.loads(path.read_text(encoding="utf-8"))
        latest = AgencyFormDefinition.objects.filter(key=key).order_by("-version").first()
        if latest is not None and (latest.definition == definition or not update):
            outcome[key] = f"kept version {latest.version}"
            continue
        form = agency_form_publish(actor=None, key=key, definition=definition)
        outcome[key] = f"stored version {form.version}"
    return outcome
