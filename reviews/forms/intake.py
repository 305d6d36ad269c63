"""The public form "Tell us about a child's death" (/notify/) and the intake queue's two steps."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from reviews.forms.subjects import _nhs_number_field, ethnicity_field
from reviews.models import DeathExpectation, Partnership, Sex
from ui.forms import GovukDateField, GovukForm

# Every text field is capped, and the account too: with INTAKE_MAX_BYTES on the whole request, a
# post cannot make the queue hold more than a notification's worth of text.
ACCOUNT_MAX = 5000
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")


def _text(label: str, required_message: str, *, max_length: int = 200, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        widget=forms.TextInput(attrs=attrs),
    )


def _time(label: str, *, required: bool, required_message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5,
        help_text="24-hour clock, for example 14:30",
        error_messages={"required": required_message},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )


class IntakeForm(GovukForm):
    # The child
    child_name = _text("Child's full name", "Enter the child's full name", autocomplete="off")
    date_of_birth = GovukDateField(label="Date of birth", error_name="the child's date of birth")
    nhs_number = _nhs_number_field()
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the child's sex"},
    )
    ethnicity = ethnicity_field()
    address = forms.CharField(
        label="Home address",
        max_length=500,
        help_text="Where the child normally lived, without the postcode",
        error_messages={"required": "Enter the child's home address"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    postcode = _text("Postcode", "Enter the postcode of the child's home", max_length=10, autocomplete="off")
    # The death
    died_on = GovukDateField(label="Date of death", error_name="the date of death")
    died_time = _time("Time of death (if known)", required=False)
    place_of_death = _text("Place of death", "Enter where the child died, for example a hospital or the home")
    expectation = forms.ChoiceField(
        label="Was the death expected?",
        choices=DeathExpectation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the death was expected"},
    )
    # The notifier
    notifier_name = _text("Your name", "Enter your name", autocomplete="name")
    notifier_role = _text("Your role", "Enter your role, for example paediatric registrar")
    notifier_organisation = _text("Your organisation", "Enter your organisation")
    notifier_email = forms.EmailField(
        label="Your work e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter your work e-mail address",
            "invalid": "Enter an e-mail address in the right format, like name@example.nhs.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    notifier_phone = _text("Your work phone number", "Enter your work phone number", max_length=40, autocomplete="tel")
    became_aware_on = GovukDateField(
        label="When did you become aware of the death?", error_name="the date you became aware"
    )
    became_aware_time = _time(
        "Time you became aware", required=True, required_message="Enter the time you became aware"
    )
    account = forms.CharField(
        label="What happened",
        max_length=ACCOUNT_MAX,
        help_text=f"A short account: what you know of how the child died. At most {ACCOUNT_MAX} characters.",
        error_messages={
            "required": "Give a short account of what happened",
            "max_length": f"The account must be {ACCOUNT_MAX} characters or fewer",
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    partnership = forms.ModelChoiceField(
        label="Child death overview panel (if the postcode is not enough)",
        help_text="Leave this empty: the postcode decides. Choose only if the child lived outside the areas listed.",
        queryset=Partnership.objects.order_by("name"),
        required=False,
        empty_label="Decided by the postcode",
    )
    # The honeypot: hidden from people (and from screen readers), filled in by form-filling robots.
    website = forms.CharField(label="Leave this empty", required=False, max_length=200)

    def _moment(self, day_field: str, time_field: str) -> datetime | None:
        day = self.cleaned_data.get(day_field)
        text = (self.cleaned_data.get(time_field) or "").strip()
        if day is None or time_field in self.errors:
            return None
        clock = time(0, 0)
        if text:
            match = _TIME.match(text)
            if not match:
                self.add_error(
                    time_field, "Enter the time as hours and minutes on the 24-hour clock, for example 14:30"
                )
                return None
            clock = time(int(match.group(1)), int(match.group(2)))
        return timezone.make_aware(datetime.combine(day, clock))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["died_at"] = self._moment("died_on", "died_time")
        data["became_aware_at"] = self._moment("became_aware_on", "became_aware_time")
        return data

    @property
    def is_robot(self) -> bool:
        return bool(self.is_bound and self.data.get("website"))


class IntakeLinkForm(GovukForm):
    to_reference = forms.CharField(
        label="Reference of the first notification of this death",
        max_length=20,
        help_text="For example CDN-BC3DF4GH",
        error_messages={"required": "Enter the reference of the notification to link this one to"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )


class IntakeOpenForm(GovukForm):
    # Guards a second press, and an empty post: the item must still be new.
    expected_status = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": "Nothing was changed: reload the page and try again."}
    )
