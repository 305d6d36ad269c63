"""Readers: the inbox, the header count, failed deliveries a coordinator should see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from notifications.models import Notification
from notifications.registry import coordinated_scopes
from workflows.types import AnyUser, User

INBOX_SIZE = 100


def own_in_app(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def inbox_for_user(user: User) -> QuerySet[Notification]:
    return own_in_app(user).order_by("-created_at", "-id")[:INBOX_SIZE]


def unread_count(user: AnyUser) -> int:
    if not (user and user.is_authenticated):
        return 0
    return own_in_app(user).filter(read_at__isnull=True).count()


def failed_for_coordinator(user: AnyUser) -> QuerySet[Notification]:
    """E-mails that could not be delivered on the reviews this user coordinates (issue 4: an SMTP
    refusal is visible to the coordinator), newest first."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    scopes = coordinated_scopes(user)
    if not scopes:
        return Notification.objects.none()
    condition = Q()
    for scope in scopes:
        condition |= Q(scope__in=scope)
    return (
        Notification.objects.filter(condition, status=Notification.Status.FAILED)
        .select_related("recipient")
        .order_by("-created_at", "-id")[:INBOX_SIZE]
    )
