"""Object-level permission checks on reviews, one place for every view and service."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from reviews.models import PartnershipMember, Review, ReviewRole, ReviewUserObjectPermission, Role


def has_review_perm(user: Any, codename: str, review: Review) -> bool:
    """Whether ``user`` holds ``reviews.<codename>`` on this one review.

    The permissions live in django-guardian's direct table for reviews (granted and revoked only
    by reviews.services.roles). Roles go to users, never to groups, and model-wide permissions
    never open a review, so the check is one indexed EXISTS rather than guardian's generic
    backend (two queries, and global permissions would leak across partnerships). Superusers
    keep guardian's meaning: they may do anything (the platform operator in the admin).
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return ReviewUserObjectPermission.objects.filter(
        user_id=user.pk, content_object_id=review.pk, permission__codename=codename
    ).exists()


def require_review_perm(user: Any, codename: str, review: Review, doing: str) -> None:
    if not has_review_perm(user, codename, review):
        raise PermissionDenied(f"You do not have the role needed to {doing} on {review}.")


def is_agency_lead(user: Any, *, review_id: int, agency_id: int) -> bool:
    """Whether ``user`` is the lead for this agency on this review (contributions, actions, evidence)."""
    if not (user and user.is_authenticated):
        return False
    return ReviewRole.objects.filter(
        review_id=review_id, user_id=user.pk, role=Role.AGENCY_LEAD, agency_id=agency_id
    ).exists()


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
