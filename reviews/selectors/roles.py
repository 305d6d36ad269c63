"""Readers of the roles held on a review, and of everything a user holds anywhere."""

from __future__ import annotations

from django.db.models import CharField, Value
from django.db.models.functions import Concat

from reviews.models import PanelInvitation, PartnershipMember, Review, ReviewRole
from reviews.permissions import FIGURES_READERS
from reviews.selectors.review import _person
from workflows.types import AuthenticatedHttpRequest, User

# In what held_roles returns, beside the review roles (Role values): each partnership standing,
# never mistaken for the review role of the same name, and having been invited to a panel meeting.
STANDING = "standing:"
INVITED_TO_A_PANEL = "invited:panel"


def review_roles(review: Review) -> list[ReviewRole]:
    return list(review.roles.select_related("user", "agency").order_by("role", "user__last_name", "id"))


def person_name(user: User) -> str:
    return _person(user)


def held_roles(request: AuthenticatedHttpRequest) -> frozenset[str]:
    """What the signed-in user holds anywhere: their review roles, their partnership standings
    (``STANDING`` + standing) and ``INVITED_TO_A_PANEL``. One query (a UNION), remembered on the
    request: the navigation of every page reads it, and the dashboard too."""
    held: frozenset[str] | None = getattr(request, "_held_roles", None)
    if held is None:
        user_id = request.user.pk
        # order_by(): the model ordering would add id to the DISTINCT and return a row per role held.
        roles = ReviewRole.objects.filter(user_id=user_id).order_by().values_list("role", flat=True).distinct()
        standing = (
            PartnershipMember.objects.filter(user_id=user_id)
            .order_by()
            .annotate(held=Concat(Value(STANDING), "standing", output_field=CharField()))
            .values_list("held", flat=True)
        )
        invited = (
            PanelInvitation.objects.filter(user_id=user_id)
            .order_by()
            .annotate(held=Value(INVITED_TO_A_PANEL, output_field=CharField()))
            .values_list("held", flat=True)
        )
        held = frozenset(roles.union(standing, invited))  # UNION: one row per value
        request._held_roles = held  # type: ignore[attr-defined]
    return held


def reads_figures(held: frozenset[str]) -> bool:
    """Whether, of what ``held_roles`` gave, a standing reads some partnership's figures."""
    return any(STANDING + standing in held for standing in FIGURES_READERS)
