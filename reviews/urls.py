"""The review pages, one include() per feature.

Every page under ``reviews/<reference>/`` is 404 to anyone without a role on that review; pages
under ``contributions/<contribution_id>/`` and ``actions/<action_id>/`` are 404 to anyone but the
review's coordinators and that agency's lead; panel pages are 404 to anyone neither coordinating
the partnership nor invited (docs/ACCESS.md).
"""

from __future__ import annotations

from django.urls import include, path

from reviews.views import (
    access_log,
    accuracy,
    actions,
    agencyforms,
    annual_report,
    briefing,
    child_death,
    chronology,
    contributions,
    dashboard,
    documents,
    family,
    findings,
    intake,
    leaks,
    notices,
    oversight,
    panels,
    publication,
    report,
    review,
    roles,
    search,
    subjects,
    themes,
    timeliness,
    webhooks,
)

review_urls = [
    path("", review.review_detail, name="review"),
    path("transition/<slug:name>/", review.review_transition, name="review_transition"),
    path("dates/", review.review_key_dates, name="review_dates"),
    path("timeliness.csv", timeliness.review_timeliness_export, name="review_timeliness_export"),
    path("notices/<slug:kind>/", notices.notice_view, name="review_notice"),
    path("publication/", publication.publication_view, name="publication"),
    path("publication/report.pdf", publication.publication_pdf, name="publication_pdf"),
    path("briefing/", briefing.learning_briefing, name="learning_briefing"),
]

child_death_urls = [
    path("", child_death.child_death_dataset, name="child_death_dataset"),
    path("joint-agency-response/<slug:item>/", child_death.child_death_jar_item, name="child_death_jar_item"),
    path("meeting/", child_death.child_death_meeting, name="child_death_meeting"),
    path("cdop/", child_death.child_death_cdop, name="child_death_cdop"),
]

subject_urls = [
    path("add/", subjects.subject_add_view, name="subject_add"),
    path("<int:subject_id>/identity/", subjects.subject_identity, name="subject_identity"),
    path("restricted-names/", subjects.restricted_names, name="restricted_names"),
    path("restricted-names/<int:name_id>/remove/", subjects.restricted_name_remove_view, name="restricted_name_remove"),
]

leak_urls = [
    path("", leaks.leak_list, name="leaks"),
    path("override/", leaks.leak_override_view, name="leak_override"),
]

role_urls = [
    path("", roles.review_roles_view, name="review_roles"),
]

access_log_urls = [
    path("", access_log.review_access_log, name="review_access_log"),
]

contribution_urls = [
    path("", contributions.contribution_list, name="contributions"),
    path("invite/", contributions.contribution_invite, name="contribution_invite"),
    path("<int:contribution_id>/", contributions.contribution_detail, name="contribution"),
    path("<int:contribution_id>/step/<slug:name>/", contributions.contribution_step, name="contribution_step"),
    path("<int:contribution_id>/due-date/", contributions.contribution_due_date, name="contribution_due_date"),
    path("<int:contribution_id>/extension/", contributions.contribution_extension, name="contribution_extension"),
    path(
        "<int:contribution_id>/extension/<int:change_id>/",
        contributions.contribution_decide_extension_view,
        name="contribution_decide_extension",
    ),
    path("<int:contribution_id>/report/", contributions.report_edit, name="report_edit"),
    path("<int:contribution_id>/forms/<slug:form_key>/", agencyforms.agency_form_edit, name="agency_form_edit"),
    # An agency's own chronology, inside its contribution.
    path("<int:contribution_id>/entries/add/", chronology.entry_add, name="entry_add"),
    path("<int:contribution_id>/entries/<int:entry_id>/", chronology.entry_edit, name="entry_edit"),
    path("<int:contribution_id>/entries/<int:entry_id>/delete/", chronology.entry_delete_view, name="entry_delete"),
    path("<int:contribution_id>/import/", chronology.chronology_import, name="chronology_import"),
    path("<int:contribution_id>/import/template.csv", chronology.import_template_csv, name="import_template_csv"),
    path("<int:contribution_id>/import/template.xlsx", chronology.import_template_xlsx, name="import_template_xlsx"),
]

