"""What the navigation in base.html needs that the views of other pages do not pass."""

from __future__ import annotations

from typing import Any

from django import template

from reviews.selectors_contributions import is_agency_lead_anywhere

register = template.Library()


@register.simple_tag(takes_context=True)
def shows_my_requests(context: dict[str, Any]) -> bool:
    """Whether to offer "My requests": the user leads an agency on at least one review.

    One query per page, remembered on the request; rendering it from a context processor would
    need a settings change, which this module leaves to the lead.
    """
    request = context.get("request")
    if request is None:
        return False
    cached = getattr(request, "_shows_my_requests", None)
    if cached is None:
        cached = is_agency_lead_anywhere(getattr(request, "user", None))
        request._shows_my_requests = cached
    return cached
