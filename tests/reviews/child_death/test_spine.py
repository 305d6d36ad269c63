"""A child death review's own steps on the review's spine: its panel stage is the child death review
meeting (no generic panel meeting), and its actions wait for the CDOP's review as well as the signed
analysis (reviews/conditions/child_death.py)."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.models import PanelMeeting, Review, ReviewState
from reviews.services.child_death import CdopReviewData, MeetingData, cdop_review_record, cdr_meeting_record
from reviews.services.review import review_advance, review_record_key_dates
from tests.factories import advance_to, settle_contributions, sign_off_findings
from workflows.runner import TransitionRefused

MEETING = MeetingData(
    held_on=date(2026, 5, 5), notice_given_on=date(2026, 4, 1), post_mortem_received_on=date(2026, 4, 20)
)


@pytest.fixture
def at_panel(cdr, coordinator) -> Review:
    review_record_key_dates(actor=coordinator, review_id=cdr.pk, key_dates={"notified_on": date(2026, 3, 7)})
    advance_to(cdr, ReviewState.AGENCY_SUBMISSIONS, coordinator)
    settle_contributions(cdr, coordinator)
    return review_advance(actor=coordinator, review_id=cdr.pk, transition="convene_panel")


def test_findings_wait_for_the_child_death_review_meeting_not_a_panel_meeting(at_panel, coordinator):
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=at_panel.pk, transition="draft_findings")
    assert refused.value.reasons == [
        "Record the child death review meeting first (under Child death review): it is held once the "
        "post-mortem report is available, with at least a month's notice."
    ]
    assert Review.objects.get(pk=at_panel.pk).state == ReviewState.PANEL

    cdr_meeting_record(actor=coordinator, review_id=at_panel.pk, data=MEETING)
    review = review_advance(actor=coordinator, review_id=at_panel.pk, transition="draft_findings")
    assert review.state == ReviewState.FINDINGS
    assert not PanelMeeting.objects.exists()  # no generic panel was asked for


def test_actions_wait_for_the_cdops_review_as_well_as_the_signed_analysis(at_panel, coordinator):
    cdr_meeting_record(actor=coordinator, review_id=at_panel.pk, data=MEETING)
    review = review_advance(actor=coordinator, review_id=at_panel.pk, transition="draft_findings")
    sign_off_findings(review, coordinator)
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")
    assert refused.value.reasons == [
        "Record the CDOP's independent review of the death (under Child death review) first."
    ]
    cdop_review_record(actor=coordinator, review_id=review.pk, data=CdopReviewData(reviewed_on=date(2026, 6, 9)))
    review = review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")
    assert review.state == ReviewState.ACTION_TRACKING


def test_other_kinds_still_wait_for_a_quorate_panel_meeting(review, coordinator):
    """A rapid review at the panel with no meeting is refused for want of one, not of a CDR meeting."""
    advance_to(review, ReviewState.AGENCY_SUBMISSIONS, coordinator)
    settle_contributions(review, coordinator)
    review_advance(actor=coordinator, review_id=review.pk, transition="convene_panel")
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    assert len(refused.value.reasons) == 1
    assert "has not been on the agenda of a panel meeting" in refused.value.reasons[0]
