"""Forms for chronology entries and their import."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from reviews.imports.chronology import ACCEPTED_EXTENSIONS, max_upload_bytes
from reviews.models.chronology import ChronologyEntry, DatePrecision
from reviews.services.chronology import EntryData
from ui.forms import GovukDateField, GovukForm, SubmitOnceMixin


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
            cast(EntryDateField, self.fields["event_date"]).day_optional = True

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
    def initial_from(entry: ChronologyEntry) -> dict[str, Any]:
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


class ImportForm(SubmitOnceMixin, GovukForm):
    file = forms.FileField(
        label="Upload the chronology file",
        help_text="A .csv or .xlsx file made from the template.",
        error_messages={"required": "Select a .csv or .xlsx file", "empty": "The selected file is empty"},
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = max_upload_bytes()
        # Refused before it is read into memory. (FileField has already refused a file with no name
        # or no content; the ``or`` only tells the type checker, which sees both as optional.)
        if (upload.size or 0) > limit:
            raise ValidationError(f"The selected file must be smaller than {limit / 1_048_576:.0f} MB")
        if not (upload.name or "").lower().endswith(ACCEPTED_EXTENSIONS):
            raise ValidationError("The selected file must be a .csv or .xlsx file")
        return upload
