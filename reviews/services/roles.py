"""Granting and revoking roles on a review, keeping guardian's permissions in step."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from reviews.models import Agency, PartnershipMember, Review, ReviewRole, Role
from reviews.models.roles import ROLE_PERMISSIONS
from reviews.permissions import require_review_perm
from reviews.selectors.roles import person_name
from workflows.audit import audit_record
from workflows.types import User


def lead_refusal(user: User, agency: Agency) -> str:
    """Why ``user`` may not lead ``agency``'s contribution: only its own members may (issue 12)."""
    return (
        f"{person_name(user)} does not work for {agency}: only a member of {agency} can be its agency lead. "
        "A partnership administrator records which agency a member works for."
    )


def role_assign(*, review: Review, user: User, role: str, agency: Agency | None = None) -> ReviewRole:
    """Record the role and grant its permissions. Callers check who may do this."""
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = f"{role!r} is not a role on a review."
    membership = PartnershipMember.objects.filter(user=user, partnership_id=review.partnership_id).first()
    if membership is None:
        errors["user"] = f"{user} is not a member of {review.partnership}."
    if role == Role.AGENCY_LEAD:
        if agency is None:
            errors["agency"] = "An agency lead answers for one agency: choose it."
        elif not agency.partnerships.filter(pk=review.partnership_id).exists():
            errors["agency"] = f"{agency} does not serve {review.partnership}."
        elif membership is not None and membership.agency_id != agency.pk:
            errors["user"] = lead_refusal(user, agency)
    elif agency is not None:
        errors["agency"] = "Only an agency lead is tied to an agency."
    if ReviewRole.objects.filter(review=review, user=user, role=role).exists():
        errors["role"] = f"{user} is already {Role(role).label.lower()} on {review}."
    if errors:
        raise ValidationError(errors)
    review_role = ReviewRole.objects.create(review=review, user=user, role=role, agency=agency)
    for codename in ROLE_PERMISSIONS[role]:
        assign_perm(f"reviews.{codename}", user, review)
    return review_role


def review_role_grant(
    *, actor: User, review_id: int, user: User, role: str, agency: Agency | None = None
) -> ReviewRole:
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review_id)
        require_review_perm(actor, "coordinate_review", review, "assign roles")
        review_role = role_assign(review=review, user=user, role=role, agency=agency)
        audit_record(
            actor=actor,
            verb="role.granted",
            target=review,
            user=user.get_username(),
            role=role,
            agency=str(agency) if agency else "",
        )
    return review_role


def review_role_revoke(*, actor: User, role_id: int) -> None:
    already_removed = ValidationError({"role": "This role has already been removed."})
    with transaction.atomic():
        review_id = ReviewRole.objects.filter(pk=role_id).values_list("review_id", flat=True).first()
        if review_id is None:
            # A second click, or someone else removed it first: say so rather than fail.
            raise already_removed
        review = Review.objects.select_for_update().get(pk=review_id)
        require_review_perm(actor, "coordinate_review", review, "remove roles")
        # Read the role again under the review's lock: a concurrent revoke of the same role (a
        # double click) waited behind it and must not audit and strip permissions a second time.
        review_role = ReviewRole.objects.select_related("user").filter(pk=role_id).first()
        if review_role is None:
            raise already_removed
        if review_role.role == Role.COORDINATOR and review.roles.filter(role=Role.COORDINATOR).count() == 1:
            raise ValidationError({"role": "A review always needs a coordinator: add another one first."})
        user = review_role.user
        review_role.delete()
        # Keep any permission another of the user's roles on this review still grants.
        still_granted = {
            codename
            for other in ReviewRole.objects.filter(review=review, user=user)
            for codename in ROLE_PERMISSIONS[other.role]
        }
        for codename in set(ROLE_PERMISSIONS[review_role.role]) - still_granted:
            remove_perm(f"reviews.{codename}", user, review)
        audit_record(actor=actor, verb="role.revoked", target=review, user=user.get_username(), role=review_role.role)
