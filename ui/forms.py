"""GOV.UK form plumbing every page shares: error summaries, date fields, submit-once and step forms."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict

DATE_PARTS = ("day", "month", "year")


class DatePartsWidget(forms.Widget):
    """Three boxes (day, month, year) as the GOV.UK date input pattern; rendered by our templates."""

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile], name: str
    ) -> dict[str, str]:
        return {part: str(data.get(f"{name}-{part}", "")).strip() for part in DATE_PARTS}

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile], name: str
    ) -> bool:
        return not any(f"{name}-{part}" in data for part in DATE_PARTS)


class GovukDateField(forms.Field):
    widget = DatePartsWidget

    def __init__(self, *, error_name: str, **kwargs: Any) -> None:
        # ``error_name`` completes "Enter ..." the way GOV.UK error messages are phrased.
        self.error_name = error_name
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> dict[str, str]:
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, dict):
            return value
        return dict.fromkeys(DATE_PARTS, "")

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        parts = self.prepare_value(value)
        if not any(parts.values()):
            return None
        missing = [part for part in DATE_PARTS if not parts[part]]
        if missing:
            raise ValidationError(f"{self._subject()} must include a {' and '.join(missing)}", code="incomplete")
        if not all(parts[part].isdigit() for part in DATE_PARTS):
            raise ValidationError(f"{self._subject()} must be a real date", code="invalid")
        if len(parts["year"]) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid")
        try:
            return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            raise ValidationError(f"{self._subject()} must be a real date", code="invalid") from None

    def validate(self, value: Any) -> None:
        if self.required and value is None:
            raise ValidationError(f"Enter {self.error_name}", code="required")

    def _subject(self) -> str:
        return self.error_name[0].upper() + self.error_name[1:]


class GovukForm(forms.Form):
    """Adds the GOV.UK error summary and the mapping of service errors onto fields."""

    # Service error keys that name a differently called field of this form.
    service_field_map: dict[str, str] = {}

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs, in field order, for the error summary at the top of the page."""
        items: list[tuple[str, str]] = []
        first_anchor = ""
        for bound in self:
            if bound.is_hidden:
                # Nothing to jump to: the error is the page's (a missing token), shown first.
                items[:0] = [("#main-content", str(message)) for message in bound.errors]
                continue
            anchor = f"#{bound.auto_id}-day" if isinstance(bound.field, GovukDateField) else f"#{bound.auto_id}"
            first_anchor = first_anchor or anchor
            items.extend((anchor, str(message)) for message in bound.errors)
        return [(first_anchor or "#main-content", str(message)) for message in self.non_field_errors()] + items

    # Set when a text check (ui.views.submit) warned about what was typed: the page then offers the
    # "save anyway" box (ui/includes/save_anyway.html), read back from the raw data.
    warned = False

    @property
    def saving_anyway(self) -> bool:
        return self.is_bound and self.data.get("save_anyway") == "on"

    def add_warnings(self, warnings: list[tuple[str, str]]) -> None:
        for name, message in warnings:
            self.add_error(name if name in self.fields else None, message)
        self.warned = True

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            name = self.service_field_map.get(key, key)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


# Said when a create form comes without its token: it cannot be told apart from a repeat.
SUBMISSION_MISSING = (
    "This form was sent without its one-time code, so it could not be checked for a repeat: "
    "reload the page and send it again."
)


class SubmitOnceMixin(forms.Form):
    """A hidden token that makes a create form's second submission point at the first one's result
    (workflows.once.submit_once) instead of creating the same thing twice. It is rendered with the
    form's other fields (ui/includes/fields.html), or on its own as ``{{ form.submission }}``.

    Required when the form creates something: a POST without it (a script, a page saved before
    tokens, a hand-made request) is refused rather than let past the guard. A form that edits
    (``creating=False``) may go without it: saving the same edit twice is harmless."""

    submission = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": SUBMISSION_MISSING, "invalid": SUBMISSION_MISSING},
    )

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission"].required = creating
        if not self.is_bound:
            self.fields["submission"].initial = uuid.uuid4()


class StepForm(GovukForm):
    """One workflow step, posted from a page that offers several: a subclass declares the hidden
    ``expected_state`` (so a second click is refused, not applied twice), a ``reason`` field, and
    in ``REASONS`` the steps that need one."""

    # step name -> (label of the reason box, error when it is left empty)
    REASONS: dict[str, tuple[str, str]] = {}

    def __init__(self, *args: Any, step: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        if step in self.REASONS:
            self.fields["reason"].label = self.REASONS[step][0]
        # Each step's form has its own ids, so several can sit on one page.
        self.auto_id = f"id_{step}_%s"

    @property
    def needs_reason(self) -> bool:
        return self.step in self.REASONS

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data.get("reason", "").strip()
        if self.needs_reason and not reason:
            raise ValidationError(self.REASONS[self.step][1], code="required")
        return reason


def text_area(
    label: str, *, required: str, rows: int = 3, max_length: int = 10_000, help_text: str = ""
) -> forms.CharField:
    """A required GOV.UK textarea: ``required`` is the error shown when it is left empty, in the
    words the error summary uses ("Say what progress has been made")."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required},
    )
