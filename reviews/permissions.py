"""Object-level permission checks on reviews, one place for every view and service."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from reviews.models import PartnershipMember, Review


def has_review_perm(user: Any, codename: str, review: Review) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(f"reviews.{codename}", review))


def require_review_perm(user: Any, codename: str, review: Review, doing: str) -> None:
    if not has_review_perm(user, codename, review):
        raise PermissionDenied(f"You do not have the role needed to {doing} on {review}.")


def is_partnership_coordinator(user: Any, partnership_id: int) -> bool:
    if not (user and user.is_authenticated):
        return False
    return PartnershipMember.objects.filter(
        user=user, partnership_id=partnership_id, standing=PartnershipMember.Standing.COORDINATOR
    ).exists()


def partnerships_user_coordinates(user: Any) -> list[Any]:
    from reviews.models import Partnership

    if not (user and user.is_authenticated):
        return []
    return list(
        Partnership.objects.filter(
            members__user=user, members__standing=PartnershipMember.Standing.COORDINATOR
        ).order_by("name")
    )
