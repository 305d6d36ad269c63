"""The user types every app shares, so a signature says which user it takes instead of ``Any``.

``User`` is a signed-in person (the project keeps Django's own user model). ``AnyUser`` is what a
request carries: a signed-in user or the anonymous one; permission checks take it and answer no
for the anonymous user. ``AuthenticatedHttpRequest`` is the request of a view only signed-in users
reach. Defined here, at the bottom of the dependency order (workflows ← notifications ← reviews),
so every app may import it.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

AnyUser: TypeAlias = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """The request a view behind ``login_required`` receives: its user is signed in.

    For annotations only (Django never builds one): it lets such a view hand ``request.user`` to a
    service that takes a ``User`` without a check the decorator already made.
    """

    user: User


__all__ = ["AnyUser", "AuthenticatedHttpRequest", "User"]
