"""Publication as a recorded step (reviews/services/publication.py).

Dates worked out by hand. The CSPR: decision to initiate Mon 1 June 2026, so its 6 months (statute)
are due Tue 1 December 2026.

The advance copy over Christmas 2026: bank holidays Fri 25 December and Mon 28 December (Boxing Day
falls on a Saturday), and Fri 1 January 2027. For publication on Wed 6 January 2027, counting back
7 working days: Tue 5 Jan (1), Mon 4 Jan (2), [Fri 1 Jan], Thu 31 Dec (3), Wed 30 Dec (4), Tue 29 Dec
(5), [Mon 28, Fri 25 Dec], Thu 24 Dec (6), Wed 23 Dec (7): the copy must go by Wed 23 December. A copy
sent on Thu 24 December allows publication from: Tue 29 Dec (1), Wed 30 (2), Thu 31 (3), [Fri 1 Jan],
Mon 4 Jan (4), Tue 5 (5), Wed 6 (6), Thu 7 January (7).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews.models import Publication, Review, ReviewClock, ReviewKind, ReviewState, Role
from reviews.models.notices import NoticeKind
from reviews.selectors.clocks import clock_reading
from reviews.selectors.timeliness import review_timeliness
from reviews.services.notices import NoticeData, notice_record
from reviews.services.publication import PublicationData, publication_record, publications_publish_due
from reviews.services.review import review_record_key_dates
from tests.factories import advance_to, make_review
from tests.reviews.publication.conftest import final_report
from workflows.audit import AuditEvent
from workflows.clocks import ClockStatus
from workflows.runner import TransitionRefused

FULL = PublicationData(
    decision="full",
    publish_on=date(2027, 1, 6),
    family_told_on=date(2026, 12, 21),
    public_url="https://northbridge.example.org/reviews/child-f",
)


def advance_copy(review: Review, actor, sent_on: date, today) -> None:
    today.set(sent_on)
    notice_record(actor=actor, review_id=review.pk, kind=NoticeKind.ADVANCE_COPY, data=NoticeData(sent_on=sent_on))


def clock(review: Review, key: str) -> ReviewClock:
    return ReviewClock.objects.select_related("review__partnership").get(review=review, key=key)


def snapshot(review: Review) -> tuple:
    review = Review.objects.get(pk=review.pk)
    return (
        Publication.objects.filter(review=review).count(),
        review.published_on,
        review.publication_planned_on,
        review.publication_declined_on,
        review.publication_decision,
        clock(review, "cspr_completion").stopped_on,
    )


def refused(review: Review, actor, data: PublicationData) -> dict[str, list[str]]:
    before = snapshot(review)
    with pytest.raises(ValidationError) as error:
        publication_record(actor=actor, review_id=review.pk, data=data)
    assert snapshot(review) == before
    return error.value.message_dict


def test_the_advance_copy_must_go_seven_working_days_before_over_christmas(cspr, coordinator, today):
    advance_copy(cspr, coordinator, date(2026, 12, 24), today)
    assert refused(cspr, coordinator, FULL) == {
        "publish_on": [
            "The advance copy went on 24 December 2026: publication must be at least 7 working days later, "
            "so not before 7 January 2027 (for 6 January 2027 it had to go by 23 December 2026)."
        ]
    }
    publication = publication_record(
        actor=coordinator, review_id=cspr.pk, data=replace(FULL, publish_on=date(2027, 1, 7))
    )
    assert (publication.state, publication.publish_on) == ("scheduled", date(2027, 1, 7))


def test_a_copy_sent_on_the_last_day_allows_the_publication(cspr, coordinator, today):
    advance_copy(cspr, coordinator, date(2026, 12, 23), today)
    publication = publication_record(actor=coordinator, review_id=cspr.pk, data=FULL)
    assert publication.state == "scheduled"
    review = Review.objects.get(pk=cspr.pk)
    # Scheduled: the planned date is recorded, the clock still runs until the day.
    assert (review.publication_planned_on, review.published_on) == (date(2027, 1, 6), None)
    assert clock(review, "cspr_completion").stopped_on is None
    assert clock(review, "advance_copy").due_date == date(2026, 12, 23)


def test_a_scheduled_publication_is_published_on_its_day_once(cspr, coordinator, today):
    advance_copy(cspr, coordinator, date(2026, 12, 23), today)
    publication_record(actor=coordinator, review_id=cspr.pk, data=FULL)
    assert publications_publish_due(today=date(2027, 1, 5)) == []
    assert publications_publish_due(today=date(2027, 1, 6)) == [cspr.reference]
    assert publications_publish_due(today=date(2027, 1, 7)) == []
    review = Review.objects.get(pk=cspr.pk)
    assert review.published_on == date(2027, 1, 6)
    assert Publication.objects.get(review=review).state == "published"
    row = clock(review, "cspr_completion")
    assert row.stopped_on == date(2027, 1, 6)
    # Due Tue 1 Dec 2026; published Wed 6 Jan 2027: late.
    assert clock_reading(row, review.partnership, date(2027, 1, 6)).status == ClockStatus.MET_LATE
    assert clock_reading(clock(review, "advance_copy"), review.partnership, date(2027, 1, 6)).status == (
        ClockStatus.MET
    )
    assert AuditEvent.objects.filter(verb="publication.published", object_id=review.pk).count() == 1


def test_published_today_stops_the_clock_today(cspr, coordinator, today):
    advance_copy(cspr, coordinator, date(2026, 12, 23), today)
    today.set(date(2027, 1, 6))
    publication = publication_record(actor=coordinator, review_id=cspr.pk, data=FULL)
    assert publication.state == "published"
    assert clock(cspr, "cspr_completion").stopped_on == date(2027, 1, 6)


def test_a_publication_date_in_the_past_is_refused(cspr, coordinator, today):
    advance_copy(cspr, coordinator, date(2026, 12, 23), today)
    today.set(date(2027, 1, 7))
    assert refused(cspr, coordinator, FULL)["publish_on"] == [
        "The publication date cannot be in the past: choose 7 January 2027 or later. Publication is recorded "
        "on or before the day."
    ]


def test_without_the_advance_copy_each_missing_part_is_named(cspr, coordinator, today):
    today.set(date(2026, 12, 23))
    assert refused(cspr, coordinator, replace(FULL, family_told_on=None, public_url="http://example.org/x")) == {
        "publish_on": [
            "Send the advance copy of the final report to the national Panel and the Secretary of State, and "
            "record it under Onward notices: for publication on 6 January 2027 it must go by 23 December 2026, "
            "7 working days before."
        ],
        "family_told_on": ["Give the date the family was told of the publication date."],
        "public_url": ["The public address must start with https://."],
    }


def test_not_publishing_needs_a_reason_and_the_panel_told_and_ends_the_clock_as_such(cspr, coordinator, today):
    today.set(date(2026, 12, 14))
    assert refused(cspr, coordinator, PublicationData(decision="not_published")) == {
        "reason": ["Give the reason for the decision not to publish."],
        "decision_sent_to_panel_on": [
            "Give the date the decision not to publish, with its reason, was sent to the national Panel."
        ],
    }
    publication_record(
        actor=coordinator,
        review_id=cspr.pk,
        data=PublicationData(
            decision="not_published",
            reason="The family asked that it is not published; the Panel agreed.",
            decision_sent_to_panel_on=date(2026, 12, 11),
        ),
    )
    review = Review.objects.get(pk=cspr.pk)
    assert (review.publication_declined_on, review.published_on) == (date(2026, 12, 14), None)
    assert clock(review, "cspr_completion").stopped_on == date(2026, 12, 14)
    assert not ReviewClock.objects.filter(review=review, key="advance_copy").exists()  # nothing owed
    outcomes = {row.row.clock.key: row.cells()[11] for row in review_timeliness(review, date(2026, 12, 14))}
    assert outcomes["cspr_completion"] == "met late: not published, by decision"


def test_a_summary_needs_its_reason_and_reads_as_such_in_timeliness(cspr, coordinator, today):
    advance_copy(cspr, coordinator, date(2026, 12, 23), today)
    summary = replace(FULL, decision="summary", publish_on=date(2026, 12, 23))
    assert refused(cspr, coordinator, summary) == {
        "publish_on": [
            "The advance copy went on 23 December 2026: publication must be at least 7 working days later, "
            "so not before 6 January 2027 (for 23 December 2026 it had to go by 14 December 2026)."
        ],
        "reason": ["Give the reason for the decision to publish a summary only."],
        "decision_sent_to_panel_on": [
            "Give the date the decision to publish a summary only, with its reason, was sent to the national Panel."
        ],
    }
    today.set(date(2027, 1, 6))
    publication_record(
        actor=coordinator,
        review_id=cspr.pk,
        data=replace(
            summary,
            publish_on=date(2027, 1, 6),
            reason="A sibling is still at the school named in the report.",
            decision_sent_to_panel_on=date(2027, 1, 4),
        ),
    )
    review = Review.objects.get(pk=cspr.pk)
    outcomes = {row.row.clock.key: row.cells()[11] for row in review_timeliness(review, date(2027, 1, 6))}
    assert outcomes["cspr_completion"] == "met late: a summary published"


def test_publication_is_recorded_once_by_the_coordinator_on_a_published_kind(cspr, coordinator, chair, review, today):
    advance_copy(cspr, coordinator, date(2026, 12, 23), today)
    with pytest.raises(PermissionDenied):
        publication_record(actor=chair, review_id=cspr.pk, data=FULL)
    publication_record(actor=coordinator, review_id=cspr.pk, data=FULL)
    with pytest.raises(TransitionRefused, match="already recorded"):
        publication_record(actor=coordinator, review_id=cspr.pk, data=FULL)
    with pytest.raises(TransitionRefused, match="A rapid review is not published."):
        publication_record(actor=coordinator, review_id=review.pk, data=FULL)


def test_a_review_without_signed_findings_cannot_be_published(partnership, coordinator, today):
    today.set(date(2026, 12, 10))
    cspr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CSPR,
        key_dates={"became_aware_on": date(2026, 5, 11), "decision_on": date(2026, 6, 1)},
    )
    with pytest.raises(TransitionRefused) as error:
        publication_record(actor=coordinator, review_id=cspr.pk, data=FULL)
    assert error.value.reasons == ["No findings have been written yet: draft them and ask the chair to sign them off."]
    assert not Publication.objects.exists()


def test_a_dhr_goes_to_the_home_office_quality_assurance_panel_first(
    partnership, coordinator, chair, today, documents_storage
):
    today.set(date(2026, 12, 10))
    dhr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.DHR,
        key_dates={"became_aware_on": date(2026, 3, 2), "decision_on": date(2026, 3, 20)},
        roles=[(chair, Role.CHAIR, None)],
    )
    advance_to(dhr, ReviewState.ACTION_TRACKING, coordinator)
    final_report(dhr, chair)
    data = replace(FULL, publish_on=date(2026, 12, 10), family_told_on=date(2026, 12, 9))
    before = Publication.objects.count()
    with pytest.raises(ValidationError) as error:
        publication_record(actor=coordinator, review_id=dhr.pk, data=data)
    assert error.value.message_dict == {
        "decision": [
            "Send the report to the Home Office quality assurance panel, and record the date under Key dates, "
            "before publication."
        ]
    }
    assert Publication.objects.count() == before
    review_record_key_dates(actor=coordinator, review_id=dhr.pk, key_dates={"sent_to_qa_panel_on": date(2026, 12, 1)})
    assert publication_record(actor=coordinator, review_id=dhr.pk, data=data).state == "published"
