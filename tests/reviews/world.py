"""The fixture world of the access tests: one review with every kind of object that has a URL.

The rapid review of the ``review`` fixture, taken through the real services to action tracking:
police and GP contributions with chronology entries (the GP's with an agency report, both with an
extension request and the rapid review agency summary answered), submitted and accepted; a panel
meeting with the review on its agenda (the chair and the panel member invited, the agency leads
not); findings signed off in version 1
with a police and a GP recommendation, each with an action; a second subject with a restricted
identity, and the real name of a setting behind its pseudonym; and the deadline notifications
the contribution requests wrote. The ``world`` fixture (tests/reviews/conftest.py) builds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from api.models import Scope
from api.services import token_create
from notifications.models import Notification
from reviews.models import DocumentKind, PartnershipMember, Review, ReviewState, Subject
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import AgencyContribution, Ask, DueDateChange
from reviews.services.actions import action_evidence_attach
from reviews.services.agencyforms import agency_forms_load_defaults
from reviews.services.chronology import report_save_draft
from reviews.services.contributions import contribution_request, contribution_request_extension
from reviews.services.documents import DocumentData, document_upload
from reviews.services.panels import panel_meeting_create
from reviews.services.review import review_advance
from reviews.services.subjects import SubjectData, restricted_name_add, subject_add
from tests.factories import UserFactory, advance_to, member, read_hash
from tests.ops.alive import service_running
from tests.reviews.builders import (
    add_action,
    add_entry,
    add_recommendation,
    answer_form,
    notify_death,
    submit,
    write_findings,
)

# The restricted identity: must appear on the coordinator's identity page and nowhere else.
FULL_NAME = "Jolene Quarrington-Fairweather"
NHS_NUMBER = "4010232137"
ADDRESS_LINE = "14 Larkspur Close"
ADDRESS = f"{ADDRESS_LINE}\nNorthbridge NB3 7QT"
# The real name of a setting behind its pseudonym (reviews.models.RestrictedName).
SETTING_NAME = "Brambledown Tots Day Nursery"
# How each could be written on a page: the NHS number also in its spaced form.
IDENTITY_STRINGS = (FULL_NAME, NHS_NUMBER, "401 023 2137", ADDRESS_LINE, "NB3 7QT", SETTING_NAME)
# The child of the notification in the intake queue: shown on that notification's page, to the
# partnership's coordinators, and nowhere else.
INTAKE_CHILD = {
    "child_name": "Tobias Wrenfield-Achterberg",
    "nhs_number": "4505577104",
    "address": "27 Quillon Mews",
    "postcode": "NB6 2RW",
}
INTAKE_STRINGS = (INTAKE_CHILD["child_name"], "4505577104", "450 557 7104", INTAKE_CHILD["address"], "NB6 2RW")

# The agency form both agencies answered (tests/reviews/agencyforms).
FORM_KEY = "rapid_review_summary"

REPORT = {
    "records_secured_on": date(2026, 3, 10),
    "terms_of_reference": "Answered in full.",
    "context": "Two health visitors on long-term leave.",
    "methodology": "GP records read; two GPs interviewed.",
    "analysis": "The bruise was not seen as a safeguarding concern.",
    "good_practice": "Prompt appointment offered.",
    "lessons": "Bruising in a non-mobile baby must be referred.",
    "recommendations": "Train reception staff.",
    "author_role": "Named GP for safeguarding",
}


@dataclass
class World:
    review: Review
    identity_subject: Subject
    users: dict[str, Any]
    own: dict[str, Any]  # URL parameters naming the police (the agency lead's own agency) objects
    other: dict[str, Any] = field(default_factory=dict)  # the same parameters naming the GP's
    # A child death review with the same roles, for the pages only a CDR has (reviews/views/child_death.py).
    cdr: Review | None = None
    # A CSPR with the same roles, for the pages only a published kind has (reviews/views/publication.py).
    cspr: Review | None = None
    # Each signed-in role's personal access token (every scope), for the API routes.
    tokens: dict[str, str] = field(default_factory=dict)

    def params(self, role: str) -> dict[str, Any]:
        return self.other if role == "agency_lead_other" else self.own


def build_world(
    *, review, partnership, coordinator, chair, panel_member, police_lead, gp_lead, scrutineer, outsider, police, gp
) -> World:
    identity_subject = subject_add(
        actor=coordinator,
        review_id=review.pk,
        data=SubjectData(
            pseudonym="Mother M",
            date_of_birth=date(1998, 6, 1),
            full_name=FULL_NAME,
            nhs_number=NHS_NUMBER,
            address=ADDRESS,
        ),
    )
    setting = restricted_name_add(
        actor=coordinator, review_id=review.pk, pseudonym="Nursery Z", real_name=SETTING_NAME, what="setting"
    )
    advance_to(review, ReviewState.SCOPING, coordinator)
    agency_forms_load_defaults()
    contributions: dict[str, AgencyContribution] = {}
    entries: dict[str, ChronologyEntry] = {}
    changes: dict[str, DueDateChange] = {}
    for key, agency, lead in (("police", police, police_lead), ("gp", gp, gp_lead)):
        contribution = contribution_request(
            actor=coordinator,
            review_id=review.pk,
            agency=agency,
            lead=lead,
            asks=[Ask.CHRONOLOGY, Ask.AGENCY_REPORT],
            forms=[FORM_KEY],
        )
        entries[key] = add_entry(contribution, lead, source_record=f"{key} record 1")
        answer_form(contribution, lead, FORM_KEY)
        report_save_draft(actor=lead, contribution_id=contribution.pk, sections=REPORT)
        changes[key] = contribution_request_extension(
            actor=lead,
            contribution_id=contribution.pk,
            proposed_due_date=AgencyContribution.objects.get(pk=contribution.pk).due_date + timedelta(days=10),
            reason="Locum cover",
        )
        submit(contribution, lead)
        contributions[key] = contribution
    advance_to(review, ReviewState.PANEL, coordinator)  # accepts both submissions
    meeting = panel_meeting_create(
        actor=coordinator,
        partnership=partnership,
        held_on=date(2026, 4, 14),
        chair=chair,
        members=[(panel_member, None)],
        review_ids=[review.pk],
    )
    review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    write_findings(review, coordinator)
    recommendations = {
        "police": add_recommendation(review, coordinator, police),
        "gp": add_recommendation(review, coordinator, gp, what="Audit GP safeguarding referrals."),
    }
    from reviews.services.findings import findings_sign_off

    findings_sign_off(actor=chair, review_id=review.pk, read_hash=read_hash(review.pk))
    actions = {key: add_action(rec, coordinator) for key, rec in recommendations.items()}
    evidence = {
        key: action_evidence_attach(
            actor=lead,
            action_id=actions[key].pk,
            upload=SimpleUploadedFile(f"{key}-training.txt", b"Attendance: 42 of 44.", content_type="text/plain"),
        )
        for key, lead in (("police", police_lead), ("gp", gp_lead))
    }
    review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")
    # Each agency's records, uploaded by its lead: readable by the coordinator, the chair and that
    # agency's lead only (reviews/services/documents.py), so the police lead is a stranger to the GP's.
    documents = {
        key: document_upload(
            actor=lead,
            review_id=review.pk,
            data=DocumentData(kind=DocumentKind.AGENCY_RECORDS, title=f"{key} records", agency=agency),
            upload=SimpleUploadedFile(
                f"{key}-records.pdf", b"%PDF-1.4\n" + key.encode(), content_type="application/pdf"
            ),
        )
        for key, lead, agency in (("police", police_lead, police), ("gp", gp_lead, gp))
    }
    # The overview report, version 1 (a text section and the linked findings), out for factual
    # accuracy with both agencies.
    from reviews.services.accuracy import accuracy_round_send
    from reviews.services.report import SectionData, report_section_save, report_version_new

    report_version_new(actor=chair, review_id=review.pk)
    report_section = report_section_save(
        actor=chair, review_id=review.pk, number=1, data=SectionData(heading="Introduction", body="Why we reviewed.")
    )
    report_section_save(
        actor=chair, review_id=review.pk, number=1, data=SectionData(heading="Findings", kind="findings")
    )
    accuracy_round = accuracy_round_send(
        actor=coordinator,
        review_id=review.pk,
        lead_role_ids=list(
            review.roles.filter(role="agency_lead", user__in=[police_lead, gp_lead]).values_list("pk", flat=True)
        ),
        due_date=timezone.localdate() + timedelta(days=14),
    )

    # A theme of the partnership's own list (its theme page follows it across the reviews).
    from reviews.models import Theme

    theme = Theme.objects.create(partnership=partnership, name="Neglect", position=0)
    # An endpoint of the partnership's, subscribed to every event (its pages: the administrator's).
    from notifications.webhooks_models import WebhookEvent, WebhookSubscription

    subscription = WebhookSubscription.objects.create(
        partnership_key=str(partnership.pk),
        partnership_code=partnership.code,
        name="Police case system",
        url="https://police.example/hooks",
        events=list(WebhookEvent.values),
        secret="world-secret",
    )

    users = {
        "coordinator": coordinator,
        "chair": chair,
        "panel_member": panel_member,
        "agency_lead": police_lead,
        "agency_lead_other": police_lead,
        "scrutineer": scrutineer,
        "partnership_admin": member(
            UserFactory(username="partnership.admin"), partnership, PartnershipMember.Standing.ADMINISTRATOR
        ),
        "business_manager": member(
            UserFactory(username="business.manager"), partnership, PartnershipMember.Standing.BUSINESS_MANAGER
        ),
        "partnership_scrutineer": member(
            UserFactory(username="board.scrutineer"), partnership, PartnershipMember.Standing.SCRUTINEER
        ),
        "partnership_member": member(UserFactory(username="no.role"), partnership),
        "outsider": outsider,
    }
    # A notification of a child's death in the partnership's intake queue (another child's).
    intake_item = notify_death(partnership, **INTAKE_CHILD)
    users["anonymous"] = None  # not signed in
    # A personal access token per role, with every scope: the API is walked with these.
    tokens = {
        role: token_create(
            actor=user, name=f"{role} matrix", scopes=Scope.values, expires_at=timezone.now() + timedelta(days=30)
        )
        for role, user in users.items()
        if user is not None and role != "agency_lead_other"
    }
    spare_token, _ = token_create(
        actor=police_lead, name="to revoke", scopes=[Scope.READ], expires_at=timezone.now() + timedelta(days=30)
    )
    notification = Notification.objects.filter(recipient=police_lead, channel="in_app").order_by("id").first()
    assert notification is not None, "the contribution request should have notified the police lead"

    def params(key: str) -> dict[str, Any]:
        return {
            "reference": review.reference,
            "subject_id": identity_subject.pk,
            "name_id": setting.pk,
            "contribution_id": contributions[key].pk,
            "entry_id": entries[key].pk,
            "change_id": changes[key].pk,
            "recommendation_id": recommendations[key].pk,
            "action_id": actions[key].pk,
            "file_id": evidence[key].pk,
            "document_id": documents[key].pk,
            "meeting_id": meeting.pk,
            "version": 1,
            "notification_id": notification.pk,
            # A notice the rapid review owes and has not recorded: the form, the coordinator's.
            "kind": "panel_reply",
            "form_key": FORM_KEY,
            # A step of the child death review's joint agency response (its death is unexpected).
            "item": "home_visit",
            "intake_reference": intake_item.reference,
            "section_id": report_section.pk,
            "round_id": accuracy_round.pk,
            # A partnership's figures: the annual report for the financial year April 2026 to March 2027.
            "code": partnership.code,
            "year": 2026,
            "theme_id": theme.pk,
            "subscription_id": subscription.pk,
            "file_format": "csv",
            # A token of the police lead's, another than the one the API is walked with (revoking is
            # the owner's alone, and the walk revokes it).
            "token_id": spare_token.pk,
        }

    # A worker and beat seen just now, as in a running service: /readyz answers 200 (tests/ops
    # proves its 503s).
    service_running()

    return World(
        cdr=_child_death_review(
            partnership, coordinator, chair, panel_member, police_lead, gp_lead, scrutineer, police, gp
        ),
        cspr=_practice_review(
            partnership, coordinator, chair, panel_member, police_lead, gp_lead, scrutineer, police, gp
        ),
        review=Review.objects.get(pk=review.pk),
        identity_subject=identity_subject,
        users=users,
        own=params("police"),
        other=params("gp"),
        tokens={role: secret for role, (_, secret) in tokens.items()} | {"agency_lead_other": tokens["agency_lead"][1]},
    )


def _practice_review(partnership, coordinator, chair, panel_member, police_lead, gp_lead, scrutineer, police, gp):
    """A CSPR at notification with every role the rapid review has: nothing published yet."""
    from reviews.models import ReviewKind, Role
    from tests.factories import make_review

    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CSPR,
        title="Child F (aged 6)",
        key_dates={"became_aware_on": date(2026, 3, 2), "decision_on": date(2026, 3, 20)},
        roles=[
            (chair, Role.CHAIR, None),
            (panel_member, Role.PANEL_MEMBER, None),
            (police_lead, Role.AGENCY_LEAD, police),
            (gp_lead, Role.AGENCY_LEAD, gp),
            (scrutineer, Role.SCRUTINEER, None),
        ],
    )


def _child_death_review(partnership, coordinator, chair, panel_member, police_lead, gp_lead, scrutineer, police, gp):
    """A CDR with every role the rapid review has, its unexpected death recorded, and the same restricted
    identity for its subject: the CDOP's page must never show it."""
    from reviews.models import ReviewKind, Role
    from reviews.services.child_death import DatasetData, child_death_dataset_record
    from tests.factories import make_review

    cdr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        title="Child E (aged 3 months)",
        key_dates={"incident_on": date(2026, 3, 6), "became_aware_on": date(2026, 3, 6)},
        subject=SubjectData(
            pseudonym="Child E",
            date_of_birth=date(2025, 12, 1),
            full_name=FULL_NAME,
            nhs_number=NHS_NUMBER,
            address=ADDRESS,
        ),
        roles=[
            (chair, Role.CHAIR, None),
            (panel_member, Role.PANEL_MEMBER, None),
            (police_lead, Role.AGENCY_LEAD, police),
            (gp_lead, Role.AGENCY_LEAD, gp),
            (scrutineer, Role.SCRUTINEER, None),
        ],
    )
    child_death_dataset_record(
        actor=coordinator,
        review_id=cdr.pk,
        data=DatasetData(
            died_on=date(2026, 3, 6),
            became_aware_on=date(2026, 3, 6),
            became_aware_at=None,
            unexpected=True,
            place_of_death="home",
            ethnicity="not_known",
            looked_after=False,
            disability="not_known",
            home_local_authority="Northbridge City Council",
            notifier_name="Dr N. Example",
            notifier_role="Emergency department consultant",
        ),
    )
    return cdr


