"""The form to grant a role on a review, and the partnership members it offers."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from reviews.models import Agency, Review, Role
from reviews.selectors.roles import person_name
from ui.forms import GovukForm
from workflows.types import User


def partnership_members(partnership_id: int) -> QuerySet[User]:
    """The active members of a partnership, by name: the people a role or a request may name."""
    return (
        get_user_model()
        .objects.filter(memberships__partnership_id=partnership_id, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = person_name(obj)
        return name if name == obj.get_username() else f"{name} ({obj.get_username()})"


class RoleGrantForm(GovukForm):
    user = UserChoiceField(
        label="Person",
        queryset=get_user_model().objects.none(),
        empty_label="Select a person",
        error_messages={
            "required": "Select the person to give a role to",
            "invalid_choice": "Select a member of this partnership",
        },
    )
    role = forms.ChoiceField(
        choices=Role.choices, widget=forms.RadioSelect, error_messages={"required": "Select the role"}
    )
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        label="Agency (agency leads only)",
        queryset=None,
        required=False,
        empty_label="Not an agency lead",
        error_messages={"invalid_choice": "Select an agency that serves this partnership"},
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only members of the review's partnership may hold a role on it.
        cast(UserChoiceField, self.fields["user"]).queryset = partnership_members(review.partnership_id)
        agency = cast("forms.ModelChoiceField[Agency]", self.fields["agency"])
        agency.queryset = review.partnership.agencies.order_by("name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        role, agency = data.get("role"), data.get("agency")
        if role == Role.AGENCY_LEAD and agency is None:
            self.add_error("agency", "Select the agency this lead answers for")
        elif role and role != Role.AGENCY_LEAD and agency is not None:
            self.add_error("agency", "Only an agency lead answers for an agency: choose 'Not an agency lead'")
        return data
