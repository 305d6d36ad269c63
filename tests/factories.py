"""Test data. Reviews are made through the services so every invariant (reference, clocks,
roles and their object permissions) holds exactly as in production."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from reviews.models import Agency, AgencyKind, Partnership, PartnershipMember, Review, ReviewKind, ReviewState
from reviews.services.review import review_advance, review_open
from reviews.services.roles import review_role_grant
from reviews.services.subjects import SubjectData

TEST_PASSWORD = "correct-horse-battery-staple"
CHILD_A = SubjectData(pseudonym="Child A", date_of_birth=date(2024, 1, 5))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(TEST_PASSWORD)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Testshire Safeguarding Partnership {n}")
    code = factory.Sequence(lambda n: "TS" + "".join(chr(65 + int(d)) for d in str(n)))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.OTHER

    @factory.post_generation
    def serves(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.partnerships.add(*extracted)


def member(
    user: Any, partnership: Partnership, standing: str = PartnershipMember.Standing.MEMBER, agency: Agency | None = None
) -> Any:
    """``user`` joins ``partnership``; working for ``agency`` makes them one it may name as its lead."""
    PartnershipMember.objects.update_or_create(
        user=user, partnership=partnership, defaults={"standing": standing, "agency": agency}
    )
    return user


def make_review(
    *,
    coordinator: Any,
    partnership: Partnership,
    kind: str = ReviewKind.RAPID,
    title: str = "Child A (aged 2)",
    key_dates: dict[str, date | None] | None = None,
    subject: SubjectData | None = CHILD_A,
    roles: list[tuple[Any, str, Agency | None]] = (),
) -> Review:
    review = review_open(
        actor=coordinator, partnership=partnership, kind=kind, title=title, key_dates=key_dates, subject=subject
    )
    for user, role, agency in roles:
        review_role_grant(actor=coordinator, review_id=review.pk, user=user, role=role, agency=agency)
    return review


# The way along the spine: the transition that leaves each state.
_NEXT_STEP: dict[str, tuple[str, str]] = {
    ReviewState.NOTIFICATION: ("start_scoping", ReviewState.SCOPING),
    ReviewState.SCOPING: ("request_submissions", ReviewState.AGENCY_SUBMISSIONS),
    ReviewState.AGENCY_SUBMISSIONS: ("convene_panel", ReviewState.PANEL),
    ReviewState.PANEL: ("draft_findings", ReviewState.FINDINGS),
    ReviewState.FINDINGS: ("start_action_tracking", ReviewState.ACTION_TRACKING),
    ReviewState.ACTION_TRACKING: ("close", ReviewState.CLOSED),
}


def advance_to(review: Review, state: str, actor: Any) -> Review:
    """Move ``review`` to ``state`` through the real services, step by step along the spine.

    ``withdrawn`` is reached by withdrawing from wherever the review stands. The review must have
    what each step needs (a subject, key dates, a chair), as the ``review`` fixture has.

    A review brought to findings has its findings written and signed off by its chair (see
    ``sign_off_findings``), so every step out of findings is possible, just as contributions are
    settled on the way to the panel; tests of drafting move a review to the panel and take
    ``draft_findings`` themselves. Action tracking → closed closes any action still outstanding
    as not implemented. A child death review's panel stage is its child death review meeting, recorded
    on arrival as a panel is held for the other kinds, and its CDOP review is recorded on arrival at
    findings with the analysis signed off (reviews/conditions/child_death.py).
    """
    current = Review.objects.get(pk=review.pk)
    if state == ReviewState.WITHDRAWN:
        review_advance(actor=actor, review_id=review.pk, transition="withdraw", reason="Partners agreed: no review.")
        return Review.objects.get(pk=review.pk)
    while current.state != state:
        if current.state not in _NEXT_STEP:
            raise ValueError(f"{current} is at {current.state} and cannot reach {state}")
        name, _ = _NEXT_STEP[current.state]
        if name == "convene_panel":
            settle_contributions(current, actor)
        if name == "start_action_tracking":
            sign_off_findings(current, actor)
        if name == "close":
            settle_actions(current, actor)
        # Closing asks for a reason (kept in the review's history).
        reason = "Every action settled." if name == "close" else ""
        review_advance(actor=actor, review_id=review.pk, transition=name, reason=reason)
        current = Review.objects.get(pk=review.pk)
        if current.state == ReviewState.PANEL:
            if current.kind == ReviewKind.CHILD_DEATH:
                hold_cdr_meeting(current, actor)
            else:
                hold_panel(current, actor)
        if current.state == ReviewState.FINDINGS:
            sign_off_findings(current, actor)
            if current.kind == ReviewKind.CHILD_DEATH:
                record_cdop_review(current, actor)
    return current


def hold_cdr_meeting(review: Review, coordinator: Any) -> None:
    """Record a child death review meeting held today, with two months' notice and the post-mortem
    report in hand, through the service (a CDR's panel stage; unless one is on record)."""
    from reviews.services.child_death import MeetingData, cdr_meeting_record

    if review.cdr_meeting_on is not None:
        return
    today = timezone.localdate()
    cdr_meeting_record(
        actor=coordinator,
        review_id=review.pk,
        data=MeetingData(
            held_on=today,
            notice_given_on=today - timedelta(days=62),
            post_mortem_received_on=today,
            notes="Agencies shared what they knew; the paediatrician summarised the post-mortem.",
        ),
    )


def record_cdop_review(review: Review, coordinator: Any) -> None:
    """Record the CDOP's independent review today, through the service (unless one is on record)."""
    from reviews.services.child_death import CdopReviewData, cdop_review_record

    if review.cdop_reviewed_on is not None:
        return
    cdop_review_record(
        actor=coordinator,
        review_id=review.pk,
        data=CdopReviewData(reviewed_on=timezone.localdate(), notes="Reviewed on anonymised papers."),
    )


# Who the default quorum needs besides the chair: the police, health and the local authority.
_QUORUM_AGENCIES = (
    ("Police", AgencyKind.POLICE),
    ("Community health", AgencyKind.COMMUNITY_HEALTH),
    ("Children's social care", AgencyKind.CHILDRENS_SOCIAL_CARE),
)


def hold_panel(review: Review, coordinator: Any) -> None:
    """Hold a quorate panel meeting today with ``review`` on its agenda and minutes recorded, through
    the services, so the review may move on to findings (unless one such meeting is on record)."""
    from reviews.conditions.panels import panel_meeting_held
    from reviews.models import ReviewRole, Role
    from reviews.services.panels import (
        panel_attendance_record,
        panel_meeting_create,
        panel_minutes_save,
    )

    if panel_meeting_held.explain(review) is None:
        return
    chair = ReviewRole.objects.filter(review=review, role=Role.CHAIR).select_related("user").first()
    if chair is None:
        raise ValueError(f"{review} has no chair to hold its panel")
    members = []
    for name, kind in _QUORUM_AGENCIES:
        agency = review.partnership.agencies.filter(kind=kind).first() or AgencyFactory(
            name=f"{name} of {review.partnership.code}", kind=kind, serves=[review.partnership]
        )
        members.append((member(UserFactory(), review.partnership, agency=agency), agency))
    meeting = panel_meeting_create(
        actor=coordinator,
        partnership=review.partnership,
        held_on=timezone.localdate(),
        chair=chair.user,
        members=members,
        review_ids=[review.pk],
    )
    panel_attendance_record(
        actor=coordinator, meeting_id=meeting.pk, attended={i.pk: True for i in meeting.invitations.all()}
    )
    panel_minutes_save(actor=coordinator, meeting_id=meeting.pk, minutes=f"{review} considered.")


def read_hash(review_id: int) -> str:
    """The hash of the review's findings as they stand: what the chair's sign-off page carries."""
    from reviews.models import Findings
    from reviews.selectors.findings import content_hash, signed_content

    findings = Findings.objects.select_related("review").get(review_id=review_id)
    return content_hash(signed_content(findings))


def sign_off_findings(review: Review, coordinator: Any) -> None:
    """Write whatever the findings lack and have the review's chair sign them off (if not already)."""
    from reviews.models import Findings, ReviewRole, Role
    from reviews.services.findings import FindingsData, findings_save, findings_sign_off

    findings = Findings.objects.filter(review=review).first()
    if findings is not None and findings.is_signed_off:
        return
    if findings is None or not (findings.findings and findings.learning):
        findings_save(
            actor=coordinator,
            review_id=review.pk,
            data=FindingsData(
                findings="Agencies did not share what they knew.",
                learning="Share information at the first concern.",
                category_of_death=5,
                category_rationale="Acute asthma: no earlier category applies.",
                modifiable_factors="no",
                factors_child_relevance=1,
                factors_family_relevance=1,
                factors_physical_relevance=0,
                factors_services_relevance=2,
            ),
        )
    chair = ReviewRole.objects.filter(review=review, role=Role.CHAIR).select_related("user").first()
    if chair is None:
        raise ValueError(f"{review} has no chair to sign off its findings")
    findings_sign_off(actor=chair.user, review_id=review.pk, read_hash=read_hash(review.pk))


def settle_actions(review: Review, coordinator: Any) -> None:
    """Close every action still outstanding as not implemented (the close waits for all of them)."""
    from reviews.models import Action, ActionState
    from reviews.services.actions import action_advance

    for action in Action.objects.filter(review=review).exclude(
        state__in=[ActionState.VERIFIED, ActionState.CLOSED_NOT_IMPLEMENTED]
    ):
        action_advance(
            actor=coordinator,
            action_id=action.pk,
            transition="close_not_implemented",
            reason="Not needed in tests",
        )


def settle_contributions(review: Review, coordinator: Any) -> None:
    """The panel waits for every agency: waive what is outstanding (asking one agency if none was)."""
    from reviews.models import AgencyContribution, ContributionState, ReviewRole, Role
    from reviews.services.contributions import contribution_advance, contribution_request

    if not review.contributions.exists():
        lead_role = (
            ReviewRole.objects.filter(review=review, role=Role.AGENCY_LEAD).select_related("user", "agency").first()
        )
        if lead_role is None:
            agency = AgencyFactory(name=f"Agency for {review.reference}", serves=[review.partnership])
            lead = member(UserFactory(), review.partnership, agency=agency)
        else:
            agency, lead = lead_role.agency, lead_role.user
        contribution_request(actor=coordinator, review_id=review.pk, agency=agency, lead=lead, asks=["chronology"])
    for contribution in review.contributions.exclude(
        state__in=[ContributionState.ACCEPTED, ContributionState.NIL_RETURN, ContributionState.WAIVED]
    ):
        if contribution.state == ContributionState.SUBMITTED:
            contribution_advance(actor=coordinator, contribution_id=contribution.pk, transition="accept")
        else:
            contribution_advance(
                actor=coordinator, contribution_id=contribution.pk, transition="waive", reason="Not needed in tests"
            )
    assert (
        not AgencyContribution.objects.filter(review=review)
        .exclude(state__in=[ContributionState.ACCEPTED, ContributionState.NIL_RETURN, ContributionState.WAIVED])
        .exists()
    )
