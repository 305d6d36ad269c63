"""Object-level permission checks on reviews, one place for every view and service."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from reviews.models import PartnershipMember, Review, ReviewRole, ReviewUserObjectPermission, Role
from workflows.conditions import Ask, Fact, holds


def has_review_perm(user: Any, codename: str, review: Review) -> bool:
    """Whether ``user`` holds ``reviews.<codename>`` on this one review.

    The permissions live in django-guardian's direct table for reviews (granted and revoked only
    by reviews.services.roles). Roles go to users, never to groups, and model-wide permissions
    never open a review, so the check is one indexed EXISTS rather than guardian's generic
    backend (two queries, and global permissions would leak across partnerships). Superusers
    keep guardian's meaning: they may do anything (the platform operator in the admin).

    During a step the EXISTS has usually been read already, under the review's row lock, with the
    step's conditions (workflows.runner): that answer is used instead.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return holds(review, HOLDS_REVIEW_PERM.ask(user.pk, codename))


def held_review_perms(user: Any, review: Review, codenames: Iterable[str]) -> frozenset[str]:
    """Which of ``codenames`` ``user`` holds on this review, in one query: ``has_review_perm``
    asked of several codenames at once (same meaning for superusers and inactive users)."""
    codenames = frozenset(codenames)
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    if user.is_superuser:
        return codenames
    return frozenset(
        ReviewUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id=review.pk, permission__codename__in=codenames
        ).values_list("permission__codename", flat=True)
    )


def _holds_permission(user_id: int, codename: str) -> Exists:
    return Exists(
        ReviewUserObjectPermission.objects.filter(
            user_id=user_id, content_object_id=OuterRef("pk"), permission__codename=codename
        )
    )


# Whether a user holds a permission on a review: asked alone by has_review_perm, and by a step with
# its conditions (workflows.conditions.step_asks), both from this one definition.
HOLDS_REVIEW_PERM = Fact("holds_review_perm", _holds_permission)


def review_perm_ask(user: Any, codename: str) -> Ask | None:
    """The fact ``has_review_perm`` reads for this user; None for the users it answers without a
    query (no one signed in, an inactive user, a superuser)."""
    if not (user and user.is_authenticated and user.is_active) or user.is_superuser:
        return None
    return HOLDS_REVIEW_PERM.ask(user.pk, codename)


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
