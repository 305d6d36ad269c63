"""Object-level permission checks on reviews, one place for every view and service."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection

from reviews.models import PartnershipMember, Review, ReviewRole, ReviewUserObjectPermission, Role
from workflows.conditions import fact


def has_review_perm(user: Any, codename: str, review: Review) -> bool:
    """Whether ``user`` holds ``reviews.<codename>`` on this one review.

    The permissions live in django-guardian's direct table for reviews (granted and revoked only
    by reviews.services.roles). Roles go to users, never to groups, and model-wide permissions
    never open a review, so the check is one indexed EXISTS rather than guardian's generic
    backend (two queries, and global permissions would leak across partnerships). Superusers
    keep guardian's meaning: they may do anything (the platform operator in the admin).

    During a step the EXISTS has usually been read already, under the review's row lock, with the
    step's conditions (reviews.conditions.review_step_facts): that answer is used instead.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    held = fact(review, review_perm_fact(user.pk, codename))
    if held is not None:
        return held
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {HOLDS_PERMISSION}", [user.pk, review.pk, codename])
        return bool(cursor.fetchone()[0])


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


def review_perm_fact(user_id: int, codename: str) -> tuple[str, int, str]:
    """The key under which a step holds whether this user holds ``codename`` on its review."""
    return ("review_perm", user_id, codename)


# The EXISTS of ReviewUserObjectPermission.objects.filter(user_id=..., content_object_id=...,
# permission__codename=...).exists(), written out once: has_review_perm asks it on its own and
# review_step_facts with a step's conditions, so both answers come from the same SQL; and building it
# through the ORM took longer than the database took to answer it (bench/transitions.py).
# Parameters: user id, review id, codename.
HOLDS_PERMISSION = (
    f"EXISTS (SELECT 1 FROM {ReviewUserObjectPermission._meta.db_table} granted "  # noqa: S608 -- names from _meta
    f"INNER JOIN {Permission._meta.db_table} permission ON permission.id = granted.permission_id "
    f"WHERE granted.user_id = %s AND granted.content_object_id = %s AND permission.codename = %s)"
)


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
