"""Forms for findings, recommendations, actions and panel meetings, in the GOV.UK patterns.

As elsewhere: forms check the shape of what was typed; the domain rules (SMART recommendations,
due dates not in the past, quorum) live in the services, whose ValidationError(dict) is mapped
back onto these fields with ``add_service_errors``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from reviews.forms import (
    GovukDateField,
    GovukForm,
    StepForm,
    SubmitOnceMixin,
    UserChoiceField,
    partnership_members,
)
from reviews.forms_contributions import AgencyChoiceField
from reviews.models import Agency, Partnership, Review
from reviews.models.actions import ActionState
from reviews.models.findings import ANALYSIS_DOMAINS, CategoryOfDeath, ModifiableFactors
from reviews.models.panels import RAPID_REVIEW_OUTCOMES, DecisionOutcome
from reviews.services.findings import FindingsData, RecommendationData


def _agencies(partnership_id: int) -> Any:
    return Agency.objects.filter(partnerships__id=partnership_id).order_by("name")


class FindingsForm(GovukForm):
    findings = forms.CharField(
        label="Findings",
        help_text="What the review found.",
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write the findings"},
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

    def __init__(self, *args: Any, themes: list[str], analysis: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = [(t, t) for t in themes]
        self.analysis = analysis
        if analysis:
            for name, label in ANALYSIS_DOMAINS:
                self.fields[name] = forms.CharField(
                    label=label, required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
                )
            self.fields["category_of_death"] = forms.TypedChoiceField(
                label="Category of death",
                help_text="The categories are hierarchical: choose the first that applies.",
                choices=CategoryOfDeath.choices,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields["modifiable_factors"] = forms.ChoiceField(
                label="Were there modifiable factors?",
                choices=ModifiableFactors.choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def analysis_fields(self) -> list[Any]:
        names = [name for name, _ in ANALYSIS_DOMAINS]
        return [self[name] for name in names] if self.analysis else []

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
            values["category_of_death"] = data["category_of_death"] or None
            values["modifiable_factors"] = data["modifiable_factors"]
        return FindingsData(**values)


class RecommendationForm(SubmitOnceMixin, GovukForm):
    what = forms.CharField(
        label="What is to change",
        help_text="Specific: what the agency will do differently.",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what is to change"},
    )
    owner_agency = AgencyChoiceField(
        label="Owner",
        queryset=Agency.objects.none(),
        empty_label="Select the owning agency",
        error_messages={"required": "Choose the agency that owns the recommendation"},
    )
    due_by = GovukDateField(label="By when", error_name="the date by when it is to be done")
    success_measure = forms.CharField(
        label="How success is measured",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how success will be measured"},
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = _agencies(review.partnership_id)

    def recommendation_data(self) -> RecommendationData:
        data = self.cleaned_data
        return RecommendationData(
            what=data["what"],
            owner_agency=data["owner_agency"],
            due_by=data["due_by"],
            success_measure=data["success_measure"],
        )


class ReasonOnlyForm(GovukForm):
    reason = forms.CharField(
        label="Reason for reopening",
        max_length=5000,
        help_text="Recorded with the findings' history; the chair will sign off a new version.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for reopening the signed findings"},
    )


class ActionForm(SubmitOnceMixin, GovukForm):
    description = forms.CharField(
        label="What will be done",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what will be done"},
    )
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
    success_measure = forms.CharField(
        label="Success measure",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how success will be measured"},
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = _agencies(review.partnership_id)


class ProgressForm(GovukForm):
    progress_on = GovukDateField(label="Date of the progress", error_name="the date of the progress")
    note = forms.CharField(
        label="Progress",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what progress has been made"},
    )


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


# --- panels ---------------------------------------------------------------------------------------


class PanelMeetingForm(SubmitOnceMixin, GovukForm):
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        empty_label=None,
        error_messages={"required": "Select the partnership"},
    )
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        max_length=200,
        help_text="For example, 'Rapid review panel'.",
    )
    held_on = GovukDateField(label="Date of the meeting", error_name="the date of the meeting")
    chair = UserChoiceField(
        label="Chair",
        queryset=get_user_model().objects.none(),
        empty_label="Select the chair",
        error_messages={"required": "Select the chair", "invalid_choice": "Select a member of the partnership"},
    )

    def __init__(self, *args: Any, partnerships: list[Partnership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in partnerships]
        self.fields["partnership"].queryset = Partnership.objects.filter(pk__in=ids)
        self.fields["chair"].queryset = (
            get_user_model()
            .objects.filter(memberships__partnership_id__in=ids, is_active=True)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )


class PanelInviteForm(GovukForm):
    user = UserChoiceField(
        label="Person",
        queryset=get_user_model().objects.none(),
        empty_label="Select a person",
        error_messages={"required": "Select the person to invite"},
    )
    agency = AgencyChoiceField(
        label="Representing (optional)",
        required=False,
        queryset=Agency.objects.none(),
        empty_label="No agency",
    )

    def __init__(self, *args: Any, partnership_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = partnership_members(partnership_id)
        self.fields["agency"].queryset = _agencies(partnership_id)
        self.auto_id = "id_invite_%s"


class ReviewChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference}: {obj.title}"


class PanelAgendaForm(GovukForm):
    review = ReviewChoiceField(
        label="Review",
        queryset=Review.objects.none(),
        empty_label="Select a review",
        error_messages={"required": "Select the review to add"},
    )

    def __init__(self, *args: Any, reviews: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = reviews
        self.auto_id = "id_agenda_%s"


ATTENDANCE_CHOICES = [("present", "Present"), ("absent", "Absent"), ("", "Not recorded")]


class AttendanceForm(GovukForm):
    def __init__(self, *args: Any, invitations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitations = invitations
        for invitation in invitations:
            name = invitation.user.get_full_name() or invitation.user.get_username()
            if invitation.agency_id:
                name = f"{name} ({invitation.agency})"
            self.fields[f"attended_{invitation.pk}"] = forms.ChoiceField(
                label=name,
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial={True: "present", False: "absent", None: ""}[invitation.attended],
            )
        self.auto_id = "id_attendance_%s"

    def attended(self) -> dict[int, bool | None]:
        values = {"present": True, "absent": False, "": None}
        return {i.pk: values[self.cleaned_data.get(f"attended_{i.pk}") or ""] for i in self.invitations}


class MinutesForm(GovukForm):
    minutes = forms.CharField(
        label="Minutes", required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "id_minutes_%s"


class DecisionForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision"},
    )
    rationale = forms.CharField(
        label="Rationale",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the rationale for the decision"},
    )
    other_action = forms.CharField(
        label="Other action agreed (with no local review)",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from reviews.models import ReviewKind

        if review.kind == ReviewKind.RAPID:
            self.fields["outcome"].choices = [(o.value, o.label) for o in RAPID_REVIEW_OUTCOMES]
        else:
            self.fields["outcome"].choices = [(DecisionOutcome.RECORDED.value, DecisionOutcome.RECORDED.label)]
            self.fields["outcome"].initial = DecisionOutcome.RECORDED.value
            del self.fields["other_action"]