# The step named in a step URL: one the URL's own checks accept, so only permission decides.
STEP_NAMES = {
    "reviews:review_transition": "close",
    "reviews:contribution_step": "submit",
    "reviews:action_step": "start",
    "api_v1:review_transition": "close",
    "api_v1:action_step": "start",
}
SKIPPED_NAMESPACES = ("admin",)


def served_urls() -> list[tuple[str, tuple[str, ...]]]:
    """Every named URL the project serves (the admin and static files apart), with the names of
    the parameters it takes, found by walking the resolver."""
    found: list[tuple[str, tuple[str, ...]]] = []

    def walk(patterns: list[Any], namespace: str, params: tuple[str, ...]) -> None:
        for pattern in patterns:
            converters = tuple(getattr(pattern.pattern, "converters", {}) or ())
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES or pattern.app_name in SKIPPED_NAMESPACES:
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, params + converters)
            elif isinstance(pattern, URLPattern):
                if pattern.name is None or str(pattern.pattern).startswith("static/"):
                    continue
                found.append((f"{namespace}{pattern.name}", params + converters))

    walk(get_resolver().url_patterns, "", ())
    return found


def url_kwargs(world: World, role: str, name: str, params: tuple[str, ...]) -> dict[str, Any]:
    values = world.params(role)
    if name.startswith("reviews:child_death") and world.cdr is not None:
        values = {**values, "reference": world.cdr.reference}
    if (name.startswith("reviews:publication") or name == "reviews:learning_briefing") and world.cspr is not None:
        values = {**values, "reference": world.cspr.reference}
    return {p: (STEP_NAMES[name] if p == "name" else values[p]) for p in params}
