"""The access matrix: for every page the project serves, who gets it (200), who is refused (403)
and to whom it does not exist (404).

This is data, read by two things: the matrix test (tests/reviews/access/test_views_matrix.py), which
walks every URL the project serves for every role and fails on a URL name without a rule here,
and ``manage.py access_matrix``, which prints docs/ACCESS.md (a test keeps the two in step).

The rules follow docs/DOMAIN.md ("Who uses it", "Data protection"):
- a review exists only for those holding a role on it: everyone else gets a 404, never a hint;
- a role that may see the review but not this page gets a 403;
- an agency lead reaches their own agency's contribution and actions only: another agency's are a
  404, as for anyone who is neither that agency's lead nor the review's coordinator;
- a read-only scrutineer sees progress and timeliness, never case detail;
- a partnership's business manager reads every review of the partnership as a panel member or a
  scrutineer would (never an identity, never a change), and its figures exactly; the partnership's
  scrutineer reads its figures under disclosure control and no review at all;
- a panel meeting exists only for the partnership's coordinators and those invited to it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Outcome(StrEnum):
    OK = "200"  # the page (or, for a POST-only endpoint, the request is taken up)
    DENIED = "403"  # holds a role on the review, but not one that opens this page
    HIDDEN = "404"  # must not learn the object exists
    SIGN_IN = "302"  # not signed in: sent to sign in, shown nothing
    UNAUTHENTICATED = "401"  # the API without a token: refused, shown nothing


# The roles of the matrix, in the order of the table. The agency lead appears twice: on objects of
# their own agency, and on the same kind of object belonging to another agency on the same review.
ROLES: dict[str, str] = {
    "coordinator": "Review coordinator",
    "chair": "Chair",
    "panel_member": "Panel member",
    "agency_lead": "Agency lead (own agency)",
    "agency_lead_other": "Agency lead (another agency's object)",
    "scrutineer": "Read-only scrutineer",
    "business_manager": "Business manager (every review of the partnership, no role on it)",
    "partnership_scrutineer": "Partnership scrutineer (figures only, no role on the review)",
    "partnership_admin": "Partnership administrator (no role on the review)",
    "partnership_member": "Partnership member (no role on the review)",
    "outsider": "User of another partnership",
    "anonymous": "Visitor not signed in",
}
SIGNED_IN = tuple(role for role in ROLES if role != "anonymous")
ON_REVIEW = ("coordinator", "chair", "panel_member", "agency_lead", "scrutineer")
NO_ROLE = ("partnership_scrutineer", "partnership_admin", "partnership_member", "outsider")


@dataclass(frozen=True)
class Rule:
    outcomes: dict[str, Outcome]
    note: str
    # Tested with a POST without data (the view answers 405 to a GET).
    post_only: bool = False
    # The URL names an object of one agency (a contribution, an action): the other agency's lead
    # is tested against it.
    agency_scoped: bool = False
    # An API route (/api/): requested with the role's personal access token (every scope), not a
    # session; without a token, 401. Made with ``api()`` below.
    api: bool = False

    def __post_init__(self) -> None:
        # Every page but the public ones sends a visitor who is not signed in to sign in.
        self.outcomes.setdefault("anonymous", Outcome.SIGN_IN)

    def outcome(self, role: str) -> Outcome:
        return self.outcomes[role]


OK, DENIED, HIDDEN = Outcome.OK, Outcome.DENIED, Outcome.HIDDEN


def everyone(note: str, *, post_only: bool = False) -> Rule:
    """A page every signed-in user reaches: it shows only what is theirs."""
    return Rule(dict.fromkeys(SIGNED_IN, OK), note, post_only=post_only)


def public(note: str) -> Rule:
    """A page for anyone, signed in or not: it shows nothing back (the notification form)."""
    return Rule(dict.fromkeys(ROLES, OK), note)


def of_intake_item(note: str, *, post_only: bool = False) -> Rule:
    """A notification in a partnership's intake queue: it exists for that partnership's
    coordinators only (the outsider coordinates another partnership)."""
    outcomes = {role: OK if role == "coordinator" else HIDDEN for role in SIGNED_IN}
    return Rule(outcomes, note, post_only=post_only)


def on_review(ok: tuple[str, ...], note: str, *, hidden: tuple[str, ...] = (), post_only: bool = False) -> Rule:
    """A page of one review: ``ok`` get it, other roles on the review a 403 (or a 404 if ``hidden``),
    and anyone without a role on the review a 404."""
    outcomes: dict[str, Outcome] = {}
    for role in ON_REVIEW:
        outcomes[role] = OK if role in ok else HIDDEN if role in hidden else DENIED
    outcomes["agency_lead_other"] = outcomes["agency_lead"]
    # The business manager reads what a panel member or the scrutineer reads, and changes nothing.
    reads_as_overseer = not post_only and bool({"panel_member", "scrutineer"} & set(ok))
    outcomes["business_manager"] = (
        OK if reads_as_overseer else outcomes["panel_member"] if "panel_member" in hidden else DENIED
    )
    outcomes.update(dict.fromkeys(NO_ROLE, HIDDEN))
    return Rule(outcomes, note, post_only=post_only)


def of_agency(ok: tuple[str, ...], note: str, *, denied: tuple[str, ...] = (), post_only: bool = False) -> Rule:
    """A page of one agency's object on a review: ``ok`` get it, ``denied`` a 403, everyone else
    (the other agency's lead included) a 404."""
    outcomes = {role: OK if role in ok else DENIED if role in denied else HIDDEN for role in SIGNED_IN}
    return Rule(outcomes, note, post_only=post_only, agency_scoped=True)


def of_meeting(ok: tuple[str, ...], note: str, *, denied: tuple[str, ...] = (), post_only: bool = False) -> Rule:
    """A panel meeting's page: it exists for the partnership's coordinators and its invitees only
    (the chair and the panel member are invited in the test world; the agency lead is not)."""
    outcomes = {role: OK if role in ok else DENIED if role in denied else HIDDEN for role in SIGNED_IN}
    return Rule(outcomes, note, post_only=post_only)


def partnership_coordinators(note: str) -> Rule:
    """A page for anyone who coordinates some partnership (the outsider coordinates their own)."""
    outcomes = {role: OK if role in ("coordinator", "outsider") else DENIED for role in SIGNED_IN}
    return Rule(outcomes, note)


def partnership_figures(note: str, *, scrutineer: Outcome = OK, post_only: bool = False) -> Rule:
    """A page of one partnership's figures: its coordinators and business manager read them
    exactly, its scrutineer (as ``scrutineer`` says) under disclosure control; to everyone else,
    the outsider (coordinator of another partnership) included, the partnership's figures do not
    exist."""
    outcomes = dict.fromkeys(SIGNED_IN, HIDDEN)
    outcomes.update(coordinator=OK, business_manager=OK, partnership_scrutineer=scrutineer)
    return Rule(outcomes, note, post_only=post_only)


def partnership_themes_editors(note: str, *, post_only: bool = False) -> Rule:
    """A partnership's theme list: its coordinators, administrator and business manager; to everyone
    else (the outsider, who coordinates another partnership, included) it does not exist."""
    outcomes = dict.fromkeys(SIGNED_IN, HIDDEN)
    outcomes.update(coordinator=OK, partnership_admin=OK, business_manager=OK)
    return Rule(outcomes, note, post_only=post_only)


def partnership_admins(note: str, *, post_only: bool = False) -> Rule:
    """A partnership's webhooks: its administrator only; to everyone else, its coordinators
    included, they do not exist."""
    outcomes = dict.fromkeys(SIGNED_IN, HIDDEN)
    outcomes["partnership_admin"] = OK
    return Rule(outcomes, note, post_only=post_only)


def in_partnership(note: str) -> Rule:
    """A partnership's page across its reviews: anyone with a standing in the partnership or a review
    of it they may see; to others (the outsider) it does not exist. The page shows only the reviews
    the user reads."""
    outcomes = dict.fromkeys(SIGNED_IN, OK)
    outcomes["outsider"] = HIDDEN
    return Rule(outcomes, note)


def api(rule: Rule, note: str = "") -> Rule:
    """The same rule for an API route as for a page: a token acts as its user with exactly that
    user's roles, so the API answers 200/403/404 exactly where the page does (``rule`` is usually
    the page's own, ``RULES["reviews:review"]``). Without a token: 401."""
    outcomes = {**rule.outcomes, "anonymous": Outcome.UNAUTHENTICATED}
    return replace(rule, outcomes=outcomes, note=note or rule.note, api=True)


def public_api(note: str) -> Rule:
    """An API route that holds no data (the schema, its docs): anyone, with a token or none."""
    return replace(public(note), api=True)


CASE_READERS = ("coordinator", "chair", "panel_member", "agency_lead")
DRAFTERS = ("coordinator", "chair")
INVITED = ("coordinator", "chair", "panel_member")
COORDINATOR = ("coordinator",)
LEAD = ("agency_lead",)

RULES: dict[str, Rule] = {
    # --- sign-in (project/urls.py) ---
    "login": public("Sign-in page."),
    "logout": everyone("Signs the user out.", post_only=True),
    # Two-factor sign-in (accounts/): the user's own second factor only.
    "accounts:two_factor": everyone("The code step of signing in (the user's own devices)."),
    "accounts:two_factor_setup": everyone("Enrolling the user's own authenticator app."),
    "accounts:two_factor_backup_codes": everyone("The user's own backup codes, once after enrolment."),
    # --- across reviews: each lists only what is the user's own ---
    "reviews:dashboard": everyone("The user's reviews and their clocks."),
    "reviews:review_new": partnership_coordinators("Opening a review: partnership coordinators only."),
    "reviews:my_requests": everyone("The contributions the user leads."),
    "reviews:chair": everyone("The reviews the user chairs."),
    "reviews:action_tracker": everyone("Actions of the reviews the user coordinates."),
    "reviews:action_tracker_export": everyone("CSV of the tracker, same scope; recorded in the access log."),
    "reviews:timeliness_export": everyone(
        "CSV of every clock of the reviews the user coordinates (start, due, stop, outcome); logged."
    ),
    "reviews:search": everyone(
        "Search across the user's reviews: titles for all; findings, learning, themes and recommendations "
        "with case detail (never the scrutineer); actions to the coordinator and the owning agency's lead; "
        "published report text to the report's readers (tests/reviews/search)."
    ),
    "reviews:themes": partnership_themes_editors("The partnership's theme list: add and remove themes."),
    "reviews:theme": in_partnership(
        "One theme: the reviews that found it, their recommendations and actions, and how many were "
        "implemented; only reviews whose findings the user reads."
    ),
    "reviews:webhooks": partnership_admins(
        "The partnership's webhook endpoints: list them, subscribe one (its secret shown once)."
    ),
    "reviews:webhook": partnership_admins("One endpoint's delivery log: every attempt, its answer and how long."),
    "reviews:webhook_deactivate": partnership_admins("Stop sending to an endpoint.", post_only=True),
    "reviews:my_actions": everyone("Actions owned by the agencies the user leads."),
    "reviews:panels": everyone("Meetings the user coordinates or is invited to."),
    "reviews:panel_new": partnership_coordinators("Scheduling a panel meeting."),
    # --- one partnership's figures ---
    "reviews:oversight": partnership_figures(
        "Oversight dashboard: caseload, clocks by outcome, predicted breaches, agency responsiveness. Exact "
        "(not for publication) with links to the reviews; the scrutineer's under disclosure control, no links."
    ),
    "reviews:oversight_reviews": partnership_figures(
        "The reviews behind one oversight figure (only those the user may see); a scrutineer reads figures "
        "only, never which reviews they count.",
        scrutineer=HIDDEN,
    ),
    "reviews:partnerships": everyone("The partnerships whose figures the user reads (none for most users)."),
    "reviews:annual_report": partnership_figures(
        "The annual report on screen with its charts: exact and not for publication inside the partnership, "
        "under disclosure control for its scrutineer."
    ),
    "reviews:annual_report_file": partnership_figures(
        "The annual report as PDF, XLSX, CSV or HTML: as the page, exact or disclosed by who asks."
    ),
    # --- one review ---
    "reviews:review": on_review(
        ON_REVIEW, "Progress and clocks for all; case detail (subjects, key dates) not for the scrutineer. Logged."
    ),
    "reviews:review_transition": on_review(
        COORDINATOR, "Moving the review's stage; converting and closing first show a confirmation page.", post_only=True
    ),
    "reviews:review_dates": on_review(COORDINATOR, "Recording key dates."),
    "reviews:review_timeliness_export": on_review(
        ON_REVIEW, "CSV of the review's clocks (progress, not case detail). Logged."
    ),
    "reviews:review_notice": on_review(
        COORDINATOR, "Recording an onward notice; once recorded, those with case detail read it (logged)."
    ),
    "reviews:publication": on_review(
        COORDINATOR,
        "Recording the publication (a published kind only; 404 on others). Once recorded, everyone on the "
        "review reads the record, the scrutineer included.",
    ),
    "reviews:publication_pdf": on_review(
        (),
        "The published report's PDF, pseudonyms only: 404 to all until publication is recorded (as in the "
        "fixture world); then the coordinator, chair, panel members and scrutineer read it, an agency lead gets "
        "403 (tests/reviews/publication). Logged.",
        hidden=ON_REVIEW,
    ),
    "reviews:learning_briefing": on_review(
        (),
        "The one-page learning briefing: 404 to all until publication is recorded as published (as in the "
        "fixture world); then everyone on the review reads it (tests/reviews/search).",
        hidden=ON_REVIEW,
    ),
    # A child death review's own pages (404 on any other kind of review).
    "reviews:child_death_dataset": on_review(COORDINATOR, "Recording the CDR notification dataset."),
    "reviews:child_death_jar_item": on_review(
        COORDINATOR, "Recording a step of the joint agency response to an unexpected death."
    ),
    "reviews:child_death_meeting": on_review(COORDINATOR, "Recording the child death review meeting."),
    "reviews:child_death_cdop": on_review(
        INVITED, "The CDOP's anonymised papers (no identity); the coordinator records its review. Logged."
    ),
    "reviews:subject_add": on_review(COORDINATOR, "Adding a subject (with identity)."),
    "reviews:subject_identity": on_review(COORDINATOR, "Real name, NHS number, address. Logged."),
    "reviews:restricted_names": on_review(
        COORDINATOR, "Real names of the setting and alleged perpetrators behind their pseudonyms. Logged."
    ),
    "reviews:restricted_name_remove": on_review(
        COORDINATOR, "Removing a real name recorded behind a pseudonym.", post_only=True
    ),
    "reviews:leaks": on_review(
        DRAFTERS,
        "Identities found in outgoing texts, in context (masked for the chair), with the pseudonym to use. Logged.",
    ),
    "reviews:leak_override": on_review(
        ("chair",), "The chair lets one identity found go out as it is, with a reason (audited).", post_only=True
    ),
    "reviews:review_roles": on_review(ON_REVIEW, "Who holds which role; granting is the coordinator's."),
    "reviews:review_access_log": on_review(COORDINATOR, "Who has looked at the review."),
    "reviews:contributions": on_review(
        ON_REVIEW, "Progress of the contributions; an agency lead sees only their own agency's row."
    ),
    "reviews:contribution_invite": on_review(COORDINATOR, "Asking an agency for a contribution."),
    "reviews:agency_form_compare": on_review(
        COORDINATOR, "Every agency's submitted answers to one agency form, side by side. Logged."
    ),
    "reviews:chronology": on_review(
        CASE_READERS, "Merged chronology; an agency lead sees their own until it is released. Logged."
    ),
    "reviews:chronology_print": on_review(CASE_READERS, "Printable merged chronology. Logged."),
    "reviews:chronology_export": on_review(CASE_READERS, "CSV of the merged chronology. Logged."),
    "reviews:chronology_release": on_review(COORDINATOR, "Releasing the merged chronology.", post_only=True),
    "reviews:findings": on_review(CASE_READERS, "Findings and recommendations."),
    "reviews:findings_edit": on_review(DRAFTERS, "Writing the findings."),
    "reviews:findings_send": on_review(
        COORDINATOR, "Sending the findings to the chair for sign-off (the chair is told).", post_only=True
    ),
    "reviews:findings_sign_off": on_review(
        ("chair",), "The chair's sign-off: a page showing what will be signed, then the confirmed POST.", post_only=True
    ),
    "reviews:findings_reopen": on_review(("chair",), "The chair reopens signed findings.", post_only=True),
    "reviews:findings_version": on_review(CASE_READERS, "A signed version of the findings."),
    "reviews:recommendation_add": on_review(DRAFTERS, "Adding a recommendation."),
    "reviews:recommendation_edit": on_review(DRAFTERS, "Changing a recommendation."),
    "reviews:recommendation_delete": on_review(DRAFTERS, "Removing a recommendation.", post_only=True),
    "reviews:review_actions": on_review(
        ("coordinator", "agency_lead"), "The review's actions; an agency lead sees their own agency's."
    ),
    "reviews:action_add": on_review(COORDINATOR, "Adding an action to a recommendation."),
    # --- documents (who may read each is set on it: the world's police records are opened to the
    # chair and the police lead, the GP's records to the chair and the GP lead) ---
    "reviews:documents": on_review(ON_REVIEW, "The documents the user may read, and only those."),
    "reviews:document_upload": on_review(
        ("coordinator", "agency_lead"), "Uploading: the coordinator any kind, an agency lead their agency's records."
    ),
    "reviews:document": of_agency(
        ("coordinator", "chair", "agency_lead"),
        "A document, its versions and who may read it: 404 to anyone it is not opened to. Logged.",
    ),
    "reviews:document_version_add": of_agency(
        ("coordinator", "agency_lead"),
        "A new version: the coordinator, or the lead of the agency whose records it is.",
        denied=("chair",),
        post_only=True,
    ),
    "reviews:document_readers": of_agency(
        COORDINATOR,
        "Who may read the document: the coordinator sets it.",
        denied=("chair", "agency_lead"),
        post_only=True,
    ),
    "reviews:document_download": of_agency(
        ("coordinator", "chair", "agency_lead"), "A version as an attachment, to those who may read it. Logged."
    ),
    # --- the family's involvement ---
    "reviews:family": on_review(
        DRAFTERS, "The family's involvement: the coordinator records it, the chair reads it. Logged."
    ),
    "reviews:family_meeting_add": on_review(COORDINATOR, "Recording a meeting with the family."),
    # The overview report and its factual accuracy rounds.
    "reviews:overview_report": on_review(INVITED, "The overview report's versions and newest draft. Logged."),
    "reviews:overview_version": on_review(INVITED, "One version of the overview report. Logged."),
    "reviews:overview_document": on_review(
        INVITED, "One version as a standalone document (what publication prints). Logged."
    ),
    "reviews:overview_diff": on_review(INVITED, "Two versions compared, section by section. Logged."),
    "reviews:overview_version_new": on_review(DRAFTERS, "Starting a version of the report.", post_only=True),
    "reviews:overview_section_add": on_review(DRAFTERS, "Adding a section to the newest draft."),
    "reviews:overview_section_edit": on_review(DRAFTERS, "Changing a section of the newest draft."),
    "reviews:overview_section_move": on_review(DRAFTERS, "Moving a section up or down.", post_only=True),
    "reviews:overview_section_delete": on_review(DRAFTERS, "Removing a section from a draft.", post_only=True),
    "reviews:overview_finalise": on_review(DRAFTERS, "Marking the newest version final.", post_only=True),
    "reviews:accuracy_send": on_review(
        COORDINATOR, "Sending the newest draft to chosen agencies for factual accuracy."
    ),
    "reviews:accuracy_round": on_review(
        ("coordinator", "chair", "agency_lead"),
        "A round: the draft sent and the comments (an agency lead asked sees their own agency's only). Logged.",
    ),
    "reviews:accuracy_comment": on_review(
        LEAD, "An agency lead asked in the round comments on a section.", post_only=True
    ),
    "reviews:accuracy_answer": on_review(
        LEAD, "An agency lead confirms no factual inaccuracies, or sends the comments.", post_only=True
    ),
    "reviews:accuracy_responses": on_review(DRAFTERS, "The reviewer answers each comment. Logged."),
    # --- one agency's contribution ---
    "reviews:contribution": of_agency(
        ("coordinator", "agency_lead"), "The agency's chronology entries and report. Logged."
    ),
    "reviews:contribution_step": of_agency(
        ("coordinator", "agency_lead"),
        "Submit / accept / return / waive; submitting and accepting first show a confirmation page.",
        post_only=True,
    ),
    "reviews:contribution_due_date": of_agency(COORDINATOR, "Moving the due date.", denied=LEAD),
    "reviews:contribution_extension": of_agency(LEAD, "Asking for an extension.", denied=COORDINATOR),
    "reviews:contribution_decide_extension": of_agency(COORDINATOR, "Deciding an extension.", denied=LEAD),
    "reviews:entry_add": of_agency(LEAD, "Writing a chronology entry.", denied=COORDINATOR),
    "reviews:entry_edit": of_agency(LEAD, "Changing a chronology entry.", denied=COORDINATOR),
    "reviews:entry_delete": of_agency(LEAD, "Deleting a chronology entry.", denied=COORDINATOR),
    "reviews:chronology_import": of_agency(LEAD, "Importing entries from a file.", denied=COORDINATOR),
    "reviews:import_template_csv": of_agency(("coordinator", "agency_lead"), "Empty import template (no case data)."),
    "reviews:import_template_xlsx": of_agency(("coordinator", "agency_lead"), "Empty import template (no case data)."),
    "reviews:report_edit": of_agency(LEAD, "Writing the agency report. Logged.", denied=COORDINATOR),
    "reviews:agency_form_edit": of_agency(
        LEAD, "Answering an agency form asked of the contribution. Logged.", denied=COORDINATOR
    ),
    # --- one agency's action ---
    "reviews:action": of_agency(("coordinator", "agency_lead"), "One action and its progress."),
    "reviews:action_progress": of_agency(("coordinator", "agency_lead"), "Recording progress.", post_only=True),
    "reviews:action_step": of_agency(("coordinator", "agency_lead"), "Start / complete / verify.", post_only=True),
    "reviews:action_due_date": of_agency(
        ("coordinator",), "Moving an action's due date, with the reason.", denied=("agency_lead",)
    ),
    "reviews:action_evidence_upload": of_agency(
        ("coordinator", "agency_lead"),
        "Attaching evidence: the owning agency's lead (the service refuses the coordinator).",
        post_only=True,
    ),
    "reviews:action_evidence_download": of_agency(
        ("coordinator", "agency_lead"), "An evidence file, only through this checked view. Logged."
    ),
    # --- panel meetings ---
    "reviews:panel": of_meeting(INVITED, "The meeting: agenda, attendance, minutes."),
    "reviews:panel_invite": of_meeting(COORDINATOR, "Inviting.", denied=("chair", "panel_member"), post_only=True),
    "reviews:panel_agenda": of_meeting(
        COORDINATOR, "Setting the agenda.", denied=("chair", "panel_member"), post_only=True
    ),
    "reviews:panel_attendance": of_meeting(
        COORDINATOR, "Recording attendance.", denied=("chair", "panel_member"), post_only=True
    ),
    "reviews:panel_minutes": of_meeting(
        COORDINATOR, "Writing the minutes.", denied=("chair", "panel_member"), post_only=True
    ),
    "reviews:panel_decision": of_meeting(COORDINATOR, "Recording a decision.", denied=("chair", "panel_member")),
    "reviews:panel_papers": of_meeting(INVITED, "Merged chronology and agency reports for attendees. Logged."),
    # --- intake (docs/DOMAIN.md "Intake") ---
    "reviews:notify": public(
        "Tell us about a child's death: no sign-in; rate-limited, honeypot, size cap, CSRF; shows nothing back."
    ),
    "reviews:intake_queue": partnership_coordinators("The intake queues of the partnerships the user coordinates."),
    "reviews:intake_item": of_intake_item("One notification: the child's identity and its matches."),
    "reviews:intake_link": of_intake_item("Linking it to the first notification of the same death.", post_only=True),
    "reviews:intake_open": of_intake_item("Opening a child death review from it.", post_only=True),
    # --- notifications: one's own only ---
    "notifications:inbox": everyone("The user's own notifications."),
    "notifications:mark_read": Rule(
        {role: OK if role in ("agency_lead", "agency_lead_other") else HIDDEN for role in SIGNED_IN},
        "Only its recipient (here the police lead) marks a notification read; to anyone else it is not "
        "found and nothing changes.",
        post_only=True,
    ),
    "notifications:mark_all_read": everyone("The user's own notifications.", post_only=True),
    # --- personal access tokens for the API (api/pages.py): the user's own ---
    "tokens:list": everyone("The user's own API tokens; making one needs a session that passed two-factor sign-in."),
    "tokens:revoke": Rule(
        {role: OK if role in ("agency_lead", "agency_lead_other") else HIDDEN for role in SIGNED_IN},
        "Only its owner (here the police lead) revokes a token; to anyone else it is not found.",
        post_only=True,
    ),
    # --- the REST API's schema and docs (api/urls.py) ---
    "api:schema": public_api("The OpenAPI schema: describes the API, holds no data."),
    "api:docs": public_api("Swagger UI over the schema, from the app's own static files."),
    "notifications:preferences": everyone("The user's own digest choice.", post_only=True),
    # --- probes and metrics for the operator's monitoring (ops/, docs/OBSERVABILITY.md) ---
    "ops:healthz": public("Liveness probe: the process answers; it says so and nothing else."),
    "ops:readyz": public(
        "Readiness probe: database, broker, migrations, worker heartbeat, beat; 503 naming the failing part, "
        "never an error's text."
    ),
    "ops:metrics": Rule(
        dict.fromkeys(ROLES, HIDDEN),
        "Prometheus metrics: only with the bearer token METRICS_TOKEN (401 without it); with no token "
        "configured, as here, it does not exist for anyone. Counts only, no case data.",
    ),
}


# --- the REST API's resources (reviews/api/): each as the page it mirrors, 401 without a token ---
RULES.update(
    {
        "api_v1:reviews": api(RULES["reviews:dashboard"], "The reviews the user may see (as the dashboard)."),
        "api_v1:review": api(RULES["reviews:review"], "One review: stage, clocks, the user's steps. Logged."),
        "api_v1:review_transition": api(
            RULES["reviews:review_transition"], "Taking a step of the review (scope coordinate)."
        ),
        "api_v1:notifications": api(RULES["notifications:inbox"]),
        "api_v1:notification_read": api(RULES["notifications:mark_read"]),
        # Contributions, chronology entries and agency forms: as the contribution's pages.
        "api_v1:contributions": api(
            RULES["reviews:my_requests"],
            "The contributions the user may open: their agencies', and every one of the reviews they coordinate.",
        ),
        "api_v1:contribution": api(RULES["reviews:contribution"], "One contribution, its state and steps. Logged."),
        "api_v1:chronology_entries": api(
            RULES["reviews:contribution"],
            "The contribution's entries (logged); POST a batch, all or nothing: its lead's (scope contribute), "
            "403 to the coordinator, as the import page.",
        ),
        "api_v1:agency_forms": api(
            RULES["reviews:contribution"], "The agency forms asked, with definition and answers. Logged."
        ),
        "api_v1:agency_form_draft": api(
            replace(RULES["reviews:agency_form_edit"], post_only=True),
            "Saving an agency form's answers as a draft (scope contribute).",
        ),
        "api_v1:agency_form_submit": api(
            replace(RULES["reviews:agency_form_edit"], post_only=True),
            "Saving every answer and submitting the contribution, which freezes them (scope contribute).",
        ),
    }
)
# --- actions, the CDR intake, a partnership's figures (reviews/api/actions.py, intake.py,
# annual_report.py, oversight.py) ---
RULES.update(
    {
        "api_v1:actions": api(
            RULES["reviews:my_actions"],
            "The actions the user may open: their agency's (an agency lead), their reviews' (a coordinator).",
        ),
        "api_v1:action": api(RULES["reviews:action"], "One action: progress, evidence files, the user's steps."),
        "api_v1:action_progress": api(RULES["reviews:action_progress"], "A progress update (scope contribute)."),
        "api_v1:action_evidence": api(
            RULES["reviews:action_evidence_upload"],
            "An evidence file, multipart, checked by content and size (scope contribute; the service refuses the "
            "coordinator).",
        ),
        "api_v1:action_step": api(
            RULES["reviews:action_step"],
            "Start / complete (scope contribute); verify / return / close (scope coordinate).",
        ),
        # Anyone's token with the notify scope, as the page is anyone's: it shows nothing back.
        "api_v1:intake_notifications": replace(
            api(
                RULES["reviews:notify"],
                "Notify a child's death, as /notify/ (scope notify only); answers with the reference, nothing else.",
            ),
            post_only=True,
        ),
        "api_v1:annual_report": api(
            RULES["reviews:annual_report"], "The annual report's tables: exact inside, disclosed for the scrutineer."
        ),
        "api_v1:timeliness": api(
            RULES["reviews:oversight"],
            "Clocks by outcome and predicted breaches, as the oversight dashboard: exact inside, disclosed for the "
            "scrutineer.",
        ),
    }
)


def markdown() -> str:
    """docs/ACCESS.md: the matrix as a table, generated from RULES (``manage.py access_matrix``)."""
    lines = [
        "# Access matrix",
        "",
        "Generated from `reviews/access.py` by `python manage.py access_matrix > docs/ACCESS.md`;",
        "do not edit by hand (a test fails when the two differ).",
        "",
        "200: the page (for a POST-only endpoint: the request is taken up). 403: the user holds a role",
        "on the review but not one that opens this page. 404: the user must not learn the object",
        "exists. 302: a visitor who is not signed in is sent to sign in. 401: an API route (`api`,",
        "`api_v1`) requested without a token; API routes are requested with each role's personal",
        "access token (every scope) instead of a session. Every URL the project serves",
        "has a rule, and `tests/reviews/access/test_views_matrix.py`",
        "requests each one as each role and checks the outcome.",
        "",
        "Columns: " + "; ".join(f"**{i}** {label}" for i, label in enumerate(ROLES.values(), start=1)) + ".",
        "The agency lead (own) is tested on their own agency's objects, (other) on another agency's",
        "object of the same kind on the same review; where the page has no agency's object the two",
        "columns are the same.",
        "",
        "| URL name | Method | " + " | ".join(str(i) for i in range(1, len(ROLES) + 1)) + " | Note |",
        "|---|---|" + "---|" * len(ROLES) + "---|",
    ]
    for name in sorted(RULES):
        rule = RULES[name]
        cells = " | ".join(rule.outcome(role).value for role in ROLES)
        method = "POST" if rule.post_only else "GET"
        lines.append(f"| `{name}` | {method} | {cells} | {rule.note} |")
    return "\n".join(lines) + "\n"
