"""Forms for panel meetings: scheduling, invitations, agenda, attendance, minutes and decisions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from reviews.forms.actions import _agencies
from reviews.forms.contributions import AgencyChoiceField
from reviews.forms.roles import UserChoiceField, partnership_members
from reviews.models import Agency, Partnership, Review
from reviews.models.panels import RAPID_REVIEW_OUTCOMES, DecisionOutcome, PanelInvitation
from ui.forms import GovukDateField, GovukForm, SubmitOnceMixin, text_area

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
        partnership = cast("forms.ModelChoiceField[Partnership]", self.fields["partnership"])
        partnership.queryset = Partnership.objects.filter(pk__in=ids)
        cast(UserChoiceField, self.fields["chair"]).queryset = (
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
        cast(UserChoiceField, self.fields["user"]).queryset = partnership_members(partnership_id)
        cast(AgencyChoiceField, self.fields["agency"]).queryset = _agencies(partnership_id)
        self.auto_id = "id_invite_%s"


class ReviewChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Review) -> str:
        return f"{obj.reference}: {obj.title}"


class PanelAgendaForm(GovukForm):
    review = ReviewChoiceField(
        label="Review",
        queryset=Review.objects.none(),
        empty_label="Select a review",
        error_messages={"required": "Select the review to add"},
    )

    def __init__(self, *args: Any, reviews: QuerySet[Review], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ReviewChoiceField, self.fields["review"]).queryset = reviews
        self.auto_id = "id_agenda_%s"


ATTENDANCE_CHOICES = [("present", "Present"), ("absent", "Absent"), ("", "Not recorded")]


class AttendanceForm(GovukForm):
    def __init__(self, *args: Any, invitations: list[PanelInvitation], **kwargs: Any) -> None:
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
    rationale = text_area("Rationale", required="Give the rationale for the decision", rows=4, max_length=20_000)
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
            cast(forms.ChoiceField, self.fields["outcome"]).choices = [
                (o.value, o.label) for o in RAPID_REVIEW_OUTCOMES
            ]
        else:
            cast(forms.ChoiceField, self.fields["outcome"]).choices = [
                (DecisionOutcome.RECORDED.value, DecisionOutcome.RECORDED.label)
            ]
            self.fields["outcome"].initial = DecisionOutcome.RECORDED.value
            del self.fields["other_action"]
