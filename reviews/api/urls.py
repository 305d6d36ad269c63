"""/api/v1/: the routes of each feature's resources (reviews/api/<feature>.py)."""

from __future__ import annotations

from django.urls import path

from reviews.api import (
    actions,
    agencyforms,
    annual_report,
    chronology,
    contributions,
    intake,
    notifications,
    oversight,
    review,
)

app_name = "api_v1"
urlpatterns = [
    path("reviews/", review.ReviewList.as_view(), name="reviews"),
    path("reviews/<str:reference>/", review.ReviewDetail.as_view(), name="review"),
    path("reviews/<str:reference>/transitions/<str:name>", review.ReviewTransition.as_view(), name="review_transition"),
    path("notifications/", notifications.NotificationList.as_view(), name="notifications"),
    path(
        "notifications/<int:notification_id>/read", notifications.NotificationRead.as_view(), name="notification_read"
    ),
    # --- actions, the CDR intake, a partnership's figures (reviews/api/actions.py, intake.py,
    # annual_report.py, oversight.py) ---
    path("actions/", actions.ActionList.as_view(), name="actions"),
    path("reviews/<str:reference>/actions/<int:action_id>/", actions.ActionDetail.as_view(), name="action"),
    path(
        "reviews/<str:reference>/actions/<int:action_id>/progress",
        actions.ActionProgress.as_view(),
        name="action_progress",
    ),
    path(
        "reviews/<str:reference>/actions/<int:action_id>/evidence",
        actions.ActionEvidence.as_view(),
        name="action_evidence",
    ),
    path(
        "reviews/<str:reference>/actions/<int:action_id>/steps/<str:name>",
        actions.ActionStep.as_view(),
        name="action_step",
    ),
    path("intake/notifications", intake.IntakeNotify.as_view(), name="intake_notifications"),
    path(
        "partnerships/<str:code>/annual-report/<int:year>/",
        annual_report.AnnualReportView.as_view(),
        name="annual_report",
    ),
    path("partnerships/<str:code>/timeliness/", oversight.PartnershipTimeliness.as_view(), name="timeliness"),
    # --- end of actions, intake, figures ---
    # --- contributions, chronology entries (bulk) and agency forms (reviews/api/contributions.py,
    # chronology.py, agencyforms.py) ---
    path("contributions/", contributions.ContributionList.as_view(), name="contributions"),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/",
        contributions.ContributionDetail.as_view(),
        name="contribution",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/chronology-entries/",
        chronology.ChronologyEntries.as_view(),
        name="chronology_entries",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/forms/",
        agencyforms.FormList.as_view(),
        name="agency_forms",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/forms/<str:form_key>/draft",
        agencyforms.FormDraft.as_view(),
        name="agency_form_draft",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/forms/<str:form_key>/submit",
        agencyforms.FormSubmit.as_view(),
        name="agency_form_submit",
    ),
]
