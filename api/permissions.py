"""Scopes: what a token may do, on top of what its user may (reviews.permissions decides that).

"read" for every GET; a write needs the scope its view names in ``write_scope`` ("contribute" for
an agency lead's writes, "coordinate" for a coordinator's). A missing scope is a 403 naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.models import PersonalAccessToken, Scope
from api.problems import SCOPE, Problem

if TYPE_CHECKING:  # DRF imports this module while defining APIView
    from rest_framework.views import APIView


def needed_scope(request: Request, view: APIView) -> str:
    if request.method in SAFE_METHODS:
        return Scope.READ
    scope = getattr(view, "write_scope", None)
    if scope is None:
        # A write view that forgot to say which scope it needs is refused to everyone.
        raise exceptions.PermissionDenied("This endpoint names no scope.")
    return str(scope)


class TokenScope(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        token = request.auth
        if not isinstance(token, PersonalAccessToken):
            raise exceptions.NotAuthenticated("Send a personal access token: 'Authorization: Bearer <token>'.")
        if not hasattr(view, (request.method or "").lower()):
            return True  # a method the view does not have: answered 405 next, whatever the scopes
        scope = needed_scope(request, view)
        if scope not in token.scopes:
            raise Problem(
                403,
                f"This token does not have the '{scope}' scope, which this request needs. "
                "Make a token with it on /accounts/tokens/.",
                type=SCOPE,
                title="Missing scope",
                scope=scope,
            )
        return True
