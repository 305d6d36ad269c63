"""Forms for agency contributions: invite, steps, due dates, extensions and the agency report."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model

from reviews.forms.roles import UserChoiceField, agency_members, lead_error
from reviews.models import Agency, Review
from reviews.models.contributions import REPORT_SECTIONS, AgencyReport, Ask, ContributionState
from reviews.selectors.agencyforms import current_definitions
from reviews.selectors.contributions import invitable_agencies
from ui.forms import GovukDateField, GovukForm, StepForm, text_area

# Asks that were placeholders for forms now defined as data (reviews.models.agencyforms).
FORM_ASKS = (Ask.CDR_REPORTING_FORM, Ask.RAPID_REVIEW_SUMMARY)


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class InviteAgencyForm(GovukForm):
    service_field_map = {"forms": "agency_forms"}

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
            "invalid_choice": "Select a member of an agency that can be asked",
        },
    )
    asks = forms.MultipleChoiceField(
        label="What is asked of the agency",
        # The CDR reporting form and the rapid review summary are structured agency forms now.
        choices=[(value, label) for value, label in Ask.choices if value not in FORM_ASKS],
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        required=False,
    )
    agency_forms = forms.MultipleChoiceField(
        label="Agency forms to complete",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text="Structured forms the agency answers question by question. Select all that apply.",
        required=False,
        error_messages={"invalid_choice": "Select forms from the list"},
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
        agencies = invitable_agencies(review)
        cast(AgencyChoiceField, self.fields["agency"]).queryset = agencies
        # Only people who work for an agency that may be asked; each labelled with its agency.
        cast(UserChoiceField, self.fields["lead"]).queryset = agency_members(review.partnership_id, agencies)
        offered = [(key, form.title) for key, form in current_definitions().items()]
        cast(forms.MultipleChoiceField, self.fields["agency_forms"]).choices = offered
        self.fields["due_date"].initial = default_due
        self.fields[
            "due_date"
        ].help_text = f"The usual due date for this review is {default_due:%-d %B %Y}. For example, 27 3 2026"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("asks") and not data.get("agency_forms") and "asks" not in self.errors:
            self.add_error("asks", "Select at least one thing to ask for, or a form")
        agency, lead = data.get("agency"), data.get("lead")
        if agency is not None and lead is not None and (error := lead_error(lead, agency)):
            self.add_error("lead", error)
        return data


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
    reason = text_area(
        "Reason for moving the due date", required="Give the reason for the new due date", max_length=2000
    )
    service_field_map = {"proposed_due_date": "new_due_date"}


class ExtensionRequestForm(GovukForm):
    proposed_due_date = GovukDateField(label="Proposed due date", error_name="the proposed due date")
    reason = text_area("Why do you need more time?", required="Say why you need more time", rows=4, max_length=2000)


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
    def initial_from(report: AgencyReport | None) -> dict[str, Any]:
        if report is None:
            return {}
        return {name: getattr(report, name) for name, _ in [*REPORT_SECTIONS, ("author_role", "")]}
