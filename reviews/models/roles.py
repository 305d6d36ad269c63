"""Who holds which role on which review.

ReviewRole is the record a coordinator reads ("the police lead is ..."); the object permissions
django-guardian checks are granted and revoked with it by `reviews.services.roles`, never apart.
Guardian's direct foreign-key tables keep permission checks and listings to plain joins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from workflows.conditions import Permission

if TYPE_CHECKING:
    from reviews.models.review import Review
    from workflows.types import AnyUser

M = TypeVar("M", bound=models.Model)


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Review coordinator"
    CHAIR = "chair", "Chair / independent reviewer"
    PANEL_MEMBER = "panel_member", "Panel member"
    AGENCY_LEAD = "agency_lead", "Agency lead"
    SCRUTINEER = "scrutineer", "Read-only scrutineer"


# What each role may do on its review. `view_review` is what makes the review exist for a user.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.COORDINATOR: ("view_review", "coordinate_review", "view_identity"),
    Role.CHAIR: ("view_review", "chair_review"),
    Role.PANEL_MEMBER: ("view_review", "sit_on_panel"),
    Role.AGENCY_LEAD: ("view_review", "lead_agency_submission"),
    Role.SCRUTINEER: ("view_review", "scrutinise_review"),
}


def review_role_permission(codename: str, review_of: Callable[[M], Review]) -> Permission[M]:
    """The permission of a step on an object of a review (a contribution, an action, the findings):
    ``codename`` held on ``review_of(instance)``; a refusal names the role that would let the user.

    reviews.permissions imports the models, so it is imported when a check runs.
    """

    def check(instance: M, user: AnyUser) -> bool:
        from reviews.permissions import has_review_perm

        return has_review_perm(user, codename, review_of(instance))

    def refused(instance: M, doing: str) -> str:
        from reviews.permissions import refusal

        return refusal(review_of(instance), codename, doing)

    return Permission(check, name=f"has_{codename}", refusal=refused)


class ReviewRole(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "reviews.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_roles",
        help_text="The agency an agency lead answers for.",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user", "role"], name="reviewrole_unique"),
            models.CheckConstraint(
                condition=models.Q(role="agency_lead", agency__isnull=False)
                | (~models.Q(role="agency_lead") & models.Q(agency__isnull=True)),
                name="reviewrole_agency_only_for_agency_lead",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" ({self.agency})" if self.agency_id else ""
        return f"{self.get_role_display()}{suffix}: {self.user}"

    def clean(self) -> None:
        if self.role == Role.AGENCY_LEAD and not self.agency_id:
            raise ValidationError({"agency": "An agency lead answers for one agency: choose it."})
        if self.role != Role.AGENCY_LEAD and self.agency_id:
            raise ValidationError({"agency": "Only an agency lead is tied to an agency."})


class ReviewUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("reviews.Review", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class ReviewGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("reviews.Review", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass
