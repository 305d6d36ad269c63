"""Forms for actions: create, progress, steps and evidence files."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from reviews.forms.contributions import AgencyChoiceField
from reviews.models import Agency, Review
from reviews.models.actions import ActionState
from ui.forms import GovukDateField, GovukForm, StepForm, SubmitOnceMixin, text_area


def _agencies(partnership_id: int) -> QuerySet[Agency]:
    return Agency.objects.filter(partnerships__id=partnership_id).order_by("name")


class ActionForm(SubmitOnceMixin, GovukForm):
    description = text_area("What will be done", required="Say what will be done", rows=4)
    owner_agency = AgencyChoiceField(
        label="Owning agency",
        queryset=Agency.objects.none(),
        empty_label="Select the owning agency",
        error_messages={"required": "Choose the agency that owns the action"},
    )
    owner_role = forms.CharField(
        label="Owner's role",
        max_length=120,
        help_text="The role answerable for it, for example 'Head of safeguarding'. Not a name.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        error_messages={"required": "Give the role answerable for the action"},
    )
    due_date = GovukDateField(label="Due date", error_name="the due date")
    success_measure = text_area("Success measure", required="Say how success will be measured")

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(AgencyChoiceField, self.fields["owner_agency"]).queryset = _agencies(review.partnership_id)


class ProgressForm(GovukForm):
    progress_on = GovukDateField(label="Date of the progress", error_name="the date of the progress")
    note = text_area("Progress", required="Say what progress has been made")


class ActionStepForm(StepForm):
    """One step on an action: completing needs evidence; returning and closing need a reason."""

    expected_state = forms.ChoiceField(choices=ActionState.choices, widget=forms.HiddenInput)
    evidence = forms.CharField(
        label="Evidence of completion",
        required=False,
        max_length=20_000,
        help_text="What was done and how it meets the success measure.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(label="Reason", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    REASONS = {
        "return_to_owner": ("Why is it returned?", "Say what the owner still needs to do"),
        "close_not_implemented": ("Why will it not be implemented?", "Give the reason it will not be implemented"),
    }

    @property
    def needs_evidence(self) -> bool:
        return self.step == "complete"


class EvidenceFileForm(forms.Form):
    file = forms.FileField(error_messages={"required": "Choose a file to attach."})
