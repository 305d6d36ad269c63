"""What the navigation in base.html needs that the views do not pass: "My requests", "My actions",
the chair's sign-offs, the action tracker, the panel meetings, "Open a review" and the partnerships'
annual reports, each offered only to whoever has a use for it. A template tag rather than a
context processor: it runs only when a page shows the navigation, and the settings stay the
project's."""

from __future__ import annotations

from typing import Any

from django import template

from reviews.models import PartnershipMember, Role
from reviews.selectors.roles import INVITED_TO_A_PANEL, STANDING, held_roles, reads_figures

register = template.Library()


@register.simple_tag(takes_context=True)
def findings_nav(context: dict[str, Any]) -> dict[str, bool]:
    """Which links to show, from what the user holds (one query, shared with the page's view)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not (user and user.is_authenticated):
        return {}
    held = held_roles(request)
    open_review = STANDING + PartnershipMember.Standing.COORDINATOR in held
    return {
        "chair": Role.CHAIR in held,
        "tracker": Role.COORDINATOR in held,
        # An agency lead anywhere has both requests to answer and actions to own.
        "my_requests": Role.AGENCY_LEAD in held,
        "my_actions": Role.AGENCY_LEAD in held,
        # Invited to a panel meeting: shown the panels even without a role that implies it.
        "panels": bool(held & {Role.COORDINATOR, Role.CHAIR, Role.PANEL_MEMBER, INVITED_TO_A_PANEL}) or open_review,
        # Opening a review is for a partnership's review coordinators (reviews.permissions).
        "open_review": open_review,
        # So is the intake queue of notifications of children's deaths (reviews/views/intake.py).
        "intake": open_review,
        # The annual report of each partnership whose figures the user reads.
        "figures": reads_figures(held),
    }
