"""What the navigation in base.html needs that the views do not pass: "My requests", "My actions",
the chair's sign-offs, the action tracker and the panel meetings, each offered only to whoever has
a use for it. Rendering it from a context processor would need a settings change, owned elsewhere."""

from __future__ import annotations

from typing import Any

from django import template

from reviews.models import PanelInvitation, ReviewRole, Role

register = template.Library()


@register.simple_tag(takes_context=True)
def findings_nav(context: dict[str, Any]) -> dict[str, bool]:
    """Which links to show. One query for the user's roles (two for someone invited to a panel
    without a role that implies it), remembered on the request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not (user and user.is_authenticated):
        return {}
    cached = getattr(request, "_findings_nav", None)
    if cached is None:
        # order_by(): the model ordering would add id to the DISTINCT and return a row per role held.
        roles = set(ReviewRole.objects.filter(user=user).order_by().values_list("role", flat=True).distinct())
        panels = bool(roles & {Role.COORDINATOR, Role.CHAIR, Role.PANEL_MEMBER}) or bool(context.get("can_open_review"))
        if not panels:
            panels = PanelInvitation.objects.filter(user=user).exists()
        cached = {
            "chair": Role.CHAIR in roles,
            "tracker": Role.COORDINATOR in roles,
            # An agency lead anywhere has both requests to answer and actions to own.
            "my_requests": Role.AGENCY_LEAD in roles,
            "my_actions": Role.AGENCY_LEAD in roles,
            "panels": panels,
        }
        request._findings_nav = cached
    return cached
