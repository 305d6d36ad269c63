"""The user types every app shares, so a signature says which user it takes instead of ``Any``.

``User`` is a signed-in person (the project keeps Django's own user model). ``AnyUser`` is what a
request carries: a signed-in user or the anonymous one; permission checks take it and answer no
for the anonymous user. Defined here, at the bottom of the dependency order (workflows ←
notifications ← reviews), so every app may import it.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

AnyUser: TypeAlias = User | AnonymousUser

__all__ = ["AnyUser", "User"]
