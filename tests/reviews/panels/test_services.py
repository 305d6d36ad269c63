"""Panel meetings: the quorum checked before any decision, and a rapid review's decision acting on
the review (a local CSPR converts it, no local review ends it, a national referral is recorded)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviews.models import (
    DecisionOutcome,
    PanelDecision,
    PanelInvitation,
    QuorumGroup,
    QuorumRule,
    Review,
    ReviewKind,
    ReviewState,
)
from reviews.selectors.panels import quorum_missing
from reviews.services.panels import (
    panel_agenda_add,
    panel_attendance_record,
    panel_decision_record,
    panel_invite,
    panel_meeting_create,
)
from reviews.services.review import review_record_key_dates
from tests.factories import advance_to, make_review
from workflows.models import AuditEvent
from workflows.runner import TransitionRefused

MEETING_DAY = date(2026, 3, 16)


@pytest.fixture
def meeting(review, partnership, coordinator, chair, police_lead, police, gp_lead, gp, csc, panel_member):
    """A past meeting with the fixture rapid review (at scoping) on its agenda; nobody marked present."""
    advance_to(review, ReviewState.SCOPING, coordinator)
    return panel_meeting_create(
        actor=coordinator,
        partnership=partnership,
        held_on=MEETING_DAY,
        chair=chair,
        title="Rapid review panel",
        members=[(police_lead, police), (gp_lead, gp), (panel_member, csc)],
        review_ids=[review.pk],
    )


def mark_present(meeting, coordinator, *users) -> None:
    ids = {i.user_id: i.pk for i in meeting.invitations.all()}
    panel_attendance_record(actor=coordinator, meeting_id=meeting.pk, attended={ids[u.pk]: True for u in users})


def decide(meeting, review, coordinator, outcome=DecisionOutcome.LOCAL_CSPR, **extra) -> PanelDecision:
    return panel_decision_record(
        actor=coordinator,
        meeting_id=meeting.pk,
        review_id=review.pk,
        outcome=outcome,
        rationale=extra.pop("rationale", "The criteria for a local review are met."),
        **extra,
    )


def test_a_meeting_has_its_chair_invited_members_and_agenda(meeting, chair, review):
    invited = {(i.user.username, str(i.agency or "")) for i in meeting.invitations.select_related("user", "agency")}
    assert invited == {
        ("chair", ""),
        ("police.lead", "Police"),
        ("gp.lead", "GP"),
        ("panel", "Children's social care"),
    }
    assert [item.review for item in meeting.agenda.all()] == [review]
    assert AuditEvent.objects.filter(verb="panel.scheduled").exists()


def test_only_a_coordinator_of_the_partnership_schedules(partnership, chair, police_lead):
    with pytest.raises(PermissionDenied):
        panel_meeting_create(actor=police_lead, partnership=partnership, held_on=MEETING_DAY, chair=chair)


def test_invitees_and_agenda_reviews_belong_to_the_partnership(meeting, coordinator, outsider, other_partnership):
    with pytest.raises(ValidationError, match="is not a member"):
        panel_invite(actor=coordinator, meeting_id=meeting.pk, user=outsider)
    elsewhere = make_review(coordinator=outsider, partnership=other_partnership)
    with pytest.raises(ValidationError, match="is not a review of"):
        panel_agenda_add(actor=coordinator, meeting_id=meeting.pk, review_id=elsewhere.pk)


# --- quorum ---------------------------------------------------------------------------------------


def test_a_decision_without_quorum_is_refused_naming_what_is_missing(meeting, review, coordinator, police_lead):
    mark_present(meeting, coordinator, police_lead)
    before = (Review.objects.get(pk=review.pk).state, Review.objects.count(), PanelDecision.objects.count())

    with pytest.raises(TransitionRefused) as refused:
        decide(meeting, review, coordinator)

    assert str(refused.value) == "No decision can be recorded: the meeting was not quorate."
    assert refused.value.reasons == [
        "The meeting was not quorate: the chair, health (any health agency) and the local authority "
        "(children's social care) were not recorded as present. Record attendance first."
    ]
    assert (Review.objects.get(pk=review.pk).state, Review.objects.count(), PanelDecision.objects.count()) == before


def test_the_default_quorum_is_the_chair_police_health_and_the_local_authority(
    meeting, coordinator, chair, police_lead, gp_lead, panel_member
):
    assert quorum_missing(meeting) == [
        "the chair",
        QuorumGroup.POLICE.label,
        QuorumGroup.HEALTH.label,
        QuorumGroup.LOCAL_AUTHORITY.label,
    ]
    mark_present(meeting, coordinator, chair, police_lead, gp_lead, panel_member)
    assert quorum_missing(meeting) == []
    # Absent again: recorded as not present.
    gp = PanelInvitation.objects.get(meeting=meeting, user=gp_lead)
    panel_attendance_record(actor=coordinator, meeting_id=meeting.pk, attended={gp.pk: False})
    assert quorum_missing(meeting) == [QuorumGroup.HEALTH.label]


def test_a_partnership_sets_its_own_quorum(meeting, partnership, coordinator, chair):
    QuorumRule.objects.create(partnership=partnership, chair_required=True, required_groups=[])
    mark_present(meeting, coordinator, chair)
    assert quorum_missing(meeting) == []


def test_attendance_is_not_recorded_before_the_meeting(partnership, coordinator, chair):
    future = panel_meeting_create(
        actor=coordinator, partnership=partnership, held_on=timezone.localdate() + timedelta(days=7), chair=chair
    )
    with pytest.raises(ValidationError, match="record attendance once it is held"):
        mark_present(future, coordinator, chair)


# --- a rapid review's decision --------------------------------------------------------------------


@pytest.fixture
def quorate(meeting, coordinator, chair, police_lead, gp_lead, panel_member):
    mark_present(meeting, coordinator, chair, police_lead, gp_lead, panel_member)
    return meeting


def test_a_local_cspr_decision_converts_the_rapid_review(quorate, review, coordinator):
    assert Review.objects.get(pk=review.pk).decision_on is None

    decision = decide(quorate, review, coordinator)

    rapid = Review.objects.get(pk=review.pk)
    cspr = Review.objects.get(converted_from=rapid)
    assert rapid.state == ReviewState.CLOSED
    assert rapid.decision_on == MEETING_DAY  # taken from the meeting, as none was recorded
    assert (cspr.kind, cspr.state) == (ReviewKind.CSPR, ReviewState.SCOPING)
    assert decision.resulting_review == cspr
    assert (decision.outcome, decision.rationale) == ("local_cspr", "The criteria for a local review are met.")
    assert AuditEvent.objects.filter(verb="panel.decision_recorded", detail__resulting_review=cspr.reference)


def test_a_recorded_decision_date_is_kept(quorate, review, coordinator):
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": date(2026, 3, 13)})
    decide(quorate, review, coordinator)
    assert Review.objects.get(pk=review.pk).decision_on == date(2026, 3, 13)


def test_no_local_review_ends_the_rapid_review_with_the_rationale(quorate, review, coordinator):
    with pytest.raises(ValidationError) as error:
        decide(quorate, review, coordinator, outcome=DecisionOutcome.NO_LOCAL_REVIEW)
    assert error.value.message_dict == {"other_action": ["Say what other action was agreed instead of a local review."]}

    decide(
        quorate,
        review,
        coordinator,
        outcome=DecisionOutcome.NO_LOCAL_REVIEW,
        rationale="Learning already known.",
        other_action="Single-agency review by the health visiting service.",
    )
    rapid = Review.objects.get(pk=review.pk)
    assert rapid.state == ReviewState.WITHDRAWN
    assert "Learning already known." in rapid.withdrawal_rationale
    assert "Other action: Single-agency review by the health visiting service." in rapid.withdrawal_rationale
    assert not Review.objects.filter(converted_from=rapid).exists()


def test_a_national_referral_is_recorded_and_the_review_stays(quorate, review, coordinator):
    decide(
        quorate,
        review,
        coordinator,
        outcome=DecisionOutcome.NATIONAL_REVIEW,
        rationale="Issues of national importance.",
    )
    assert Review.objects.get(pk=review.pk).state == ReviewState.SCOPING
    assert PanelDecision.objects.get().get_outcome_display() == "Refer to the national Panel for a national review"


def test_a_decision_needs_a_rationale_and_a_rapid_review_outcome(quorate, review, coordinator):
    with pytest.raises(ValidationError) as error:
        decide(quorate, review, coordinator, outcome=DecisionOutcome.RECORDED, rationale=" ")
    assert set(error.value.message_dict) == {"outcome", "rationale"}
    assert not PanelDecision.objects.exists()


def test_one_decision_per_review_per_meeting(quorate, review, coordinator):
    decide(quorate, review, coordinator, outcome=DecisionOutcome.NATIONAL_REVIEW)
    with pytest.raises(TransitionRefused, match="already recorded"):
        decide(quorate, review, coordinator, outcome=DecisionOutcome.NATIONAL_REVIEW)


def test_only_agenda_reviews_are_decided(quorate, coordinator, partnership):
    other = make_review(coordinator=coordinator, partnership=partnership, title="Child Q")
    with pytest.raises(TransitionRefused, match="is not on the agenda"):
        decide(quorate, other, coordinator)


def test_only_the_review_s_coordinator_records_a_decision(quorate, review, chair):
    with pytest.raises(PermissionDenied):
        decide(quorate, review, chair)


def test_a_failed_conversion_records_no_decision(quorate, review, coordinator):
    Review.objects.filter(pk=review.pk).update(state=ReviewState.NOTIFICATION)
    with pytest.raises(TransitionRefused):
        decide(quorate, review, coordinator)
    assert not PanelDecision.objects.exists()
    assert Review.objects.get(pk=review.pk).decision_on is None


def test_recording_attendance_does_not_query_per_person(meeting, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(attended: dict[int, bool]) -> int:
        with CaptureQueriesContext(connection) as captured:
            panel_attendance_record(actor=coordinator, meeting_id=meeting.pk, attended=attended)
        return len(captured.captured_queries)

    ids = list(meeting.invitations.order_by("id").values_list("pk", flat=True))
    assert len(ids) == 4
    one = queries({ids[0]: True})
    # The three others marked: one UPDATE each (two more than for one person), no read of who they are.
    others = queries(dict.fromkeys(ids[1:], True))
    assert others == one + 2
