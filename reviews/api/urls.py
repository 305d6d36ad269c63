"""/api/v1/: the routes of each feature's resources (reviews/api/<feature>.py)."""

from __future__ import annotations

from django.urls import path

from reviews.api import notifications, review

app_name = "api_v1"
urlpatterns = [
    path("reviews/", review.ReviewList.as_view(), name="reviews"),
    path("reviews/<str:reference>/", review.ReviewDetail.as_view(), name="review"),
    path("reviews/<str:reference>/transitions/<str:name>", review.ReviewTransition.as_view(), name="review_transition"),
    path("notifications/", notifications.NotificationList.as_view(), name="notifications"),
    path(
        "notifications/<int:notification_id>/read", notifications.NotificationRead.as_view(), name="notification_read"
    ),
]
