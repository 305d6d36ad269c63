from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count, counted only when a template shows it (a callable is lazy)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"notifications_unread": lambda: unread_count(user)}
