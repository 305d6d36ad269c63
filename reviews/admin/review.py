"""Django admin for the review domain.

Reference data (partnerships, their closure days and clock settings, members, agencies) is edited
here. Everything with a lifecycle or an audit trail is read-only: reviews, roles, subjects and
clocks change only through reviews.services, so the admin offers the review transitions as
actions that call those services, as the signed-in admin user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from reviews.admin.clocks import ReviewClockInline
from reviews.admin.roles import ReviewRoleInline
from reviews.admin.subjects import SubjectInline
from reviews.models import (
    Review,
    ReviewState,
)
from reviews.services.review import KEY_DATE_FIELDS, review_advance
from ui.admin import ReadOnlyAdminMixin
from workflows.runner import TransitionRefused
from workflows.types import User

# --- reviews and their transitions ------------------------------------------------------------


def _error_text(error: Exception) -> str:
    if isinstance(error, TransitionRefused):
        return " ".join([error.message, *error.reasons])
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You do not have the role needed for this step."


def _state_label(state: str) -> str:
    return ReviewState(state).label if state in ReviewState.values else state


def _transition_action(
    name: str, label: str
) -> Callable[[admin.ModelAdmin[Review], HttpRequest, QuerySet[Review]], None]:
    """An admin action that takes transition ``name`` on each selected review through the service."""

    def action(modeladmin: admin.ModelAdmin[Review], request: HttpRequest, queryset: QuerySet[Review]) -> None:
        actor = cast(User, request.user)  # the admin site lets only signed-in staff in
        # One service call (one transaction) per review, so one refusal never undoes the others.
        # values_list: the changelist queryset joins the partnership for display; only these are needed.
        for pk, reference, state in queryset.order_by("reference").values_list("pk", "reference", "state"):
            try:
                moved = review_advance(actor=actor, review_id=pk, transition=name)
                done = f"moved from {_state_label(state)} to {moved.get_state_display()}."
            except (TransitionRefused, PermissionDenied, ValidationError) as error:
                modeladmin.message_user(request, f"{reference}: {_error_text(error)}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{reference}: {done}", messages.SUCCESS)

    action.__name__ = f"advance_{name}"
    return admin.action(description=f"{label} (selected reviews)")(action)


def review_transition_actions() -> list[Callable[..., None]]:
    """One action per lifecycle step, except those that need a reason, which an action cannot ask
    for: withdrawing, converting and closing stay on the review page, behind its confirmation page."""
    actions: dict[str, Callable[..., None]] = {}
    for meta in Review._meta.get_field("state").get_all_transitions(Review):
        if meta.name in actions or meta.custom.get("needs_reason"):
            continue
        actions[meta.name] = _transition_action(meta.name, meta.custom.get("label", meta.name))
    return list(actions.values())


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reviews are opened, dated and moved on through the services; here they are looked at and
    moved on with the actions. The state is never a form field (FSMField(protected=True))."""

    list_display = ["reference", "title", "kind", "state", "partnership", "created_at"]
    list_filter = ["partnership", "kind", "state"]
    list_select_related = ["partnership"]
    search_fields = ["reference", "title"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "reference",
        "partnership",
        "kind",
        "title",
        "state",
        *KEY_DATE_FIELDS,
        "converted_from",
        "withdrawal_rationale",
        "created_by",
        "created_at",
    )
    inlines = [SubjectInline, ReviewRoleInline, ReviewClockInline]
    actions = review_transition_actions()
