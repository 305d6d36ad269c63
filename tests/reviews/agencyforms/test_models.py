"""A form definition against its own JSON Schema, and answers against the schema built from it."""

from __future__ import annotations

import copy
import json

import pytest

from reviews.models.agencyforms import answers_errors, definition_errors
from reviews.services.agencyforms import DEFAULTS_DIR

SMALL = {
    "title": "Small form",
    "sections": [
        {
            "title": "About",
            "fields": [
                {"name": "role", "label": "Your role", "type": "text", "required": True},
                {"name": "known", "label": "Was the child known?", "type": "yes_no", "required": True},
                {"name": "seen_on", "label": "Last seen", "type": "date"},
                {
                    "name": "place",
                    "label": "Where",
                    "type": "choice",
                    "choices": [{"value": "home", "label": "Home"}, {"value": "school", "label": "School"}],
                },
            ],
        }
    ],
}


def changed(**where) -> dict:
    definition = copy.deepcopy(SMALL)
    for path, value in where.items():
        *parents, last = path.split("__")
        target = definition
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is None:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return definition


@pytest.mark.parametrize("path", sorted(DEFAULTS_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_every_shipped_form_is_valid_against_the_definition_schema(path):
    assert definition_errors(json.loads(path.read_text(encoding="utf-8"))) == []


def test_the_shipped_forms_cover_the_national_forms_asked_for():
    keys = {path.stem for path in DEFAULTS_DIR.glob("*.json")}
    assert {
        "cdr_reporting_form",
        "sudi_supplementary",
        "asthma_supplementary",
        "cardiac_supplementary",
        "drowning_supplementary",
        "congenital_supplementary",
        "rapid_review_summary",
    } <= keys


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (changed(sections__0__fields__0__type="colour"), "sections[0].fields[0].type: 'colour' is not one of"),
        (changed(sections__0__fields__3__choices=None), "sections[0].fields[3]: 'choices' is a required property"),
        (
            changed(sections__0__fields__0__choices=[{"value": "a", "label": "A"}]),
            "sections[0].fields[0]: only a choice or multi_choice question has choices",
        ),
        (changed(sections__0__fields__1__name="Was known"), "sections[0].fields[1].name: 'Was known' does not match"),
        (changed(title=None), "the definition: 'title' is a required property"),
        (changed(sections=[]), "sections: [] should be non-empty"),
        (changed(sections__0__fields__1__name="role"), "sections[0].fields[1].name: 'role' is already used"),
        (
            changed(sections__0__fields__0__required="yes"),
            "sections[0].fields[0].required: 'yes' is not of type 'boolean'",
        ),
        ("not an object", "the definition: 'not an object' is not of type 'object'"),
    ],
)
def test_an_invalid_definition_is_refused_saying_where_and_why(definition, message):
    errors = definition_errors(definition)
    assert any(error.startswith(message) for error in errors), errors


def test_complete_answers_name_every_required_question_left_unanswered():
    errors = answers_errors(SMALL, {"seen_on": "2026-02-01"}, complete=True)
    assert errors == {
        "role": "Enter an answer to ‘Your role’",
        "known": "Select an answer to ‘Was the child known?’",
    }


def test_a_draft_may_leave_required_questions_but_not_give_wrong_answers():
    assert answers_errors(SMALL, {}, complete=False) == {}
    errors = answers_errors(SMALL, {"place": "moon", "seen_on": "2026-02-30"}, complete=False)
    assert set(errors) == {"place", "seen_on"}
    assert errors["place"].startswith("The answer to ‘Where’ is not valid")
    assert "__all__" in answers_errors(SMALL, {"unasked": "x"}, complete=False)
