"""A child death review as a CDOP runs it (docs/DOMAIN.md, Child death reviews): the notification
dataset, the joint agency response's clocks, the meeting and the CDOP's review as recorded steps.

Due dates are counted by hand. The death: Fri 6 March 2026 (day 0).
- Joint home visit, 24 hours: by the end of Sat 7 March.
- Initial information-sharing meeting, 3 working days: Mon 9, Tue 10, Wed 11 → Wed 11 March; with a
  council closure on Tue 10 March (a practice clock counts closure days) → Thu 12 March; with the
  partnership's own 5 working days → Fri 13 March.
- The review meeting's clock, 3 months: Sat 6 June; the CDOP's, 6 months: Sun 6 September.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviews.models import (
    ChildDeath,
    ChildDeathStage,
    ClockSetting,
    ClosureDay,
    JointAgencyResponseItem,
    Review,
    ReviewClock,
)
from reviews.models.child_death import Ethnicity, JarItem, PlaceOfDeath
from reviews.models.notices import NoticeKind
from reviews.selectors.clocks import clock_reading
from reviews.selectors.review import review_history
from reviews.services.child_death import (
    CdopReviewData,
    DatasetData,
    JarItemData,
    MeetingData,
    cdop_review_record,
    cdr_meeting_record,
    child_death_dataset_record,
    jar_item_record,
)
from reviews.services.notices import NoticeData, notice_record
from workflows.audit import AuditEvent
from workflows.clocks import ClockStatus
from workflows.runner import TransitionRefused

DATASET = DatasetData(
    died_on=date(2026, 3, 6),
    became_aware_on=date(2026, 3, 6),
    became_aware_at=time(23, 40),
    unexpected=True,
    place_of_death=PlaceOfDeath.HOSPITAL,
    ethnicity=Ethnicity.WHITE_ROMA,
    looked_after=False,
    disability="no",
    home_local_authority="Northbridge City Council",
    notifier_name="Dr P. Example",
    notifier_role="Consultant paediatrician, Northbridge Royal Infirmary",
)
MEETING = MeetingData(
    held_on=date(2026, 5, 5), notice_given_on=date(2026, 4, 1), post_mortem_received_on=date(2026, 4, 20)
)


def clock(review: Review, key: str) -> ReviewClock:
    return ReviewClock.objects.select_related("review__partnership").get(review=review, key=key)


def status(review: Review, key: str, today: date) -> str:
    row = clock(review, key)
    return clock_reading(row, row.review.partnership, today).status


def keys(review: Review) -> set[str]:
    return set(ReviewClock.objects.filter(review=review).values_list("key", flat=True))


# --- the dataset and the joint agency response's clocks ----------------------------------------------


def test_an_unexpected_death_starts_the_joint_agency_responses_clocks(cdr, coordinator):
    assert not keys(cdr) & {"jar_home_visit", "jar_information_meeting"}

    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=DATASET)

    record = ChildDeath.objects.get(review=cdr)
    assert (record.ethnicity, record.became_aware_at, record.dataset_recorded_by) == (
        Ethnicity.WHITE_ROMA,
        time(23, 40),
        coordinator,
    )
    assert Review.objects.get(pk=cdr.pk).death_unexpected is True
    assert clock(cdr, "jar_home_visit").due_date == date(2026, 3, 7)
    assert clock(cdr, "jar_information_meeting").due_date == date(2026, 3, 11)
    # The 48-hour notification clock still counts in dates from becoming aware.
    assert clock(cdr, "cdr_notification").due_date == date(2026, 3, 8)


def test_an_expected_death_has_no_joint_agency_response(cdr, coordinator):
    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=replace(DATASET, unexpected=False))
    assert not keys(cdr) & {"jar_home_visit", "jar_information_meeting"}
    with pytest.raises(TransitionRefused, match="follows an unexpected death"):
        jar_item_record(
            actor=coordinator,
            review_id=cdr.pk,
            item=JarItem.HOME_VISIT,
            data=JarItemData(done_on=date(2026, 3, 7), done_at=None, done_by="Police and paediatrician"),
        )


def test_the_information_meeting_is_a_practice_default_with_closure_days(cdr, coordinator, partnership):
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 3, 10), reason="Council closure")
    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=DATASET)
    assert clock(cdr, "jar_information_meeting").due_date == date(2026, 3, 12)

    ClosureDay.objects.all().delete()
    ClockSetting.objects.create(
        partnership=partnership, clock_key="jar_information_meeting", duration=5, unit="working_days"
    )
    ClockSetting(partnership=partnership, clock_key="jar_information_meeting", duration=5, unit="working_days").clean()
    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=DATASET)
    assert clock(cdr, "jar_information_meeting").due_date == date(2026, 3, 13)


def test_each_jar_step_is_recorded_once_with_who_and_when_and_stops_its_clock(cdr, coordinator):
    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=DATASET)
    item = jar_item_record(
        actor=coordinator,
        review_id=cdr.pk,
        item=JarItem.HOME_VISIT,
        data=JarItemData(done_on=date(2026, 3, 7), done_at=time(10, 15), done_by="DS, police; on-call paediatrician"),
    )
    assert (item.done_by, item.done_at, item.recorded_by) == (
        "DS, police; on-call paediatrician",
        time(10, 15),
        coordinator,
    )
    assert clock(cdr, "jar_home_visit").stopped_on == date(2026, 3, 7)
    assert status(cdr, "jar_home_visit", date(2026, 12, 1)) == ClockStatus.MET

    # The meeting a working day late: Thu 12 March against Wed 11 March.
    jar_item_record(
        actor=coordinator,
        review_id=cdr.pk,
        item=JarItem.INFORMATION_MEETING,
        data=JarItemData(done_on=date(2026, 3, 12), done_at=None, done_by="Police, CSC, health"),
    )
    row = clock(cdr, "jar_information_meeting")
    reading = clock_reading(row, row.review.partnership, date(2026, 12, 1))
    assert (reading.status, reading.working_days_late) == (ClockStatus.MET_LATE, 1)

    with pytest.raises(TransitionRefused, match="already recorded, dated 7 March 2026"):
        jar_item_record(
            actor=coordinator,
            review_id=cdr.pk,
            item=JarItem.HOME_VISIT,
            data=JarItemData(done_on=date(2026, 3, 8), done_at=None, done_by="Police"),
        )
    # Once the response is recorded, the death cannot become expected.
    with pytest.raises(ValidationError) as refused:
        child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=replace(DATASET, unexpected=False))
    assert "unexpected" in refused.value.message_dict


def test_a_jar_step_before_the_death_or_without_who_is_refused_and_nothing_changes(cdr, coordinator):
    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=DATASET)
    with pytest.raises(ValidationError) as refused:
        jar_item_record(
            actor=coordinator,
            review_id=cdr.pk,
            item=JarItem.HOME_VISIT,
            data=JarItemData(done_on=date(2026, 3, 5), done_at=None, done_by=" "),
        )
    errors = refused.value.message_dict
    assert errors["done_on"] == [
        "The date of the joint home visit cannot be before the date of death or incident (06 March 2026), "
        "when its clock started."
    ]
    assert errors["done_by"] == ["Say who took part in the joint home visit: roles and agencies."]
    assert not JointAgencyResponseItem.objects.exists()
    assert Review.objects.get(pk=cdr.pk).jar_home_visit_on is None


@pytest.mark.parametrize(
    ("died_on", "field", "message"),
    [
        (timezone.localdate() + timedelta(days=1), "died_on", "The date of death cannot be in the future."),
        (
            date(2024, 12, 31),
            "died_on",
            "The date of death cannot be before Child D's date of birth (5 January 2025).",
        ),
    ],
)
def test_an_impossible_date_of_death_is_refused_and_nothing_changes(cdr, coordinator, died_on, field, message):
    with pytest.raises(ValidationError) as refused:
        child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=replace(DATASET, died_on=died_on))
    assert refused.value.message_dict[field] == [message]
    assert not ChildDeath.objects.exists()
    review = Review.objects.get(pk=cdr.pk)
    assert (review.incident_on, review.death_unexpected) == (date(2026, 3, 6), None)
    assert not AuditEvent.objects.filter(verb="child_death.dataset_recorded").exists()


def test_only_the_coordinator_records_the_dataset(cdr, chair):
    with pytest.raises(PermissionDenied):
        child_death_dataset_record(actor=chair, review_id=cdr.pk, data=DATASET)


# --- the meeting, then the CDOP --------------------------------------------------------------------


def test_the_meeting_and_the_cdop_review_are_steps_in_history_and_stop_their_clocks(cdr, coordinator):
    record = cdr_meeting_record(actor=coordinator, review_id=cdr.pk, data=MEETING)
    assert record.state == ChildDeathStage.MEETING_HELD
    assert clock(cdr, "cdr_review_meeting").stopped_on == date(2026, 5, 5)
    assert status(cdr, "cdr_review_meeting", date(2026, 12, 1)) == ClockStatus.MET

    cdop_review_record(actor=coordinator, review_id=cdr.pk, data=CdopReviewData(reviewed_on=date(2026, 9, 10)))
    assert clock(cdr, "cdop_review").stopped_on == date(2026, 9, 10)
    assert status(cdr, "cdop_review", date(2026, 12, 1)) == ClockStatus.MET_LATE

    review = Review.objects.get(pk=cdr.pk)
    assert (review.cdr_meeting_on, review.cdop_reviewed_on) == (date(2026, 5, 5), date(2026, 9, 10))
    rows = [(row.change, row.actor_name, row.on_earlier_review) for row in review_history(review)]
    name = coordinator.get_full_name() or coordinator.get_username()
    assert rows == [
        ("Child death review meeting held", name, False),
        ("Independent review by the CDOP", name, False),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"held_on": date(2026, 4, 15)},
            "held_on",
            "The meeting cannot be before the post-mortem report was received (20 April 2026): "
            "it is held once the report is available.",
        ),
        (
            {"notice_given_on": date(2026, 4, 10)},
            "held_on",
            "Give at least a month's notice of the meeting: with notice given on 10 April 2026, "
            "it can be held from 10 May 2026.",
        ),
        (
            {"post_mortem_received_on": None},
            "post_mortem_received_on",
            "Give the date the post-mortem report was received, or say no post-mortem was held: "
            "the meeting waits for the report.",
        ),
        (
            {"held_on": timezone.localdate() + timedelta(days=40)},
            "held_on",
            "The date of the child death review meeting cannot be in the future.",
        ),
    ],
)
def test_a_meeting_that_cannot_stand_is_refused_and_nothing_changes(cdr, coordinator, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        cdr_meeting_record(actor=coordinator, review_id=cdr.pk, data=replace(MEETING, **changes))
    assert refused.value.message_dict[field] == [message]
    assert Review.objects.get(pk=cdr.pk).cdr_meeting_on is None
    assert clock(cdr, "cdr_review_meeting").stopped_on is None
    assert not ChildDeath.objects.filter(state=ChildDeathStage.MEETING_HELD).exists()
    assert review_history(Review.objects.get(pk=cdr.pk)) == []


def test_a_meeting_with_exactly_a_months_notice_and_no_post_mortem_stands(cdr, coordinator):
    data = MeetingData(
        held_on=date(2026, 5, 1), notice_given_on=date(2026, 4, 1), post_mortem_received_on=None, no_post_mortem=True
    )
    assert cdr_meeting_record(actor=coordinator, review_id=cdr.pk, data=data).meeting_held_on == date(2026, 5, 1)


def test_the_cdop_reviews_after_the_meeting_only(cdr, coordinator):
    with pytest.raises(TransitionRefused, match="Record the child death review meeting first"):
        cdop_review_record(actor=coordinator, review_id=cdr.pk, data=CdopReviewData(reviewed_on=date(2026, 6, 1)))
    cdr_meeting_record(actor=coordinator, review_id=cdr.pk, data=MEETING)
    with pytest.raises(ValidationError) as refused:
        cdop_review_record(actor=coordinator, review_id=cdr.pk, data=CdopReviewData(reviewed_on=date(2026, 5, 4)))
    assert refused.value.message_dict["reviewed_on"] == [
        "The CDOP's review cannot be before the child death review meeting (5 May 2026)."
    ]
    assert Review.objects.get(pk=cdr.pk).cdop_reviewed_on is None


def test_a_looked_after_childs_death_brings_its_notice_which_then_keeps_the_child_looked_after(cdr, coordinator):
    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=replace(DATASET, looked_after=True))
    # 5 working days from becoming aware on Fri 6 March 2026: Fri 13 March.
    assert clock(cdr, "lac_death_notice").due_date == date(2026, 3, 13)
    notice_record(
        actor=coordinator, review_id=cdr.pk, kind=NoticeKind.LAC_DEATH, data=NoticeData(sent_on=date(2026, 3, 10))
    )
    with pytest.raises(ValidationError) as refused:
        child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=DATASET)
    assert "looked_after" in refused.value.message_dict
    assert Review.objects.get(pk=cdr.pk).child_looked_after