document_urls = [
    path("", documents.document_list, name="documents"),
    path("new/", documents.document_upload_view, name="document_upload"),
    path("<int:document_id>/", documents.document_detail, name="document"),
    path("<int:document_id>/versions/new/", documents.document_version_add, name="document_version_add"),
    path("<int:document_id>/readers/", documents.document_readers_view, name="document_readers"),
    path("<int:document_id>/versions/<int:version>/download/", documents.document_download, name="document_download"),
]

family_urls = [
    path("", family.family_page, name="family"),
    path("meetings/new/", family.family_meeting_add, name="family_meeting_add"),
]

agency_form_urls = [
    path("<slug:form_key>/", agencyforms.agency_form_compare, name="agency_form_compare"),
]

chronology_urls = [
    path("", chronology.chronology_view, name="chronology"),
    path("print/", chronology.chronology_print, name="chronology_print"),
    path("export.csv", chronology.chronology_export, name="chronology_export"),
    path("release/", chronology.chronology_release_view, name="chronology_release"),
]

findings_urls = [
    path("", findings.findings_view, name="findings"),
    path("edit/", findings.findings_edit, name="findings_edit"),
    path("send/", findings.findings_send_view, name="findings_send"),
    path("sign-off/", findings.findings_sign_off_view, name="findings_sign_off"),
    path("reopen/", findings.findings_reopen_view, name="findings_reopen"),
    path("versions/<int:version>/", findings.findings_version, name="findings_version"),
    path("recommendations/add/", findings.recommendation_edit, name="recommendation_add"),
    path("recommendations/<int:recommendation_id>/", findings.recommendation_edit, name="recommendation_edit"),
    path(
        "recommendations/<int:recommendation_id>/delete/",
        findings.recommendation_delete_view,
        name="recommendation_delete",
    ),
    # An action is added from its recommendation.
    path("recommendations/<int:recommendation_id>/actions/add/", actions.action_add, name="action_add"),
]

action_urls = [
    path("", actions.review_actions, name="review_actions"),
    path("<int:action_id>/", actions.action_detail, name="action"),
    path("<int:action_id>/progress/", actions.action_progress, name="action_progress"),
    path("<int:action_id>/due-date/", actions.action_due_date, name="action_due_date"),
    path("<int:action_id>/step/<slug:name>/", actions.action_step, name="action_step"),
    path("<int:action_id>/evidence/", actions.action_evidence_upload, name="action_evidence_upload"),
    path("<int:action_id>/evidence/<int:file_id>/", actions.action_evidence_download, name="action_evidence_download"),
]

panel_urls = [
    path("", panels.panel_list, name="panels"),
    path("new/", panels.panel_new, name="panel_new"),
    path("<int:meeting_id>/", panels.panel_detail, name="panel"),
    path("<int:meeting_id>/invite/", panels.panel_invite_view, name="panel_invite"),
    path("<int:meeting_id>/agenda/", panels.panel_agenda_view, name="panel_agenda"),
    path("<int:meeting_id>/attendance/", panels.panel_attendance_view, name="panel_attendance"),
    path("<int:meeting_id>/minutes/", panels.panel_minutes_view, name="panel_minutes"),
    path("<int:meeting_id>/decisions/<str:reference>/", panels.panel_decision_view, name="panel_decision"),
    path("<int:meeting_id>/papers/<str:reference>/", panels.panel_papers, name="panel_papers"),
]

intake_urls = [
    path("", intake.intake_queue_view, name="intake_queue"),
    path("<str:intake_reference>/", intake.intake_item_view, name="intake_item"),
    path("<str:intake_reference>/link/", intake.intake_link_view, name="intake_link"),
    path("<str:intake_reference>/open/", intake.intake_open_view, name="intake_open"),
]

