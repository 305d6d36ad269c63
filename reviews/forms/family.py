"""The family page's forms: the record of the family's involvement, and a meeting with them."""

from __future__ import annotations

from django import forms

from reviews.models import ToldHow
from reviews.services.family import InvolvementData, MeetingData
from ui.forms import GovukDateField, GovukForm, SubmitOnceMixin, text_area


def optional_text(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": rows})
    )


class FamilyInvolvementForm(GovukForm):
    told_on = GovukDateField(
        label="Date the family was told a review is happening",
        error_name="the date the family was told",
        required=False,
    )
    told_by = forms.CharField(
        label="Who told them",
        help_text="A role, e.g. the chair or the review coordinator.",
        required=False,
        max_length=200,
    )
    told_how = forms.ChoiceField(
        label="How they were told", choices=[("", "Not told yet"), *ToldHow.choices], required=False
    )
    not_told_reason = optional_text("If they have not been told, why not")
    views_sought_on = GovukDateField(
        label="Date their views were sought", error_name="the date their views were sought", required=False
    )
    views_given_on = GovukDateField(
        label="Date they gave their views", error_name="the date they gave their views", required=False
    )
    views_note = optional_text(
        "Notes on their views", help_text="Their views themselves go in a document of kind Family views."
    )
    saw_report_on = GovukDateField(
        label="Date they saw the report before publication", error_name="the date they saw the report", required=False
    )

    def involvement_data(self) -> InvolvementData:
        data = self.cleaned_data
        return InvolvementData(
            told_on=data["told_on"],
            told_by=data["told_by"],
            told_how=data["told_how"],
            not_told_reason=data["not_told_reason"],
            views_sought_on=data["views_sought_on"],
            views_given_on=data["views_given_on"],
            views_note=data["views_note"],
            saw_report_on=data["saw_report_on"],
        )


class FamilyMeetingForm(SubmitOnceMixin, GovukForm):
    held_on = GovukDateField(label="Date of the meeting", error_name="the date of the meeting")
    attended = text_area(
        "Who attended", required="Say who attended (roles or pseudonyms).", help_text="Use roles or pseudonyms."
    )
    note = optional_text("Note")

    def meeting_data(self) -> MeetingData:
        data = self.cleaned_data
        return MeetingData(held_on=data["held_on"], attended=data["attended"], note=data["note"])
