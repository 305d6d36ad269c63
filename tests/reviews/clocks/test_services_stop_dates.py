"""A clock stops on a recorded date, not on a click (docs/DOMAIN.md, Clocks).

The rapid review stops on the date it was sent to the national Panel, the CSPR on its publication,
the DHR on its report going to the Home Office quality assurance panel. Converting or withdrawing
stops nothing by itself. The fixture rapid review was notified on Wed 4 March 2026, so its 15
working days end on Wed 25 March 2026.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from notifications.models import Deadline, DeadlineKind, DeadlineState
from reviews.models import Review, ReviewClock, ReviewKind, ReviewState, Role
from reviews.selectors.clocks import clock_reading
from reviews.services.review import (
    review_advance,
    review_convert_to_cspr,
    review_open,
    review_record_key_dates,
)
from reviews.services.roles import review_role_grant
from tests.factories import advance_to, make_review
from workflows.audit import AuditEvent
from workflows.clocks import ClockReading, ClockStatus

DUE = date(2026, 3, 25)


def clock(review: Review, key: str) -> ReviewClock:
    return ReviewClock.objects.select_related("review__partnership").get(review=review, key=key)


def reading(review: Review, key: str, today: date) -> ClockReading:
    row = clock(review, key)
    return clock_reading(row, row.review.partnership, today)


def clock_deadline(review: Review, key: str) -> Deadline:
    return Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(ReviewClock),
        object_id=clock(review, key).pk,
        kind=DeadlineKind.CLOCK_DUE,
    )


def record(review: Review, actor, **key_dates: date | None) -> Review:
    return review_record_key_dates(actor=actor, review_id=review.pk, key_dates=key_dates)


# --- the rapid review --------------------------------------------------------------------------


def test_a_rapid_review_sent_in_time_and_converted_a_month_later_is_met(review, coordinator, today):
    advance_to(review, ReviewState.SCOPING, coordinator)
    record(review, coordinator, decision_on=date(2026, 3, 20), sent_to_panel_on=date(2026, 3, 20))
    today.set(date(2026, 4, 21))

    cspr = review_convert_to_cspr(actor=coordinator, review_id=review.pk, reason="Partners agreed a local review")

    row = clock(review, "rapid_review")
    assert (row.stopped_on, row.abandoned) == (date(2026, 3, 20), False)
    assert reading(review, "rapid_review", date(2026, 4, 21)).status == ClockStatus.MET
    assert clock_deadline(review, "rapid_review").state == DeadlineState.MET
    # The CSPR has a clock of its own; the rapid review's stop date stays with the rapid review.
    assert Review.objects.get(pk=cspr.pk).sent_to_panel_on is None


def test_converting_stops_no_clock_the_date_sent_to_the_panel_does(review, coordinator, today):
    advance_to(review, ReviewState.SCOPING, coordinator)
    record(review, coordinator, decision_on=date(2026, 3, 20))
    today.set(date(2026, 3, 23))

    review_convert_to_cspr(actor=coordinator, review_id=review.pk, reason="The partners decided on a local review.")

    assert Review.objects.get(pk=review.pk).state == ReviewState.CLOSED
    assert clock(review, "rapid_review").stopped_on is None
    # Still chased: the rapid review is owed to the Panel whatever the partners decided.
    assert clock_deadline(review, "rapid_review").state == DeadlineState.OPEN
    assert reading(review, "rapid_review", date(2026, 3, 23)).status == ClockStatus.DUE_SOON

    today.set(date(2026, 3, 24))
    record(review, coordinator, sent_to_panel_on=date(2026, 3, 24))

    assert clock(review, "rapid_review").stopped_on == date(2026, 3, 24)
    assert reading(review, "rapid_review", date(2026, 4, 30)).status == ClockStatus.MET
    assert clock_deadline(review, "rapid_review").state == DeadlineState.MET


def test_a_rapid_review_sent_late_and_then_withdrawn_is_met_late_by_four_working_days(review, coordinator, today):
    # Sent Tue 31 March: Thu 26, Fri 27, Mon 30 and Tue 31 March after the due date.
    record(review, coordinator, sent_to_panel_on=date(2026, 3, 31))
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="No local review")

    result = reading(review, "rapid_review", date(2026, 6, 1))
    assert (result.status, result.working_days_late) == (ClockStatus.MET_LATE, 4)
    assert not clock(review, "rapid_review").abandoned


def test_a_withdrawn_rapid_review_is_judged_on_the_date_recorded_after(review, coordinator, today):
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="No local review")
    assert reading(review, "rapid_review", date(2026, 3, 30)).status == ClockStatus.OVERDUE
    assert clock_deadline(review, "rapid_review").state == DeadlineState.OPEN

    record(review, coordinator, sent_to_panel_on=date(2026, 3, 31))

    result = reading(review, "rapid_review", date(2026, 6, 1))
    assert (result.status, result.working_days_late) == (ClockStatus.MET_LATE, 4)
    assert clock_deadline(review, "rapid_review").state == DeadlineState.MET


def test_moving_to_findings_stops_nothing_the_date_does(review, coordinator, today):
    advance_to(review, ReviewState.FINDINGS, coordinator)
    assert clock(review, "rapid_review").stopped_on is None

    record(review, coordinator, sent_to_panel_on=DUE)

    assert reading(review, "rapid_review", date(2026, 6, 1)).status == ClockStatus.MET


def test_closing_a_review_leaves_its_running_clock_chased_and_nothing_else(review, coordinator, police, police_lead):
    from reviews.services.contributions import contribution_request

    advance_to(review, ReviewState.SCOPING, coordinator)
    contribution_request(actor=coordinator, review_id=review.pk, agency=police, lead=police_lead, asks=["chronology"])
    record(review, coordinator, decision_on=date(2026, 3, 20))

    review_convert_to_cspr(actor=coordinator, review_id=review.pk, reason="The partners decided on a local review.")

    still_open = Deadline.objects.filter(scope=review.reference, state=DeadlineState.OPEN)
    assert list(still_open.values_list("kind", flat=True)) == [DeadlineKind.CLOCK_DUE]
    assert Deadline.objects.get(scope=review.reference, kind=DeadlineKind.CONTRIBUTION_DUE).state == (
        DeadlineState.CANCELLED
    )


# --- the CSPR and the DHR ----------------------------------------------------------------------


def test_a_cspr_stops_on_its_publication_date(partnership, coordinator, today):
    cspr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CSPR,
        key_dates={"decision_on": date(2026, 3, 20), "published_on": date(2026, 10, 1)},
    )
    row = clock(cspr, "cspr_completion")
    assert (row.due_date, row.stopped_on) == (date(2026, 9, 20), date(2026, 10, 1))
    # Late by Mon 21 Sep to Thu 1 Oct: 9 working days.
    result = reading(cspr, "cspr_completion", date(2027, 1, 4))
    assert (result.status, result.working_days_late) == (ClockStatus.MET_LATE, 9)


def test_a_dhr_stops_on_its_report_reaching_the_home_office_quality_assurance_panel(
    partnership, coordinator, chair, today
):
    dhr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.DHR,
        key_dates={"became_aware_on": date(2026, 1, 5), "decision_on": date(2026, 1, 30)},
        roles=[(chair, Role.CHAIR, None)],
    )
    advance_to(dhr, ReviewState.ACTION_TRACKING, coordinator)
    assert clock(dhr, "dhr_completion").stopped_on is None  # reaching a stage stops nothing

    record(dhr, coordinator, sent_to_qa_panel_on=date(2026, 7, 15))

    row = clock(dhr, "dhr_completion")
    assert (row.due_date, row.stopped_on) == (date(2026, 7, 30), date(2026, 7, 15))
    assert reading(dhr, "dhr_completion", date(2026, 12, 1)).status == ClockStatus.MET


def test_a_withdrawn_cspr_s_clock_ends_with_no_outcome(partnership, coordinator, today):
    cspr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CSPR,
        key_dates={"decision_on": date(2026, 3, 20)},
    )
    review_advance(actor=coordinator, review_id=cspr.pk, transition="withdraw", reason="Not proceeding")
    assert clock(cspr, "cspr_completion").abandoned
    assert reading(cspr, "cspr_completion", date(2027, 1, 4)).status == ClockStatus.WITHDRAWN


# --- bad input: a specific message, and nothing changes ------------------------------------------


def unchanged(review: Review) -> dict:
    fresh = Review.objects.get(pk=review.pk)
    return {
        "dates": (fresh.notified_on, fresh.sent_to_panel_on, fresh.published_on, fresh.sent_to_qa_panel_on),
        "clocks": list(ReviewClock.objects.filter(review=review).order_by("key").values()),
        "audit": AuditEvent.objects.filter(object_id=review.pk, verb="review.key_dates_recorded").count(),
    }


@pytest.mark.parametrize(
    ("key_dates", "message"),
    [
        (
            {"sent_to_panel_on": date(2027, 2, 2)},
            "The date the rapid review was sent to the national Panel cannot be in the future.",
        ),
        (
            {"sent_to_panel_on": date(2026, 3, 3)},
            "The date the rapid review was sent to the national Panel cannot be before the date the statutory "
            "notification was sent (04 March 2026), when its clock started.",
        ),
        (
            # Moving the start past a stop date already recorded is refused the same way.
            {"notified_on": date(2026, 3, 6), "sent_to_panel_on": date(2026, 3, 5)},
            "The date the rapid review was sent to the national Panel cannot be before the date the statutory "
            "notification was sent (06 March 2026), when its clock started.",
        ),
        (
            {"notified_on": None, "sent_to_panel_on": date(2026, 3, 20)},
            "Record the date the statutory notification was sent first: the clock this date stops starts on it.",
        ),
    ],
)
def test_a_stop_date_that_cannot_be_is_refused_and_nothing_changes(key_dates, message, review, coordinator, today):
    before = unchanged(review)
    with pytest.raises(ValidationError) as error:
        record(review, coordinator, **key_dates)
    assert error.value.message_dict == {"sent_to_panel_on": [message]}
    assert unchanged(review) == before


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "published_on",
            "The date the review was published stops the clock of a local child safeguarding practice review "
            "only; NSCP-RR-{year}-001 is a rapid review.",
        ),
        (
            "sent_to_qa_panel_on",
            "The date the report was sent to the Home Office quality assurance panel stops the clock of a "
            "domestic homicide review only; NSCP-RR-{year}-001 is a rapid review.",
        ),
    ],
)
def test_a_stop_date_of_another_kind_of_review_is_refused(field, message, review, coordinator, today):
    before = unchanged(review)
    with pytest.raises(ValidationError) as error:
        record(review, coordinator, **{field: date(2026, 3, 20)})
    assert error.value.message_dict == {field: [message.format(year=review.year)]}
    assert unchanged(review) == before


def test_a_cspr_cannot_record_the_date_a_rapid_review_was_sent_to_the_panel(partnership, coordinator, today):
    with pytest.raises(ValidationError) as error:
        review_open(
            actor=coordinator,
            partnership=partnership,
            kind=ReviewKind.CSPR,
            title="Child A",
            key_dates={"decision_on": date(2026, 3, 20), "sent_to_panel_on": date(2026, 3, 20)},
        )
    assert error.value.message_dict == {
        "sent_to_panel_on": [
            "The date the rapid review was sent to the national Panel stops the clock of a rapid review only; "
            "this review is a local child safeguarding practice review."
        ]
    }
    assert not Review.objects.exists()


def test_recording_a_stop_date_is_audited(review, coordinator, today):
    record(review, coordinator, sent_to_panel_on=date(2026, 3, 20))
    event = AuditEvent.objects.get(verb="review.key_dates_recorded", object_id=review.pk)
    assert event.detail == {"changes": {"sent_to_panel_on": [None, "2026-03-20"]}}


def test_the_rapid_review_s_stop_needs_the_start_the_partnership_chose(partnership, coordinator, chair, today):
    from reviews.models.partnerships import RapidReviewStart

    partnership.rapid_review_clock_start = RapidReviewStart.BECAME_AWARE
    partnership.save()
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
    )
    review_role_grant(actor=coordinator, review_id=review.pk, user=chair, role=Role.CHAIR)
    # On the older guidance the clock starts on becoming aware (Mon 2 March): the 3rd is after it.
    record(review, coordinator, sent_to_panel_on=date(2026, 3, 3))
    assert clock(review, "rapid_review").stopped_on == date(2026, 3, 3)
    with pytest.raises(ValidationError) as error:
        record(review, coordinator, sent_to_panel_on=date(2026, 3, 1))
    assert "cannot be before the date the local authority became aware (02 March 2026)" in str(error.value)
