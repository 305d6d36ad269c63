"""Forms to open a review, record its key dates and take a step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from reviews.forms.subjects import _nhs_number_field, _sex_field
from reviews.models import Partnership, Review, ReviewKind, ReviewState
from reviews.selectors.review import key_date_fields, key_date_label
from ui.forms import GovukDateField, GovukForm, SubmitOnceMixin


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

    def __init__(self, *args: Any, partnerships: list[Partnership], **kwargs: Any) -> None:
        """``partnerships``: those the user coordinates (reviews.permissions.partnerships_for)."""
        super().__init__(*args, **kwargs)
        ids = [partnership.pk for partnership in partnerships]
        partnership = cast("forms.ModelChoiceField[Partnership]", self.fields["partnership"])
        partnership.queryset = Partnership.objects.filter(pk__in=ids).order_by("name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
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
        if review.kind == ReviewKind.CHILD_DEATH:
            self.fields["child_looked_after"] = forms.BooleanField(
                label="The child was looked after by a local authority",
                help_text="Their death is also notified to Ofsted and the Secretary of State.",
                required=False,
                initial=review.child_looked_after,
            )
        if "publication_planned_on" in self.fields:
            self.fields[
                "publication_planned_on"
            ].help_text = (
                "The final report goes to the Panel and the Secretary of State at least 7 working days before."
            )


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

    def __init__(self, *args: Any, step: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """``step``: the transition's ``custom`` settings: whether it needs a reason, and the words
        its reason box and its error use (withdrawal's "not proceeding" unless it says otherwise)."""
        super().__init__(*args, **kwargs)
        step = step or {}
        self.needs_reason = bool(step.get("needs_reason"))
        self.reason_required = step.get("reason_required", "Give the reason for not proceeding")
        self.fields["reason"].label = step.get("reason_label", self.fields["reason"].label)

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data.get("reason", "").strip()
        if self.needs_reason and not reason:
            raise ValidationError(self.reason_required, code="required")
        return reason
