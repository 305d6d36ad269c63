"""Structured agency forms: a form's definition is data (sections of typed questions), stored a
version at a time, and each agency's answers are kept against the version they were written on.

A definition is checked against ``DEFINITION_SCHEMA`` (JSON Schema, with the jsonschema library)
before it is stored, and the answers against the schema ``answers_schema`` builds from it. A
stored version is never changed: a new definition is a new row with the next version number, so a
submitted answer set always reads the questions it answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

# The kinds of question a form may hold, each with how its answer is stored in JSON.
FIELD_TYPES = ("text", "textarea", "date", "yes_no", "choice", "multi_choice", "number")
YES_NO_CHOICES = [
    {"value": "yes", "label": "Yes"},
    {"value": "no", "label": "No"},
    {"value": "unknown", "label": "Not known"},
]
KEY_PATTERN = "^[a-z][a-z0-9_]{0,62}$"
KEY_MESSAGE = "Use lower-case letters, digits and underscores, starting with a letter."

_CHOICE = {
    "type": "object",
    "required": ["value", "label"],
    "additionalProperties": False,
    "properties": {
        "value": {"type": "string", "pattern": "^[a-z0-9_]{1,64}$"},
        "label": {"type": "string", "minLength": 1, "maxLength": 300},
    },
}

# The schema of a definition itself: what a partnership administrator may store.
DEFINITION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["title", "sections"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 2000},
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["title", "fields"],
                "additionalProperties": False,
                "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "fields": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["name", "label", "type"],
                            "additionalProperties": False,
                            "properties": {
                                "name": {"type": "string", "pattern": KEY_PATTERN},
                                "label": {"type": "string", "minLength": 1, "maxLength": 500},
                                "type": {"enum": list(FIELD_TYPES)},
                                "required": {"type": "boolean"},
                                "help": {"type": "string", "maxLength": 1000},
                                "choices": {"type": "array", "minItems": 1, "items": _CHOICE},
                            },
                            # Choices belong to choice questions, and those must have them.
                            "if": {"properties": {"type": {"enum": ["choice", "multi_choice"]}}},
                            "then": {"required": ["choices"]},
                            "else": {"not": {"required": ["choices"]}},
                        },
                    },
                },
            },
        },
    },
}

_DEFINITION_VALIDATOR = Draft202012Validator(DEFINITION_SCHEMA)


def _where(path: Any) -> str:
    """``sections[1].fields[0].type`` for the error's place in the definition."""
    where = ""
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
    return where or "the definition"


def _said(error: ValidationError) -> str:
    # The one rule whose jsonschema message would print the whole question back: say it plainly.
    if error.validator == "not":
        return "only a choice or multi_choice question has choices"
    return error.message


def definition_errors(definition: Any) -> list[str]:
    """Every way ``definition`` breaks its schema, each saying where, then the rule JSON Schema
    cannot say: a question's name is used once in the whole form (answers are keyed by it)."""
    errors = [
        f"{_where(error.absolute_path)}: {_said(error)}"
        for error in sorted(_DEFINITION_VALIDATOR.iter_errors(definition), key=lambda e: list(map(str, e.path)))
    ]
    if errors:
        return errors
    seen: set[str] = set()
    for s, section in enumerate(definition["sections"]):
        for f, field in enumerate(section["fields"]):
            if field["name"] in seen:
                errors.append(f"sections[{s}].fields[{f}].name: '{field['name']}' is already used by another question")
            seen.add(field["name"])
        for f, field in enumerate(section["fields"]):
            values = [choice["value"] for choice in field.get("choices", [])]
            if len(values) != len(set(values)):
                errors.append(f"sections[{s}].fields[{f}].choices: a choice value is used twice")
    return errors


def iter_fields(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in definition["sections"]:
        yield from section["fields"]


def field_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    return YES_NO_CHOICES if field["type"] == "yes_no" else list(field.get("choices", []))


def _answer_schema(field: dict[str, Any]) -> dict[str, Any]:
    kind = field["type"]
    if kind in ("text", "textarea"):
        return {"type": "string", "minLength": 1, "maxLength": 200 if kind == "text" else 50_000}
    if kind == "date":
        return {"type": "string", "format": "date"}
    if kind == "number":
        return {"type": "integer", "minimum": 0}
    values = [choice["value"] for choice in field_choices(field)]
    if kind == "multi_choice":
        return {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": values}}
    return {"enum": values}


def answers_schema(definition: dict[str, Any], *, complete: bool) -> dict[str, Any]:
    """The JSON Schema of an answer set for ``definition``: each answer of its question's type, no
    answer to a question the form does not ask, and (if ``complete``) every required one there.
    An unanswered question is absent, never an empty string."""
    fields = list(iter_fields(definition))
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {field["name"]: _answer_schema(field) for field in fields},
    }
    if complete:
        schema["required"] = [field["name"] for field in fields if field.get("required")]
    return schema


def answers_errors(definition: dict[str, Any], answers: dict[str, Any], *, complete: bool) -> dict[str, str]:
    """Question name -> what is wrong with its answer (or that it is missing, if ``complete``)."""
    labels = {field["name"]: field for field in iter_fields(definition)}
    validator = Draft202012Validator(answers_schema(definition, complete=complete), format_checker=FormatChecker())
    errors: dict[str, str] = {}
    for error in validator.iter_errors(answers):
        if error.validator == "required":
            for name in error.validator_value:
                if name not in answers:
                    errors.setdefault(name, missing_message(labels[name]))
        elif error.validator == "additionalProperties":
            errors.setdefault("__all__", "The answers name a question this form does not ask.")
        elif error.absolute_path:
            name = str(error.absolute_path[0])
            errors.setdefault(name, f"The answer to ‘{labels[name]['label']}’ is not valid: {error.message}")
    # In the form's order, so the error summary reads top to bottom.
    return {name: errors[name] for name in [*labels, "__all__"] if name in errors}


def missing_message(field: dict[str, Any]) -> str:
    verb = "Select" if field["type"] in ("yes_no", "choice", "multi_choice") else "Enter"
    return f"{verb} an answer to ‘{field['label']}’"


class AgencyFormDefinition(models.Model):
    """One version of a form: append-only (a change is saved as the next version)."""

    key = models.CharField(
        max_length=63,
        validators=[RegexValidator(KEY_PATTERN, KEY_MESSAGE)],
        help_text="The form's name in code, e.g. sudi_supplementary.",
    )
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200, help_text="Copied from the definition's title.")
    definition = models.JSONField(help_text="Sections and questions (see docs/DOMAIN.md, Agency forms).")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="agencyformdefinition_key_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A version answers were written on must read the same for ever.
        if not self._state.adding:
            raise ValueError("A form definition version is never changed: save a new version instead.")
        super().save(*args, **kwargs)

    def fields(self) -> list[dict[str, Any]]:
        return list(iter_fields(self.definition))


class AgencyFormAnswers(models.Model):
    """One agency's answers to one form asked of its contribution, against the version it was
    asked on. Editable while the contribution is; the contribution's submission freezes it."""

    contribution = models.ForeignKey(
        "reviews.AgencyContribution", on_delete=models.CASCADE, related_name="form_answers"
    )
    form = models.ForeignKey(AgencyFormDefinition, on_delete=models.PROTECT, related_name="answer_sets")
    answers = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["form__key"]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "form"], name="agencyformanswers_one_per_form"),
        ]

    def __str__(self) -> str:
        return f"{self.form.title}: {self.contribution}"

    def missing(self) -> dict[str, str]:
        """Required questions not answered yet (the contribution cannot be submitted until none)."""
        return answers_errors(self.form.definition, self.answers, complete=True)
