"""The agency lead's answers to a structured form, built from the form's definition, and the
admin's definition form."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from reviews.models.agencyforms import (
    AgencyFormAnswers,
    AgencyFormDefinition,
    definition_errors,
    field_choices,
    iter_fields,
)
from ui.forms import GovukDateField, GovukForm

CHOICE_TYPES = ("yes_no", "choice")


def _question(field: dict[str, Any]) -> forms.Field:
    """One question as a form field. Every one is optional here: a draft may leave any blank, and
    the service (with the definition's JSON Schema) names the required ones left blank on submit."""
    common: dict[str, Any] = {"label": field["label"], "required": False, "help_text": field.get("help", "")}
    kind = field["type"]
    if kind == "date":
        return GovukDateField(error_name=f"a date for ‘{field['label']}’", **common)
    if kind == "number":
        return forms.IntegerField(min_value=0, widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common)
    if kind in CHOICE_TYPES:
        choices = [(c["value"], c["label"]) for c in field_choices(field)]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == "multi_choice":
        choices = [(c["value"], c["label"]) for c in field_choices(field)]
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == "textarea":
        return forms.CharField(max_length=50_000, widget=forms.Textarea(attrs={"rows": 5}), **common)
    return forms.CharField(max_length=200, **common)


class AgencyAnswersForm(GovukForm):
    """The questions of one form version, named as in the definition (prefixed ``q-`` in the page,
    so a question name never meets the page's own fields)."""

    def __init__(self, *args: Any, answer_set: AgencyFormAnswers, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "q")
        if "data" not in kwargs and not args:
            kwargs.setdefault("initial", self._initial(answer_set))
        super().__init__(*args, **kwargs)
        self.definition = answer_set.form.definition
        for field in iter_fields(self.definition):
            self.fields[field["name"]] = _question(field)

    @staticmethod
    def _initial(answer_set: AgencyFormAnswers) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for field in iter_fields(answer_set.form.definition):
            value = answer_set.answers.get(field["name"])
            if field["type"] == "date" and value:
                value = date.fromisoformat(value)
            initial[field["name"]] = value
        return initial

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (section["title"], [self[f["name"]] for f in section["fields"]]) for section in self.definition["sections"]
        ]

    def answers(self) -> dict[str, Any]:
        """The cleaned answers as JSON stores them (a date as ISO text)."""
        return {
            name: value.isoformat() if isinstance(value, date) else value for name, value in self.cleaned_data.items()
        }


class AgencyFormDefinitionAdminForm(forms.ModelForm):
    """The admin's form: the definition is checked against its own schema here, so a broken one
    is refused on the page with every problem named (the service checks again when it stores)."""

    class Meta:
        model = AgencyFormDefinition
        fields = ("key", "definition")

    def clean_definition(self) -> Any:
        definition = self.cleaned_data["definition"]
        problems = definition_errors(definition)
        if problems:
            raise forms.ValidationError([forms.ValidationError("%(problem)s", params={"problem": p}) for p in problems])
        return definition
