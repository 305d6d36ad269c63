"""Panel → findings waits for the panel (issue 12: reviews reached findings with no meeting held):
a meeting held, quorate, with the review on its agenda and a decision on it or minutes recorded.
The refusal names what is missing, and the condition costs the same queries for 1 or 5 meetings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.conditions.panels import panel_meeting_held
from reviews.models import DecisionOutcome, Review, ReviewState
from reviews.services.panels import (
    panel_attendance_record,
    panel_decision_record,
    panel_meeting_create,
    panel_minutes_save,
)
from reviews.services.review import review_advance
from tests.factories import advance_to, settle_contributions
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused


@pytest.fixture
def at_panel(review, coordinator) -> Review:
    """The fixture review convened to the panel, with no meeting held (advance_to would hold one)."""
    advance_to(review, ReviewState.AGENCY_SUBMISSIONS, coordinator)
    settle_contributions(review, coordinator)
    return review_advance(actor=coordinator, review_id=review.pk, transition="convene_panel")


@pytest.fixture
def members(police_lead, police, gp_lead, gp, panel_member, csc):
    return [(police_lead, police), (gp_lead, gp), (panel_member, csc)]


def meeting_for(review, coordinator, chair, members, *, days_ago=1):
    return panel_meeting_create(
        actor=coordinator,
        partnership=review.partnership,
        held_on=timezone.localdate() - timedelta(days=days_ago),
        chair=chair,
        members=members,
        review_ids=[review.pk],
    )


def attend(meeting, coordinator, *users) -> None:
    ids = {i.user_id: i.pk for i in meeting.invitations.all()}
    panel_attendance_record(actor=coordinator, meeting_id=meeting.pk, attended={ids[u.pk]: True for u in users})


def refused_reasons(review, coordinator) -> list[str]:
    steps = TransitionLog.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    assert Review.objects.get(pk=review.pk).state == ReviewState.PANEL
    assert TransitionLog.objects.count() == steps
    return refused.value.reasons


def test_no_meeting_with_the_review_on_its_agenda(at_panel, coordinator):
    assert refused_reasons(at_panel, coordinator) == [
        f"{at_panel} has not been on the agenda of a panel meeting: add it to a meeting's agenda, hold the "
        "meeting with a quorum, and record the panel's decision or the minutes."
    ]


def test_a_meeting_not_held_yet(at_panel, coordinator, chair, members):
    meeting = meeting_for(at_panel, coordinator, chair, members, days_ago=-7)
    assert refused_reasons(at_panel, coordinator) == [
        f"The panel meeting of {meeting.held_on:%-d %B %Y}, with {at_panel} on its agenda, has not been held yet."
    ]


def test_a_held_meeting_without_quorum_or_record(at_panel, coordinator, chair, police_lead, members):
    meeting = meeting_for(at_panel, coordinator, chair, members)
    attend(meeting, coordinator, chair, police_lead)
    when = f"{meeting.held_on:%-d %B %Y}"
    assert refused_reasons(at_panel, coordinator) == [
        f"The panel meeting of {when} was not quorate: health (any health agency) and the local authority "
        f"(children's social care) were not recorded as present. Neither a decision on {at_panel} nor minutes "
        f"are recorded for the panel meeting of {when}."
    ]


def test_a_quorate_meeting_with_nothing_recorded(
    at_panel, coordinator, chair, police_lead, gp_lead, panel_member, members
):
    meeting = meeting_for(at_panel, coordinator, chair, members)
    attend(meeting, coordinator, chair, police_lead, gp_lead, panel_member)
    assert refused_reasons(at_panel, coordinator) == [
        f"Neither a decision on {at_panel} nor minutes are recorded for the panel meeting of "
        f"{meeting.held_on:%-d %B %Y}."
    ]


def test_minutes_of_a_quorate_meeting_let_the_review_move_on(
    at_panel, coordinator, chair, police_lead, gp_lead, panel_member, members
):
    meeting = meeting_for(at_panel, coordinator, chair, members)
    attend(meeting, coordinator, chair, police_lead, gp_lead, panel_member)
    panel_minutes_save(actor=coordinator, meeting_id=meeting.pk, minutes="Child A discussed; learning agreed.")
    moved = review_advance(actor=coordinator, review_id=at_panel.pk, transition="draft_findings")
    assert moved.state == ReviewState.FINDINGS


def test_a_decision_recorded_lets_the_review_move_on(
    at_panel, coordinator, chair, police_lead, gp_lead, panel_member, members
):
    meeting = meeting_for(at_panel, coordinator, chair, members)
    attend(meeting, coordinator, chair, police_lead, gp_lead, panel_member)
    panel_decision_record(
        actor=coordinator,
        meeting_id=meeting.pk,
        review_id=at_panel.pk,
        outcome=DecisionOutcome.NATIONAL_REVIEW,
        rationale="Referred to the national Panel.",
    )
    assert panel_meeting_held.explain(at_panel) is None


def test_minutes_of_a_meeting_that_was_not_quorate_are_not_enough(at_panel, coordinator, chair, members):
    meeting = meeting_for(at_panel, coordinator, chair, members)
    panel_minutes_save(actor=coordinator, meeting_id=meeting.pk, minutes="Only the chair came.")
    reasons = refused_reasons(at_panel, coordinator)
    assert reasons[0].startswith(f"The panel meeting of {meeting.held_on:%-d %B %Y} was not quorate: the chair,")


def test_a_meeting_to_come_does_not_hide_one_that_was_held(
    at_panel, coordinator, chair, police_lead, gp_lead, panel_member, members
):
    held = meeting_for(at_panel, coordinator, chair, members, days_ago=3)
    attend(held, coordinator, chair, police_lead, gp_lead, panel_member)
    meeting_for(at_panel, coordinator, chair, members, days_ago=-7)
    assert panel_meeting_held.explain(at_panel) == (
        f"Neither a decision on {at_panel} nor minutes are recorded for the panel meeting of {held.held_on:%-d %B %Y}."
    )


def test_the_condition_costs_the_same_queries_for_one_or_five_meetings(
    at_panel, coordinator, chair, members, django_assert_num_queries
):
    meeting_for(at_panel, coordinator, chair, members)
    with django_assert_num_queries(2):
        panel_meeting_held.explain(at_panel)
    for days in range(2, 6):
        meeting_for(at_panel, coordinator, chair, members, days_ago=days)
    with django_assert_num_queries(2):
        panel_meeting_held.explain(at_panel)
