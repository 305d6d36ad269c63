"""Forms for findings and recommendations."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms

from reviews.forms.actions import _agencies
from reviews.forms.contributions import AgencyChoiceField
from reviews.models import Agency, Review
from reviews.models.findings import ANALYSIS_DOMAINS, CategoryOfDeath, ModifiableFactors, Relevance, relevance_field
from reviews.selectors.findings import canonical_json, content_hash
from reviews.services.findings import FindingsData, RecommendationData
from ui.forms import GovukDateField, GovukForm, SubmitOnceMixin, text_area


class FindingsForm(GovukForm):
    findings = text_area(
        "Findings", required="Write the findings", rows=8, max_length=50_000, help_text="What the review found."
    )
    learning = forms.CharField(
        label="Learning",
        required=False,
        help_text="The learning for the partnership and its agencies. Needed before sign-off.",
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    themes = forms.MultipleChoiceField(
        label="Themes",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tagged for the annual report. Select all that apply.",
        error_messages={"invalid_choice": "Select themes from the partnership's list"},
    )

    # The draft the form was filled in from (reviews.selectors.findings.draft_hash): a save over a
    # version someone else saved meanwhile is refused, not silently overwriting it (issue 12).
    based_on = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, themes: list[str], analysis: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["themes"]).choices = [(t, t) for t in themes]
        self.analysis = analysis
        if analysis:
            # A CDR's learning is the analysis form's learning points.
            self.fields["learning"].label = "Learning points"
            for name, label in ANALYSIS_DOMAINS:
                self.fields[name] = forms.CharField(
                    label=label, required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
                )
                self.fields[relevance_field(name)] = forms.TypedChoiceField(
                    label=f"{label}: level of relevance",
                    choices=Relevance.choices,
                    coerce=int,
                    required=False,
                    empty_value=None,
                    widget=forms.RadioSelect,
                    help_text="Needed before sign-off.",
                )
            self.fields["category_of_death"] = forms.TypedChoiceField(
                label="Category of death",
                help_text="The categories are hierarchical: choose the first that applies.",
                choices=CategoryOfDeath.choices,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields["category_rationale"] = forms.CharField(
                label="Why this category",
                help_text="Why it is the first of the ten that applies. Needed before sign-off.",
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields["modifiable_factors"] = forms.ChoiceField(
                label="Were there modifiable factors?",
                choices=ModifiableFactors.choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def analysis_fields(self) -> list[forms.BoundField]:
        """Each domain's factors, then its level of relevance."""
        if not self.analysis:
            return []
        return [self[field] for name, _ in ANALYSIS_DOMAINS for field in (name, relevance_field(name))]

    def findings_data(self) -> FindingsData:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "findings": data["findings"],
            "learning": data["learning"],
            "themes": list(data["themes"]),
        }
        if self.analysis:
            for name, _ in ANALYSIS_DOMAINS:
                values[name] = data[name]
                values[relevance_field(name)] = data[relevance_field(name)]
            values["category_of_death"] = data["category_of_death"] or None
            values["category_rationale"] = data["category_rationale"]
            values["modifiable_factors"] = data["modifiable_factors"]
        return FindingsData(**values)


class RecommendationForm(SubmitOnceMixin, GovukForm):
    what = text_area(
        "What is to change",
        required="Say what is to change",
        rows=4,
        help_text="Specific: what the agency will do differently.",
    )
    owner_agency = AgencyChoiceField(
        label="Owner",
        queryset=Agency.objects.none(),
        empty_label="Select the owning agency",
        error_messages={"required": "Choose the agency that owns the recommendation"},
    )
    due_by = GovukDateField(label="By when", error_name="the date by when it is to be done")
    success_measure = text_area("How success is measured", required="Say how success will be measured")

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(AgencyChoiceField, self.fields["owner_agency"]).queryset = _agencies(review.partnership_id)

    def recommendation_data(self) -> RecommendationData:
        data = self.cleaned_data
        return RecommendationData(
            what=data["what"],
            owner_agency=data["owner_agency"],
            due_by=data["due_by"],
            success_measure=data["success_measure"],
        )


class ReasonOnlyForm(GovukForm):
    reason = text_area(
        "Reason for reopening",
        required="Give the reason for reopening the signed findings",
        max_length=5000,
        help_text="Recorded with the findings' history; the chair will sign off a new version.",
    )


class SignOffForm(GovukForm):
    """What the chair read on the sign-off page: its hash, and the content itself, so a refusal can
    say what changed since. The content must hash to the hash, or the page was not one we sent."""

    content_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    content = forms.CharField(widget=forms.HiddenInput, max_length=2_000_000)

    def __init__(self, *args: Any, read: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if read is not None:
            self.fields["content"].initial = canonical_json(read).decode("utf-8")
            self.fields["content_hash"].initial = content_hash(read)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            read = json.loads(data.get("content") or "")
        except ValueError:
            read = None
        if not isinstance(read, dict) or content_hash(read) != data.get("content_hash"):
            raise forms.ValidationError("The sign-off page was incomplete: open it again and read the findings.")
        data["read"] = read
        return data
