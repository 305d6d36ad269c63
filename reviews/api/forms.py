"""A page's form behind an API serializer: the API takes JSON, a page's form reads POST fields, and
this turns the one into the other so that a resource validates with the page's own form (its
fields, its rules, its messages) and never with a copy of them.

- ``form_serializer(FormClass, name)`` makes a serializer whose fields mirror the form's (for the
  OpenAPI schema: dates as ``YYYY-MM-DD``, choices as enums) and whose validation is the form's.
- A date is sent as ``YYYY-MM-DD`` and handed to the page's three-box date field as its parts, so
  a wrong date gets the page's message ("Date of birth must be a real date").
- ``save_anyway: true`` is the page's "save anyway" box; ``identity_warnings`` raises the identity
  check's warnings as field errors unless it is set.
- A service's ValidationError goes onto the form (``GovukForm.add_service_errors``, which maps its
  keys onto fields) and comes back as field errors: ``service_errors``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from rest_framework import serializers

from reviews.services.subjects import IdentityCheck
from ui.forms import DATE_PARTS, GovukDateField, GovukForm

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
NOT_TEXT = "Send text, a number or true/false here, not a list or an object."
SAVE_ANYWAY = "save_anyway"


def _date_parts(name: str, value: Any) -> dict[str, str]:
    if value is None or value == "":
        return {}  # omitted: the form says it is needed, in its own words
    match = ISO_DATE.match(str(value).strip())
    if match is None:
        # Not a date as YYYY-MM-DD: parts that are no numbers, so the form answers with its own
        # "... must be a real date".
        return {f"{name}-{part}": "?" for part in DATE_PARTS}
    year, month, day = match.groups()
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def form_data(form_class: type[forms.Form], sent: Any, names: Collection[str]) -> dict[str, str]:
    """The JSON object ``sent`` as the POST fields the page's form reads, of the form's fields in
    ``names`` only (the serializer's: never a page's honeypot); a field sent as a list or an object,
    or a body that is not an object, is refused here (the form would read it as text)."""
    if not isinstance(sent, Mapping):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    data: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, field in form_class.base_fields.items():
        if name not in sent or name not in names:
            continue
        value = sent[name]
        if isinstance(value, (list, dict)):
            errors[name] = [NOT_TEXT]
        elif isinstance(field, GovukDateField):
            data.update(_date_parts(name, value))
        else:
            data[name] = _scalar(value)
    if errors:
        raise serializers.ValidationError(errors)
    if sent.get(SAVE_ANYWAY) is True:
        data[SAVE_ANYWAY] = "on"  # the page's box (GovukForm.saving_anyway)
    return data


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """The form's errors by field, errors of no one field under ``non_field_errors``."""
    return {
        "non_field_errors" if name == NON_FIELD_ERRORS else name: [str(message) for message in messages]
        for name, messages in form.errors.items()
    }


def service_errors(form: GovukForm, error: ValidationError) -> serializers.ValidationError:
    """A service's refusal of the input, by the form's fields, as the page shows it."""
    form.add_service_errors(error)
    return serializers.ValidationError(form_errors(form))


def identity_warnings(check: IdentityCheck, form: GovukForm) -> list[tuple[str, str]]:
    """The identity check's warnings of the free text sent: raised as field errors (400) unless
    ``save_anyway`` is true, as the page puts them on the form; else returned, for
    ``check.saved_anyway`` once saved."""
    warnings = check.warnings(form.cleaned_data)
    if warnings and not form.saving_anyway:
        errors: dict[str, list[str]] = {}
        for field_name, message in warnings:
            errors.setdefault(field_name, []).append(message)
        raise serializers.ValidationError(errors)
    return warnings


class FormSerializer(serializers.Serializer[dict[str, Any]]):
    """Validates with ``form_class`` (see ``form_serializer``); ``form`` is the bound form after
    ``is_valid``, for the service's errors and the identity check."""

    form_class: ClassVar[type[GovukForm]]
    form: GovukForm

    def make_form(self, data: dict[str, str]) -> GovukForm:
        return self.form_class(data)

    def prepare(self, data: dict[str, str], sent: Mapping[str, Any]) -> dict[str, str]:
        """What a resource changes of the form's data before it is read (a code for a pk ...)."""
        return data

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        self.form = self.make_form(self.prepare(form_data(self.form_class, data, self.fields.keys()), data))
        if not self.form.is_valid():
            raise serializers.ValidationError(form_errors(self.form))
        return dict(self.form.cleaned_data)


def _field(field: forms.Field) -> serializers.Field:
    """The schema's description of one form field."""
    common: dict[str, Any] = {"required": field.required, "help_text": str(field.help_text or field.label or "")}
    if isinstance(field, GovukDateField):
        return serializers.DateField(**{**common, "help_text": f"{field.label or 'A date'}, as YYYY-MM-DD."})
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        options = cast(Iterable[tuple[Any, Any]], field.choices)
        choices = [(value, label) for value, label in options if value != ""]
        return serializers.ChoiceField(choices=choices, allow_blank=not field.required, **common)
    if (max_length := getattr(field, "max_length", None)) is not None:
        common["max_length"] = max_length
    if isinstance(field, forms.EmailField):
        return serializers.EmailField(allow_blank=not field.required, **common)
    return serializers.CharField(allow_blank=not field.required, **common)


def form_serializer(
    form_class: type[GovukForm],
    name: str,
    *,
    exclude: tuple[str, ...] = (),
    fields: Mapping[str, serializers.Field] | None = None,
    base: type[FormSerializer] = FormSerializer,
    save_anyway: bool = False,
    doc: str = "",
) -> type[FormSerializer]:
    """A serializer named ``name`` (the schema's component) with the fields of ``form_class`` but
    ``exclude``, and ``fields`` added or put instead; ``save_anyway`` adds that flag."""
    declared: dict[str, Any] = {
        field_name: _field(field) for field_name, field in form_class.base_fields.items() if field_name not in exclude
    }
    declared.update(fields or {})
    if save_anyway:
        declared[SAVE_ANYWAY] = serializers.BooleanField(
            required=False, default=False, help_text="Save even though the text seems to name an identity."
        )
    doc = doc or f"The fields of the page's form ({form_class.__module__}.{form_class.__name__})."
    return type(name, (base,), {**declared, "form_class": form_class, "__module__": __name__, "__doc__": doc})
