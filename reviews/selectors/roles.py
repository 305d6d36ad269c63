"""Readers of the roles held on a review."""

from __future__ import annotations

from reviews.models import Review, ReviewRole
from reviews.selectors.review import _person
from workflows.types import User


def review_roles(review: Review) -> list[ReviewRole]:
    return list(review.roles.select_related("user", "agency").order_by("role", "user__last_name", "id"))


def person_name(user: User) -> str:
    return _person(user)
