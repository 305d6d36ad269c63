"""The child death review's forms: the notification dataset, a step of the joint agency response,
the child death review meeting and the CDOP's review."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms

from reviews.forms.subjects import ethnicity_field
from reviews.models import ChildDeath, Review
from reviews.models.child_death import Disability, PlaceOfDeath
from reviews.services.child_death import CdopReviewData, DatasetData, JarItemData, MeetingData
from ui.forms import GovukDateField, GovukForm, text_area

YES_NO = [("yes", "Yes"), ("no", "No")]
EXPECTED = [("unexpected", "Unexpected"), ("expected", "Expected")]


def _optional_notes(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _time(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        help_text="24-hour clock, for example 14:30. Optional.",
        error_messages={"invalid": f"Enter the {label.lower()} as hours and minutes, for example 14:30"},
        widget=forms.TimeInput(attrs={"class": "govuk-input govuk-input--width-5"}, format="%H:%M"),
    )


class DatasetForm(GovukForm):
    died_on = GovukDateField(label="Date of death", error_name="the date of death")
    unexpected = forms.ChoiceField(
        label="Was the death expected or unexpected?",
        help_text="An unexpected death starts the joint agency response.",
        choices=EXPECTED,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the death was expected or unexpected"},
    )
    place_of_death = forms.ChoiceField(
        label="Place of death",
        choices=PlaceOfDeath.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the child died"},
    )
    ethnicity = ethnicity_field()
    looked_after = forms.ChoiceField(
        label="Was the child looked after by a local authority?",
        help_text="A looked-after child's death is also notified to Ofsted and the Secretary of State.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the child was looked after"},
    )
    disability = forms.ChoiceField(
        label="Did the child have a disability?",
        choices=Disability.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the child had a disability, or not known"},
    )
    home_local_authority = forms.CharField(
        label="Home local authority",
        help_text="Where the child normally lived.",
        max_length=100,
        error_messages={"required": "Name the local authority where the child normally lived"},
    )
    notifier_name = forms.CharField(
        label="Notifying professional",
        max_length=200,
        error_messages={"required": "Name the professional who notified the death"},
    )
    notifier_role = forms.CharField(
        label="Their role and organisation",
        max_length=200,
        error_messages={"required": "Give the notifier's role and organisation"},
    )
    became_aware_on = GovukDateField(
        label="Date the notifier became aware of the death",
        error_name="the date the notifier became aware of the death",
        help_text="The 48-hour notification clock starts on this date. For example, 27 3 2026",
    )
    became_aware_at = _time("Time they became aware")

    @classmethod
    def for_review(cls, review: Review, record: ChildDeath | None, data: Any = None) -> DatasetForm:
        initial: dict[str, Any] = {"died_on": review.incident_on, "became_aware_on": review.became_aware_on}
        if review.death_unexpected is not None:
            initial["unexpected"] = "unexpected" if review.death_unexpected else "expected"
        initial["looked_after"] = "yes" if review.child_looked_after else "no"
        if record is not None and record.dataset_recorded_at is not None:
            for name in (
                "place_of_death",
                "ethnicity",
                "disability",
                "home_local_authority",
                "notifier_name",
                "notifier_role",
                "became_aware_at",
            ):
                initial[name] = getattr(record, name)
        return cls(data, initial=initial)

    def dataset_data(self) -> DatasetData:
        data = self.cleaned_data
        return DatasetData(
            died_on=data["died_on"],
            became_aware_on=data["became_aware_on"],
            became_aware_at=data["became_aware_at"],
            unexpected=data["unexpected"] == "unexpected",
            place_of_death=data["place_of_death"],
            ethnicity=data["ethnicity"],
            looked_after=data["looked_after"] == "yes",
            disability=data["disability"],
            home_local_authority=data["home_local_authority"],
            notifier_name=data["notifier_name"],
            notifier_role=data["notifier_role"],
        )


class JarItemForm(GovukForm):
    done_on = GovukDateField(label="Date", error_name="the date")
    done_at = _time("Time")
    done_by = text_area(
        "Who took part",
        required="Say who took part: roles and agencies",
        help_text="Roles and agencies, for example 'Detective sergeant, police; on-call paediatrician'.",
    )
    note = _optional_notes("Notes (optional)")

    def item_data(self) -> JarItemData:
        data = self.cleaned_data
        done_at: time | None = data["done_at"]
        return JarItemData(done_on=data["done_on"], done_at=done_at, done_by=data["done_by"], note=data["note"])


class MeetingForm(GovukForm):
    post_mortem_received_on = GovukDateField(
        label="Date the post-mortem report was received",
        error_name="the date the post-mortem report was received",
        required=False,
        help_text="The meeting is held once the report is available. For example, 27 3 2026",
    )
    no_post_mortem = forms.BooleanField(label="No post-mortem was held", required=False)
    notice_given_on = GovukDateField(
        label="Date notice of the meeting was given",
        error_name="the date notice of the meeting was given",
        help_text="At least a month before the meeting. For example, 27 3 2026",
    )
    held_on = GovukDateField(label="Date the meeting was held", error_name="the date the meeting was held")
    notes = _optional_notes("Notes (optional)", "Use pseudonyms.")

    def meeting_data(self) -> MeetingData:
        data = self.cleaned_data
        return MeetingData(
            held_on=data["held_on"],
            notice_given_on=data["notice_given_on"],
            post_mortem_received_on=data["post_mortem_received_on"],
            no_post_mortem=data["no_post_mortem"],
            notes=data["notes"],
        )


class CdopReviewForm(GovukForm):
    reviewed_on = GovukDateField(
        label="Date the CDOP reviewed the death", error_name="the date the CDOP reviewed the death"
    )
    notes = _optional_notes("Notes (optional)", "Use pseudonyms.")

    def cdop_data(self) -> CdopReviewData:
        data = self.cleaned_data
        return CdopReviewData(reviewed_on=data["reviewed_on"], notes=data["notes"])
