"""The user's in-app notifications over the API: the inbox and mark-read, through the same
selectors and service as the inbox page (notifications/views.py)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import Scope
from api.views import ApiListView, ApiView
from notifications import selectors, services
from notifications.models import Notification
from workflows.types import User


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    reference = serializers.SerializerMethodField()
    what = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "reference", "what", "due_date", "escalation", "created_at", "read_at"]

    # The context's reference and words, as the inbox shows them (never a body's free text).
    def get_reference(self, notification: Notification) -> str:
        return str(notification.context.get("reference", ""))

    def get_what(self, notification: Notification) -> str:
        return str(notification.context.get("what", ""))


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # TokenScope let only a token's user through
    return user


class NotificationList(ApiListView):
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        notifications = selectors.own_in_app(_user(self.request))
        unread = self.request.query_params.get("unread")
        if unread in ("true", "1"):
            notifications = notifications.filter(read_at__isnull=True)
        elif unread in ("false", "0"):
            notifications = notifications.filter(read_at__isnull=False)
        elif unread is not None:
            raise serializers.ValidationError({"unread": ["Send true or false."]})
        return notifications

    @extend_schema(
        summary="The user's in-app notifications, newest first",
        parameters=[
            OpenApiParameter("unread", bool, required=False, description="Only unread (true) or read (false).")
        ],
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class NotificationRead(ApiView):
    # Marks the user's own notification read: nothing of a review changes, so reading suffices.
    write_scope = Scope.READ

    @extend_schema(summary="Mark one of the user's notifications read", request=None, responses=NotificationSerializer)
    def post(self, request: Request, notification_id: int) -> Response:
        user = _user(request)
        # Someone else's notification is not found, as on the inbox page.
        if not selectors.own_in_app(user).filter(pk=notification_id).exists():
            raise Http404("No such notification.")
        services.notification_mark_read(user=user, notification_id=notification_id)
        return Response(NotificationSerializer(selectors.own_in_app(user).get(pk=notification_id)).data)