# The overview report and its factual accuracy rounds (docs/DOMAIN.md "Overview report").
report_urls = [
    path("", report.overview_report, name="overview_report"),
    path("versions/new/", report.overview_version_new, name="overview_version_new"),
    path("versions/<int:version>/", report.overview_version, name="overview_version"),
    path("versions/<int:version>/document/", report.overview_document, name="overview_document"),
    path("versions/<int:version>/final/", report.overview_finalise, name="overview_finalise"),
    path("versions/<int:version>/sections/add/", report.overview_section_add, name="overview_section_add"),
    path(
        "versions/<int:version>/sections/<int:section_id>/", report.overview_section_edit, name="overview_section_edit"
    ),
    path(
        "versions/<int:version>/sections/<int:section_id>/move/",
        report.overview_section_move,
        name="overview_section_move",
    ),
    path(
        "versions/<int:version>/sections/<int:section_id>/delete/",
        report.overview_section_delete,
        name="overview_section_delete",
    ),
    path("compare/", report.overview_diff, name="overview_diff"),
    path("accuracy/send/", accuracy.accuracy_send, name="accuracy_send"),
    path("accuracy/<int:round_id>/", accuracy.accuracy_round, name="accuracy_round"),
    path("accuracy/<int:round_id>/comment/", accuracy.accuracy_comment, name="accuracy_comment"),
    path("accuracy/<int:round_id>/answer/", accuracy.accuracy_answer_view, name="accuracy_answer"),
    path("accuracy/<int:round_id>/responses/", accuracy.accuracy_responses, name="accuracy_responses"),
]

app_name = "reviews"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Before <reference>/ so "new" is never read as a reference.
    path("reviews/new/", review.review_new, name="review_new"),
    path("reviews/<str:reference>/", include(review_urls)),
    path("reviews/<str:reference>/subjects/", include(subject_urls)),
    path("reviews/<str:reference>/child-death/", include(child_death_urls)),
    path("reviews/<str:reference>/leaks/", include(leak_urls)),
    path("reviews/<str:reference>/roles/", include(role_urls)),
    path("reviews/<str:reference>/access-log/", include(access_log_urls)),
    path("reviews/<str:reference>/contributions/", include(contribution_urls)),
    path("reviews/<str:reference>/agency-forms/", include(agency_form_urls)),
    path("reviews/<str:reference>/documents/", include(document_urls)),
    path("reviews/<str:reference>/family/", include(family_urls)),
    path("reviews/<str:reference>/chronology/", include(chronology_urls)),
    path("reviews/<str:reference>/findings/", include(findings_urls)),
    path("reviews/<str:reference>/actions/", include(action_urls)),
    path("reviews/<str:reference>/report/", include(report_urls)),
    path("search/", search.search_view, name="search"),
    path("partnerships/<str:code>/themes/", themes.themes_view, name="themes"),
    path("partnerships/<str:code>/themes/<int:theme_id>/", themes.theme_view, name="theme"),
    # A partnership's webhooks: its administrator's (docs/WEBHOOKS.md).
    path("partnerships/<str:code>/webhooks/", webhooks.webhooks_view, name="webhooks"),
    path("partnerships/<str:code>/webhooks/<int:subscription_id>/", webhooks.webhook_view, name="webhook"),
    path(
        "partnerships/<str:code>/webhooks/<int:subscription_id>/deactivate/",
        webhooks.webhook_deactivate_view,
        name="webhook_deactivate",
    ),
    path("my-requests/", contributions.my_requests_view, name="my_requests"),
    path("chair/", findings.chair_page, name="chair"),
    path("actions/", actions.action_tracker, name="action_tracker"),
    path("actions/export.csv", actions.action_tracker_export, name="action_tracker_export"),
    path("timeliness.csv", timeliness.timeliness_export, name="timeliness_export"),
    # A partnership's figures: the annual report on screen and as files (docs/DOMAIN.md "Reporting").
    path("partnerships/", annual_report.partnerships, name="partnerships"),
    path("partnerships/<str:code>/annual-report/<int:year>/", annual_report.annual_report_page, name="annual_report"),
    path(
        "partnerships/<str:code>/annual-report/<int:year>.<str:file_format>",
        annual_report.annual_report_download,
        name="annual_report_file",
    ),
    path("my-actions/", actions.my_actions_view, name="my_actions"),
    path("panels/", include(panel_urls)),
    # A partnership's figures (docs/ACCESS.md: its coordinators, business manager and scrutineer).
    path("partnerships/<str:code>/oversight/", oversight.oversight_dashboard, name="oversight"),
    path("partnerships/<str:code>/oversight/reviews/", oversight.oversight_reviews, name="oversight_reviews"),
    # The public front door: no sign-in (docs/DOMAIN.md "Intake").
    path("notify/", intake.notify, name="notify"),
    path("intake/", include(intake_urls)),
]
