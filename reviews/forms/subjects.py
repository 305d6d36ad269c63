"""The form to add a subject (pseudonym and, kept apart, identity)."""

from __future__ import annotations

from django import forms

from reviews.models import RestrictedName, Sex
from reviews.models.ethnicity import Ethnicity
from reviews.models.subjects import validate_nhs_number
from reviews.services.subjects import RESTRICTED_NAME_MESSAGES
from ui.forms import GovukDateField, GovukForm


def _sex_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Sex", choices=Sex.choices, initial=Sex.NOT_KNOWN, required=False, widget=forms.RadioSelect
    )


def ethnicity_field() -> forms.ChoiceField:
    """The child's ethnicity in the ONS 2021 groups: the same field on the public notification
    form and the child death review's dataset, so one carries over to the other unchanged."""
    return forms.ChoiceField(
        label="Ethnicity",
        help_text="The ONS 2021 census groups.",
        choices=[("", "Select the child's ethnicity"), *Ethnicity.choices],
        error_messages={"required": "Choose the child's ethnicity, or not known"},
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


class RestrictedNameForm(GovukForm):
    """The real name of a setting or an alleged perpetrator, and the pseudonym written instead."""

    what = forms.ChoiceField(
        label="Whose name is it?",
        choices=RestrictedName.What.choices,
        widget=forms.RadioSelect,
        error_messages={"required": RESTRICTED_NAME_MESSAGES["what"]},
    )
    pseudonym = forms.CharField(
        label="Pseudonym",
        help_text="As papers and reports write it, e.g. Nursery Z or K.",
        max_length=60,
        error_messages={"required": RESTRICTED_NAME_MESSAGES["pseudonym"]},
    )
    real_name = forms.CharField(
        label="Real name",
        max_length=200,
        error_messages={"required": RESTRICTED_NAME_MESSAGES["real_name"]},
    )
