"""What the navigation in base.html needs that the views do not pass: "My requests", "My actions",
the chair's sign-offs, the action tracker, the panel meetings, "Open a review" and the partnerships'
annual reports, each offered only to whoever has a use for it. A template tag rather than a
context processor: it runs only when a page shows the navigation, and the settings stay the
project's."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import CharField, Value
from django.db.models.functions import Concat

from reviews.models import PanelInvitation, PartnershipMember, ReviewRole, Role

register = template.Library()

# Read with the roles, in the same query: the user's standings in partnerships.
_STANDING = "standing:"
# Read in the same query too: whether a panel meeting has invited the user (UNION keeps one row).
_INVITED = "invited:panel"
# Who reads a partnership's figures (reviews.permissions.partnership_figures_for).
_FIGURES = {
    _STANDING + PartnershipMember.Standing.COORDINATOR,
    _STANDING + PartnershipMember.Standing.BUSINESS_MANAGER,
    _STANDING + PartnershipMember.Standing.SCRUTINEER,
}


@register.simple_tag(takes_context=True)
def findings_nav(context: dict[str, Any]) -> dict[str, bool]:
    """Which links to show. One query for the user's roles, partnership standing and whether any
    panel has invited them, remembered on the request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not (user and user.is_authenticated):
        return {}
    cached = getattr(request, "_findings_nav", None)
    if cached is None:
        # order_by(): the model ordering would add id to the DISTINCT and return a row per role held.
        roles = ReviewRole.objects.filter(user_id=user.pk).order_by().values_list("role", flat=True).distinct()
        # Each standing as "standing:<name>", never mistaken for the review role of the same name.
        standing = (
            PartnershipMember.objects.filter(user_id=user.pk)
            .order_by()
            .annotate(held=Concat(Value(_STANDING), "standing", output_field=CharField()))
            .values_list("held", flat=True)
        )
        # Invited to a panel meeting: shown the panels even without a role that implies it.
        invited = (
            PanelInvitation.objects.filter(user_id=user.pk)
            .order_by()
            .annotate(held=Value(_INVITED, output_field=CharField()))
            .values_list("held", flat=True)
        )
        held = set(roles.union(standing, invited))
        open_review = _STANDING + PartnershipMember.Standing.COORDINATOR in held
        panels = bool(held & {Role.COORDINATOR, Role.CHAIR, Role.PANEL_MEMBER, _INVITED}) or open_review
        cached = {
            "chair": Role.CHAIR in held,
            "tracker": Role.COORDINATOR in held,
            # An agency lead anywhere has both requests to answer and actions to own.
            "my_requests": Role.AGENCY_LEAD in held,
            "my_actions": Role.AGENCY_LEAD in held,
            "panels": panels,
            # Opening a review is for a partnership's review coordinators (reviews.permissions).
            "open_review": open_review,
            # So is the intake queue of notifications of children's deaths (reviews/views/intake.py).
            "intake": open_review,
            # The annual report of each partnership whose figures the user reads.
            "figures": bool(held & _FIGURES),
        }
        request._findings_nav = cached
    return cached
