"""The form to grant a role on a review, and the partnership members it offers."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, QuerySet, Subquery

from reviews.models import Agency, PartnershipMember, Review, Role
from reviews.selectors.roles import person_name
from ui.forms import GovukForm
from workflows.types import User


def partnership_members(partnership_id: int) -> QuerySet[User]:
    """The active members of a partnership, by name: the people a role or a request may name. Each
    carries the agency it works for (``agency_id``, ``agency_name``; None for the business unit, an
    independent chair), read in the same query, so a list can show it and a form check it."""
    membership = PartnershipMember.objects.filter(user=OuterRef("pk"), partnership_id=partnership_id)
    return (
        get_user_model()
        .objects.filter(memberships__partnership_id=partnership_id, is_active=True)
        .annotate(
            agency_id=Subquery(membership.values("agency_id")[:1]),
            agency_name=Subquery(membership.values("agency__name")[:1]),
        )
        .order_by("last_name", "first_name", "username")
    )


def agency_members(partnership_id: int, agencies: QuerySet[Agency]) -> QuerySet[User]:
    """The partnership's members who work for one of ``agencies``: the only people offered as an
    agency's lead (issue 12: the chair was once named lead for the schools)."""
    working_for = PartnershipMember.objects.filter(partnership_id=partnership_id, agency__in=agencies)
    return partnership_members(partnership_id).filter(pk__in=working_for.values("user_id"))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = person_name(obj)
        label = name if name == obj.get_username() else f"{name} ({obj.get_username()})"
        agency = getattr(obj, "agency_name", None)
        return f"{label}, {agency}" if agency else label


def lead_error(user: User, agency: Agency) -> str | None:
    """Why ``user`` (from ``partnership_members``) may not lead ``agency``, or None."""
    if getattr(user, "agency_id", None) == agency.pk:
        return None
    return f"{person_name(user)} does not work for {agency}: select a member of {agency} as its lead"


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
        elif role == Role.AGENCY_LEAD and agency is not None and data.get("user") is not None:
            if error := lead_error(data["user"], agency):
                self.add_error("user", error)
        elif role and role != Role.AGENCY_LEAD and agency is not None:
            self.add_error("agency", "Only an agency lead answers for an agency: choose 'Not an agency lead'")
        return data
