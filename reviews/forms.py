"""Forms of the web UI, written to the GOV.UK Design System's patterns.

Forms check the shape of what was typed (a real date, an NHS number's check digit); the domain
rules (a kind the partnership runs, death not before birth, dates not in the future) live in the
services, whose ValidationError(dict) is mapped back onto these fields with ``add_service_errors``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from reviews.models import Partnership, Review, ReviewKind, ReviewState, Role, Sex
from reviews.models.subject import validate_nhs_number
from reviews.permissions import partnerships_user_coordinates
from reviews.selectors import key_date_fields, key_date_label, person_name

DATE_PARTS = ("day", "month", "year")


class DatePartsWidget(forms.Widget):
    """Three boxes (day, month, year) as the GOV.UK date input pattern; rendered by our templates."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> dict[str, str]:
        return {part: str(data.get(f"{name}-{part}", "")).strip() for part in DATE_PARTS}

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
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
            anchor = f"#{bound.auto_id}-day" if isinstance(bound.field, GovukDateField) else f"#{bound.auto_id}"
            first_anchor = first_anchor or anchor
            items.extend((anchor, str(message)) for message in bound.errors)
        return [(first_anchor or "#main-content", str(message)) for message in self.non_field_errors()] + items

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            name = self.service_field_map.get(key, key)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class SubmitOnceMixin(forms.Form):
    """A hidden token that makes a create form's second submission point at the first one's result
    (workflows.once.submit_once) instead of creating the same thing twice. Render ``{{ form.submission }}``."""

    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
        reason = self.cleaned_data.get("reason", "").strip()
        if self.needs_reason and not reason:
            raise ValidationError(self.REASONS[self.step][1], code="required")
        return reason


def _sex_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Sex", choices=Sex.choices, initial=Sex.NOT_KNOWN, required=False, widget=forms.RadioSelect
    )


def _nhs_number_field() -> forms.CharField:
    return forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=12,
        validators=[validate_nhs_number],
        help_text="10 digits, for example 943 476 5919",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
    )


class OpenReviewForm(SubmitOnceMixin, GovukForm):
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Select the partnership",
            "invalid_choice": "Select a partnership you coordinate reviews for",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of review",
        choices=ReviewKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of review"},
    )
    title = forms.CharField(
        max_length=200,
        help_text="Free of identifying data: use pseudonyms, for example 'Child A (aged 2)' or 'Nursery Z'.",
        error_messages={"required": "Enter a title for the review"},
    )
    became_aware_on = GovukDateField(
        label="When did the case become known?",
        error_name="the date the case became known",
        required=False,
        help_text="When the local authority became aware, the referral was received or the police notified "
        "the partnership. For example, 27 3 2026",
    )
    incident_on = GovukDateField(
        label="Date of death or incident (optional)", error_name="the date of death or incident", required=False
    )
    subject_pseudonym = forms.CharField(
        label="Pseudonym of the first subject (optional)",
        required=False,
        max_length=60,
        help_text="As used in panel papers, for example Child A. You can add subjects later.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    subject_date_of_birth = GovukDateField(
        label="Their date of birth (optional)", error_name="the date of birth", required=False
    )
    subject_sex = _sex_field()
    subject_full_name = forms.CharField(label="Their full name (optional)", required=False, max_length=200)
    subject_nhs_number = _nhs_number_field()
    subject_address = forms.CharField(
        label="Their address (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    service_field_map = {
        "date_of_death_or_incident": "incident_on",
        "date_of_birth": "subject_date_of_birth",
        "pseudonym": "subject_pseudonym",
        "sex": "subject_sex",
        "full_name": "subject_full_name",
        "nhs_number": "subject_nhs_number",
        "address": "subject_address",
    }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [partnership.pk for partnership in partnerships_user_coordinates(user)]
        self.fields["partnership"].queryset = Partnership.objects.filter(pk__in=ids).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        identifying = ("subject_date_of_birth", "subject_full_name", "subject_nhs_number", "subject_address")
        if not data.get("subject_pseudonym") and any(data.get(name) for name in identifying):
            self.add_error("subject_pseudonym", "Enter a pseudonym for the subject, for example Child A")
        return data

    def has_subject(self) -> bool:
        return bool(self.cleaned_data.get("subject_pseudonym"))


class KeyDatesForm(GovukForm):
    """Only the key dates that matter for this kind of review, labelled in its own words."""

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in key_date_fields(review.kind):
            label = key_date_label(review, name)
            self.fields[name] = GovukDateField(
                label=label,
                error_name=f"the date {label[0].lower()}{label[1:]}" if label.startswith("The ") else label.lower(),
                required=False,
                initial=getattr(review, name),
            )


class SubjectForm(GovukForm):
    pseudonym = forms.CharField(
        max_length=60,
        help_text="As used in panel papers, for example Child A. Never a real name.",
        error_messages={"required": "Enter a pseudonym, for example Child A"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    date_of_birth = GovukDateField(label="Date of birth (optional)", error_name="the date of birth", required=False)
    date_of_death_or_incident = GovukDateField(
        label="Date of death or incident (optional)", error_name="the date of death or incident", required=False
    )
    sex = _sex_field()
    full_name = forms.CharField(
        label="Full name (optional)",
        required=False,
        max_length=200,
        help_text="Kept apart from the review: only its coordinators can see it.",
    )
    nhs_number = _nhs_number_field()
    address = forms.CharField(label="Address (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TransitionForm(GovukForm):
    # The stage the user was looking at: a review moved by someone else meanwhile is refused.
    expected_state = forms.ChoiceField(choices=ReviewState.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason for not proceeding",
        required=False,
        help_text="Required. Recorded in the review's history.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, needs_reason: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_reason = needs_reason

    def clean_reason(self) -> str:
        reason = self.cleaned_data.get("reason", "").strip()
        if self.needs_reason and not reason:
            raise ValidationError("Give the reason for not proceeding", code="required")
        return reason


def partnership_members(partnership_id: int) -> QuerySet[Any]:
    """The active members of a partnership, by name: the people a role or a request may name."""
    return (
        get_user_model()
        .objects.filter(memberships__partnership_id=partnership_id, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = person_name(obj)
        return name if name == obj.get_username() else f"{name} ({obj.get_username()})"


class RoleGrantForm(GovukForm):
    user = UserChoiceField(
        label="Person",
        queryset=get_user_model().objects.none(),
        empty_label="Select a person",
        error_messages={
            "required": "Select the person to give a role to",
            "invalid_choice": "Select a member of this partnership",
        },
    )
    role = forms.ChoiceField(
        choices=Role.choices, widget=forms.RadioSelect, error_messages={"required": "Select the role"}
    )
    agency = forms.ModelChoiceField(
        label="Agency (agency leads only)",
        queryset=None,
        required=False,
        empty_label="Not an agency lead",
        error_messages={"invalid_choice": "Select an agency that serves this partnership"},
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only members of the review's partnership may hold a role on it.
        self.fields["user"].queryset = partnership_members(review.partnership_id)
        self.fields["agency"].queryset = review.partnership.agencies.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role, agency = data.get("role"), data.get("agency")
        if role == Role.AGENCY_LEAD and agency is None:
            self.add_error("agency", "Select the agency this lead answers for")
        elif role and role != Role.AGENCY_LEAD and agency is not None:
            self.add_error("agency", "Only an agency lead answers for an agency: choose 'Not an agency lead'")
        return data
