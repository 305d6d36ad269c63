"""Forms for agency contributions and chronologies, in the GOV.UK Design System's patterns.

As in reviews.forms: the forms check the shape of what was typed; the domain rules (a due date
other than the usual one needs a reason, entries not after the cut-off) live in the services,
whose ValidationError(dict) is mapped back onto these fields with ``add_service_errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from reviews.chronology_import import ACCEPTED_EXTENSIONS, max_upload_bytes
from reviews.forms import (
    GovukDateField,
    GovukForm,
    StepForm,
    SubmitOnceMixin,
    UserChoiceField,
    partnership_members,
)
from reviews.models import Review
from reviews.models.contributions import REPORT_SECTIONS, Ask, ContributionState, DatePrecision
from reviews.selectors_contributions import invitable_agencies
from reviews.services.chronology import EntryData


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class InviteAgencyForm(GovukForm):
    agency = AgencyChoiceField(
        queryset=None,
        empty_label="Select an agency",
        error_messages={
            "required": "Select the agency to ask",
            "invalid_choice": "Select an agency that serves this partnership and has not been asked yet",
        },
    )
    lead = UserChoiceField(
        label="Agency lead",
        queryset=get_user_model().objects.none(),
        empty_label="Select a person",
        help_text="The named person who answers for the agency on this review.",
        error_messages={
            "required": "Select the agency lead",
            "invalid_choice": "Select a member of this partnership",
        },
    )
    asks = forms.MultipleChoiceField(
        label="What is asked of the agency",
        choices=Ask.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select at least one thing to ask for"},
    )
    due_date = GovukDateField(label="Due date", error_name="the due date")
    due_date_reason = forms.CharField(
        label="Reason for a different due date",
        required=False,
        max_length=2000,
        help_text="Only needed if you change the usual due date.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, review: Review, default_due: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = invitable_agencies(review)
        self.fields["lead"].queryset = partnership_members(review.partnership_id)
        self.fields["due_date"].initial = default_due
        self.fields[
            "due_date"
        ].help_text = f"The usual due date for this review is {default_due:%-d %B %Y}. For example, 27 3 2026"


class ReasonForm(StepForm):
    """A contribution step; a reason is required for returning, waiving and a nil return."""

    expected_state = forms.ChoiceField(choices=ContributionState.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    REASONS = {
        "return_to_agency": ("Why is it returned?", "Say what the agency needs to change; they will see it"),
        "waive": ("Why is it waived?", "Give the reason for waiving this contribution"),
        "record_nil_return": (
            "Note on the nil return",
            "Say that the agency had no involvement with this child or family",
        ),
    }


class MoveDueDateForm(GovukForm):
    new_due_date = GovukDateField(label="New due date", error_name="the new due date")
    reason = forms.CharField(
        label="Reason for moving the due date",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the new due date"},
    )
    service_field_map = {"proposed_due_date": "new_due_date"}


class ExtensionRequestForm(GovukForm):
    proposed_due_date = GovukDateField(label="Proposed due date", error_name="the proposed due date")
    reason = forms.CharField(
        label="Why do you need more time?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you need more time"},
    )


class DecideExtensionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("grant", "Grant the extension"), ("refuse", "Refuse the extension")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to grant or refuse the extension"},
    )
    granted_due_date = GovukDateField(
        label="New due date (if granting)",
        error_name="the new due date",
        required=False,
        help_text="Leave blank to grant the date the agency asked for. For example, 27 3 2026",
    )
    note = forms.CharField(
        label="Note to the agency lead",
        required=False,
        max_length=2000,
        help_text="Required when refusing.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, change_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_ext{change_id}_%s"


class EntryDateField(GovukDateField):
    """The GOV.UK date input, where the day may be left out for a month-only date."""

    day_optional = False

    def to_python(self, value: Any) -> date | None:
        if self.day_optional and isinstance(value, dict) and not value.get("day") and value.get("month"):
            value = {**value, "day": "1"}
        return super().to_python(value)


class EntryForm(SubmitOnceMixin, GovukForm):
    event_date = EntryDateField(
        label="Date",
        error_name="the date",
        help_text="For example, 14 3 2025. For a month only, leave the day blank and choose 'Month only'.",
    )
    date_precision = forms.ChoiceField(
        label="How exact is the date?",
        choices=DatePrecision.choices,
        initial=DatePrecision.EXACT,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how exact the date is"},
    )
    event_time = forms.TimeField(
        label="Time (optional)",
        required=False,
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        help_text="24-hour clock, for example 09:30",
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter the time on the 24-hour clock, for example 09:30"},
    )
    source_record = forms.CharField(
        label="Source record",
        max_length=200,
        help_text="Where this is recorded, for example 'Case note 14' or 'Custody record 2231'.",
        error_messages={"required": "Say where this is recorded"},
    )
    what_happened = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what happened"},
    )
    professional_role = forms.CharField(
        label="Professional's role (not their name)",
        max_length=120,
        help_text="For example, 'Health visitor' or 'Response officer'. Never a name.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        error_messages={"required": "Give the professional's role (not their name)"},
    )
    agency_comment = forms.CharField(
        label="Agency comment (optional)",
        required=False,
        help_text="The agency's comment on the significance of this event.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    significant = forms.BooleanField(label="This is a significant event", required=False)

    def __init__(self, data: Mapping[str, Any] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        if data is not None and data.get("date_precision") == DatePrecision.MONTH:
            self.fields["event_date"].day_optional = True

    def entry_data(self) -> EntryData:
        data = self.cleaned_data
        return EntryData(
            event_date=data["event_date"],
            date_precision=data["date_precision"],
            event_time=data["event_time"],
            source_record=data["source_record"],
            what_happened=data["what_happened"],
            professional_role=data["professional_role"],
            agency_comment=data["agency_comment"],
            significant=data["significant"],
        )

    @staticmethod
    def initial_from(entry: Any) -> dict[str, Any]:
        initial = {
            field: getattr(entry, field)
            for field in (
                "event_date",
                "date_precision",
                "source_record",
                "what_happened",
                "professional_role",
                "agency_comment",
                "significant",
            )
        }
        event_time: time | None = entry.event_time
        initial["event_time"] = event_time.strftime("%H:%M") if event_time else ""
        if entry.date_precision == DatePrecision.MONTH:
            initial["event_date"] = {
                "day": "",
                "month": str(entry.event_date.month),
                "year": str(entry.event_date.year),
            }
        return initial


class ImportForm(GovukForm):
    file = forms.FileField(
        label="Upload the chronology file",
        help_text="A .csv or .xlsx file made from the template.",
        error_messages={"required": "Select a .csv or .xlsx file", "empty": "The selected file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        # Refused before it is read into memory.
        if upload.size > limit:
            raise ValidationError(f"The selected file must be smaller than {limit / 1_048_576:.0f} MB")
        if not upload.name.lower().endswith(ACCEPTED_EXTENSIONS):
            raise ValidationError("The selected file must be a .csv or .xlsx file")
        return upload


class ReportForm(GovukForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in REPORT_SECTIONS:
            if name == "records_secured_on":
                self.fields[name] = GovukDateField(
                    label=label, error_name="the date records were secured", required=False
                )
            else:
                self.fields[name] = forms.CharField(
                    label=label, required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 6})
                )
        self.fields["author_role"] = forms.CharField(
            label="Author's role",
            required=False,
            max_length=120,
            help_text="Written by someone not involved in the case: give their role, not their name.",
            widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        )

    @staticmethod
    def initial_from(report: Any) -> dict[str, Any]:
        if report is None:
            return {}
        return {name: getattr(report, name) for name, _ in [*REPORT_SECTIONS, ("author_role", "")]}
