from __future__ import annotations

from django.urls import path

from reviews.views import action_evidence, actions, chronology, chronology_entries, contributions, findings, panels
from reviews.views.access_log import review_access_log
from reviews.views.dashboard import dashboard
from reviews.views.key_dates import review_key_dates
from reviews.views.opening import review_new
from reviews.views.review_page import review_detail, review_transition
from reviews.views.roles import review_roles_view
from reviews.views.subjects import subject_add_view, subject_identity

app_name = "reviews"
urlpatterns = [
    path("", dashboard, name="dashboard"),
    # Before <reference>/ so "new" is never read as a reference.
    path("reviews/new/", review_new, name="review_new"),
    path("reviews/<str:reference>/", review_detail, name="review"),
    path("reviews/<str:reference>/transition/<slug:name>/", review_transition, name="review_transition"),
    path("reviews/<str:reference>/dates/", review_key_dates, name="review_dates"),
    path("reviews/<str:reference>/subjects/add/", subject_add_view, name="subject_add"),
    path("reviews/<str:reference>/subjects/<int:subject_id>/identity/", subject_identity, name="subject_identity"),
    path("reviews/<str:reference>/roles/", review_roles_view, name="review_roles"),
    path("reviews/<str:reference>/access-log/", review_access_log, name="review_access_log"),
    # Agency contributions (issue 3). Every URL under <int:contribution_id> is 404 to anyone but the
    # review's coordinators and that agency's lead on the review.
    path("my-requests/", contributions.my_requests_view, name="my_requests"),
    path("reviews/<str:reference>/contributions/", contributions.contribution_list, name="contributions"),
    path(
        "reviews/<str:reference>/contributions/invite/", contributions.contribution_invite, name="contribution_invite"
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/",
        contributions.contribution_detail,
        name="contribution",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/step/<slug:name>/",
        contributions.contribution_step,
        name="contribution_step",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/due-date/",
        contributions.contribution_due_date,
        name="contribution_due_date",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/extension/",
        contributions.contribution_extension,
        name="contribution_extension",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/extension/<int:change_id>/",
        contributions.contribution_decide_extension_view,
        name="contribution_decide_extension",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/entries/add/",
        chronology_entries.entry_add,
        name="entry_add",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/entries/<int:entry_id>/",
        chronology_entries.entry_edit,
        name="entry_edit",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/entries/<int:entry_id>/delete/",
        chronology_entries.entry_delete_view,
        name="entry_delete",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/import/",
        chronology_entries.chronology_import,
        name="chronology_import",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/import/template.csv",
        chronology_entries.import_template_csv,
        name="import_template_csv",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/import/template.xlsx",
        chronology_entries.import_template_xlsx,
        name="import_template_xlsx",
    ),
    path(
        "reviews/<str:reference>/contributions/<int:contribution_id>/report/",
        chronology_entries.report_edit,
        name="report_edit",
    ),
    path("reviews/<str:reference>/chronology/", chronology.chronology_view, name="chronology"),
    path("reviews/<str:reference>/chronology/print/", chronology.chronology_print, name="chronology_print"),
    path("reviews/<str:reference>/chronology/export.csv", chronology.chronology_export, name="chronology_export"),
    path("reviews/<str:reference>/chronology/release/", chronology.chronology_release_view, name="chronology_release"),
    # Findings, the chair's sign-off and signed versions (issue 5).
    path("chair/", findings.chair_page, name="chair"),
    path("reviews/<str:reference>/findings/", findings.findings_view, name="findings"),
    path("reviews/<str:reference>/findings/edit/", findings.findings_edit, name="findings_edit"),
    path("reviews/<str:reference>/findings/sign-off/", findings.findings_sign_off_view, name="findings_sign_off"),
    path("reviews/<str:reference>/findings/reopen/", findings.findings_reopen_view, name="findings_reopen"),
    path(
        "reviews/<str:reference>/findings/versions/<int:version>/", findings.findings_version, name="findings_version"
    ),
    path(
        "reviews/<str:reference>/findings/recommendations/add/",
        findings.recommendation_edit,
        name="recommendation_add",
    ),
    path(
        "reviews/<str:reference>/findings/recommendations/<int:recommendation_id>/",
        findings.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        "reviews/<str:reference>/findings/recommendations/<int:recommendation_id>/delete/",
        findings.recommendation_delete_view,
        name="recommendation_delete",
    ),
    # Actions. Every URL under <int:action_id> is 404 to anyone but the review's coordinators and
    # the owning agency's lead on the review.
    path("actions/", actions.action_tracker, name="action_tracker"),
    path("actions/export.csv", actions.action_tracker_export, name="action_tracker_export"),
    path("my-actions/", actions.my_actions_view, name="my_actions"),
    path("reviews/<str:reference>/actions/", actions.review_actions, name="review_actions"),
    path(
        "reviews/<str:reference>/findings/recommendations/<int:recommendation_id>/actions/add/",
        actions.action_add,
        name="action_add",
    ),
    path("reviews/<str:reference>/actions/<int:action_id>/", actions.action_detail, name="action"),
    path("reviews/<str:reference>/actions/<int:action_id>/progress/", actions.action_progress, name="action_progress"),
    path("reviews/<str:reference>/actions/<int:action_id>/due-date/", actions.action_due_date, name="action_due_date"),
    path("reviews/<str:reference>/actions/<int:action_id>/step/<slug:name>/", actions.action_step, name="action_step"),
    path(
        "reviews/<str:reference>/actions/<int:action_id>/evidence/",
        action_evidence.action_evidence_upload,
        name="action_evidence_upload",
    ),
    path(
        "reviews/<str:reference>/actions/<int:action_id>/evidence/<int:file_id>/",
        action_evidence.action_evidence_download,
        name="action_evidence_download",
    ),
    # Panel meetings: 404 to anyone neither coordinating the partnership nor invited.
    path("panels/", panels.panel_list, name="panels"),
    path("panels/new/", panels.panel_new, name="panel_new"),
    path("panels/<int:meeting_id>/", panels.panel_detail, name="panel"),
    path("panels/<int:meeting_id>/invite/", panels.panel_invite_view, name="panel_invite"),
    path("panels/<int:meeting_id>/agenda/", panels.panel_agenda_view, name="panel_agenda"),
    path("panels/<int:meeting_id>/attendance/", panels.panel_attendance_view, name="panel_attendance"),
    path("panels/<int:meeting_id>/minutes/", panels.panel_minutes_view, name="panel_minutes"),
    path("panels/<int:meeting_id>/decisions/<str:reference>/", panels.panel_decision_view, name="panel_decision"),
    path("panels/<int:meeting_id>/papers/<str:reference>/", panels.panel_papers, name="panel_papers"),
]
