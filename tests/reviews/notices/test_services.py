"""Onward notices (docs/DOMAIN.md, Clocks): each recorded once, with its date stopping its own clock.

Every due date below is counted by hand, in working days after the start (day 0), skipping
weekends and England & Wales bank holidays, and, for the clocks that are not statute, the
partnership's closure days too:
- Easter 2026: Good Friday 3 April and Easter Monday 6 April are bank holidays.
- Christmas 2026: Fri 25 and Mon 28 December (Boxing Day's substitute) and Fri 1 January 2027.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.timezone import localtime

from notifications.models import Deadline, DeadlineKind, DeadlineState
from reviews.models import ClockSetting, ClosureDay, Notice, Review, ReviewClock, ReviewKind
from reviews.models.notices import NoticeKind
from reviews.selectors.clocks import clock_reading
from reviews.services.clocks import review_clocks_refresh
from reviews.services.notices import NoticeData, notice_record
from reviews.services.review import review_record_key_dates
from tests.factories import make_review
from workflows.audit import AuditEvent
from workflows.clocks import ClockStatus

SI_CONTENT = {
    "what_happened": "Child A (aged 2) was admitted to hospital with a head injury.",
    "agencies_involved": "Police, children's social care, the health visiting service.",
    "immediate_actions": "A strategy meeting was held; Child A's sibling is staying with family.",
}


def closed_on(partnership, *days: date) -> None:
    for day in days:
        ClosureDay.objects.create(partnership=partnership, date=day, reason="Council closure")


def clock(review: Review, key: str) -> ReviewClock:
    return ReviewClock.objects.select_related("review__partnership").get(review=review, key=key)


def status(review: Review, key: str, today: date) -> tuple[str, int | None]:
    row = clock(review, key)
    reading = clock_reading(row, row.review.partnership, today)
    return reading.status, reading.working_days_late


def clock_deadline(review: Review, key: str) -> Deadline:
    return Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(ReviewClock),
        object_id=clock(review, key).pk,
        kind=DeadlineKind.CLOCK_DUE,
    )


def record(review: Review, actor, kind: str, sent_on: date, **content) -> Notice:
    return notice_record(actor=actor, review_id=review.pk, kind=kind, data=NoticeData(sent_on=sent_on, **content))


def snapshot(review: Review) -> tuple:
    review.refresh_from_db()
    return (
        list(Notice.objects.filter(review=review).values_list("kind", "sent_on")),
        [
            getattr(review, f)
            for f in ("notified_on", "panel_replied_on", "advance_copy_sent_on", "home_office_told_on")
        ],
        list(ReviewClock.objects.filter(review=review).values_list("key", "stopped_on")),
        AuditEvent.objects.filter(verb="review.notice_recorded").count(),
    )


# --- the serious incident notification ----------------------------------------------------------


@pytest.fixture
def easter_case(partnership, coordinator, today):
    """Became aware Wed 1 April 2026, with the council closed Tue 7 and Wed 8 April: the notification is
    statute, so due Fri 10 April (2, 7, 8, 9, 10 April), not Tue 14 April."""
    closed_on(partnership, date(2026, 4, 7), date(2026, 4, 8))
    today.set(date(2026, 4, 20))
    return make_review(
        coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": date(2026, 4, 1)}
    )


def test_the_serious_incident_notification_stops_its_clock_and_keeps_what_was_sent(easter_case, coordinator):
    assert clock(easter_case, "si_notification").due_date == date(2026, 4, 10)

    notice = record(easter_case, coordinator, NoticeKind.SERIOUS_INCIDENT, date(2026, 4, 10), **SI_CONTENT)

    easter_case.refresh_from_db()
    assert easter_case.notified_on == date(2026, 4, 10)
    assert (notice.what_happened, notice.agencies_involved, notice.immediate_actions) == tuple(SI_CONTENT.values())
    assert status(easter_case, "si_notification", date(2026, 4, 20)) == (ClockStatus.MET, None)
    assert clock_deadline(easter_case, "si_notification").state == DeadlineState.MET
    event = AuditEvent.objects.get(verb="review.notice_recorded")
    assert event.detail == {"changes": {"notified_on": [None, "2026-04-10"]}, "notice": "serious_incident"}


def test_a_notification_sent_after_the_closure_days_is_late_whatever_the_council_was_doing(easter_case, coordinator):
    record(easter_case, coordinator, NoticeKind.SERIOUS_INCIDENT, date(2026, 4, 14), **SI_CONTENT)
    # Due Fri 10 April; sent Tue 14 April: Mon 13 and Tue 14 are two working days late.
    assert status(easter_case, "si_notification", date(2026, 4, 20)) == (ClockStatus.MET_LATE, 2)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("what_happened", "Say what happened"),
        ("agencies_involved", "Name the agencies involved"),
        ("immediate_actions", "Say what was done straight away"),
    ],
)
def test_a_notification_without_what_the_panel_asks_for_is_refused(easter_case, coordinator, missing, message):
    before = snapshot(easter_case)
    with pytest.raises(ValidationError) as refused:
        record(
            easter_case, coordinator, NoticeKind.SERIOUS_INCIDENT, date(2026, 4, 10), **{**SI_CONTENT, missing: "  "}
        )
    assert message in refused.value.message_dict[missing][0]
    assert snapshot(easter_case) == before


def test_a_notice_is_recorded_once(easter_case, coordinator):
    first = record(easter_case, coordinator, NoticeKind.SERIOUS_INCIDENT, date(2026, 4, 10), **SI_CONTENT)
    before = snapshot(easter_case)
    with pytest.raises(ValidationError) as refused:
        record(easter_case, coordinator, NoticeKind.SERIOUS_INCIDENT, date(2026, 4, 9), **SI_CONTENT)
    assert refused.value.messages == [
        "The serious incident notification is already recorded: dated 10 April 2026, "
        f"recorded on {localtime(first.recorded_at):%-d %B %Y}. A notice is recorded once."
    ]
    assert snapshot(easter_case) == before


def test_the_key_dates_form_cannot_move_a_date_recorded_with_its_notice(easter_case, coordinator):
    record(easter_case, coordinator, NoticeKind.SERIOUS_INCIDENT, date(2026, 4, 10), **SI_CONTENT)
    with pytest.raises(ValidationError) as refused:
        review_record_key_dates(
            actor=coordinator, review_id=easter_case.pk, key_dates={"notified_on": date(2026, 4, 9)}
        )
    assert "recorded with the serious incident notification" in refused.value.message_dict["notified_on"][0]
    easter_case.refresh_from_db()
    assert easter_case.notified_on == date(2026, 4, 10)


@pytest.mark.parametrize(
    ("sent_on", "message"),
    [
        (date(2026, 4, 21), "This date is in the future."),
        (date(2026, 3, 31), "cannot be before the date the case became known (01 April 2026)"),
    ],
)
def test_a_notice_date_that_cannot_be_is_refused(easter_case, coordinator, sent_on, message):
    before = snapshot(easter_case)
    with pytest.raises(ValidationError) as refused:
        record(easter_case, coordinator, NoticeKind.SERIOUS_INCIDENT, sent_on, **SI_CONTENT)
    assert message in refused.value.message_dict["sent_on"][0]
    assert snapshot(easter_case) == before


def test_only_the_coordinator_records_a_notice(easter_case, chair, coordinator):
    from reviews.models import Role
    from reviews.services.roles import review_role_grant

    review_role_grant(actor=coordinator, review_id=easter_case.pk, user=chair, role=Role.CHAIR, agency=None)
    with pytest.raises(PermissionDenied):
        record(easter_case, chair, NoticeKind.SERIOUS_INCIDENT, date(2026, 4, 10), **SI_CONTENT)
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("kind", "review_kind", "message"),
    [
        (NoticeKind.SERIOUS_INCIDENT, ReviewKind.CSPR, "is a local child safeguarding practice review"),
        (NoticeKind.HOME_OFFICE_DECISION, ReviewKind.RAPID, "owes no notice of the decision to the Home Office"),
        (NoticeKind.LAC_DEATH, ReviewKind.CHILD_DEATH, "owed only when the child was looked after"),
    ],
)
def test_a_notice_this_review_does_not_owe_is_refused(partnership, coordinator, today, kind, review_kind, message):
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=review_kind,
        key_dates={"became_aware_on": date(2026, 3, 2), "decision_on": date(2026, 3, 9)},
    )
    before = snapshot(review)
    with pytest.raises(ValidationError) as refused:
        record(review, coordinator, kind, date(2026, 3, 10), **SI_CONTENT)
    assert message in refused.value.messages[0]
    assert snapshot(review) == before


# --- the Panel's reply ----------------------------------------------------------------------------


def test_the_panel_s_reply_is_a_practice_clock_closure_days_lengthen(review, coordinator, today):
    """Sent to the Panel Wed 16 December 2026; the Panel replies in about 10 working days (practice).
    Without closure days: 17, 18, 21, 22, 23, 24, 29, 30, 31 Dec, 4 Jan = Mon 4 January 2027. The council
    closed 29 and 30 December: 17, 18, 21, 22, 23, 24, 31 Dec, 4, 5, 6 Jan = Wed 6 January 2027."""
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"sent_to_panel_on": date(2026, 12, 16)})
    assert clock(review, "panel_reply").due_date == date(2027, 1, 4)
    assert clock(review, "panel_reply").calendar == "local"

    closed_on(review.partnership, date(2026, 12, 29), date(2026, 12, 30))
    review_clocks_refresh(review=Review.objects.get(pk=review.pk))
    assert clock(review, "panel_reply").due_date == date(2027, 1, 6)
    # The statute clock of the same review did not move: 15 working days from Wed 4 March 2026.
    assert clock(review, "rapid_review").due_date == date(2026, 3, 25)

    record(review, coordinator, NoticeKind.PANEL_REPLY, date(2027, 1, 7), panel_agrees=True)
    assert status(review, "panel_reply", date(2027, 2, 1)) == (ClockStatus.MET_LATE, 1)
    assert Notice.objects.get(review=review).panel_agrees is True


def test_the_panel_s_reply_must_say_whether_it_agrees_and_cannot_come_before_the_review_went(
    review, coordinator, today
):
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"sent_to_panel_on": date(2026, 3, 20)})
    before = snapshot(review)
    with pytest.raises(ValidationError) as refused:
        record(review, coordinator, NoticeKind.PANEL_REPLY, date(2026, 3, 19))
    errors = refused.value.message_dict
    assert errors["panel_agrees"] == ["Say whether the Panel agrees with the partners' decision."]
    assert "cannot be before" in errors["sent_on"][0]
    assert snapshot(review) == before


def test_the_panel_s_reply_waits_for_the_date_the_review_went(review, coordinator, today):
    with pytest.raises(ValidationError) as refused:
        record(review, coordinator, NoticeKind.PANEL_REPLY, date(2026, 3, 19), panel_agrees=False)
    assert refused.value.message_dict["sent_on"] == [
        "Record the date the rapid review was sent to the national Panel first: the clock this date stops starts on it."
    ]


# --- the advance copy -------------------------------------------------------------------------------


@pytest.fixture
def cspr(partnership, coordinator, today):
    closed_on(partnership, date(2026, 4, 7), date(2026, 4, 8))
    today.set(date(2026, 3, 2))
    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CSPR,
        key_dates={"became_aware_on": date(2025, 12, 1), "decision_on": date(2026, 1, 2)},
    )


def test_the_advance_copy_counts_back_from_the_planned_then_the_real_publication(cspr, coordinator, today):
    assert clock(cspr, "advance_copy").due_date is None  # no publication date yet

    # Planned for Fri 10 April 2026: 7 working days before, skipping Easter Monday and Good Friday
    # (9, 8, 7, 2, 1 April, 31, 30 March) is Mon 30 March. The closure days of 7 and 8 April do not count
    # for a statute clock (with them it would be Thu 26 March).
    review_record_key_dates(
        actor=coordinator, review_id=cspr.pk, key_dates={"publication_planned_on": date(2026, 4, 10)}
    )
    row = clock(cspr, "advance_copy")
    assert (row.start_event, row.start_date, row.due_date, row.calendar) == (
        "publication_planned_on",
        date(2026, 4, 10),
        date(2026, 3, 30),
        "bank_holidays",
    )
    assert clock_deadline(cspr, "advance_copy").state == DeadlineState.OPEN

    today.set(date(2026, 4, 1))
    record(cspr, coordinator, NoticeKind.ADVANCE_COPY, date(2026, 4, 1))
    # Published on Mon 13 April instead: 10, 9, 8, 7, 2, 1 April, 31 March: due Tue 31 March, so the copy
    # sent Wed 1 April was one working day late.
    today.set(date(2026, 4, 14))
    review_record_key_dates(actor=coordinator, review_id=cspr.pk, key_dates={"published_on": date(2026, 4, 13)})
    row = clock(cspr, "advance_copy")
    assert (row.start_event, row.due_date) == ("published_on", date(2026, 3, 31))
    assert status(cspr, "advance_copy", date(2026, 4, 14)) == (ClockStatus.MET_LATE, 1)


def test_a_planned_publication_date_may_lie_ahead_but_the_copy_cannot(cspr, coordinator, today):
    review_record_key_dates(
        actor=coordinator, review_id=cspr.pk, key_dates={"publication_planned_on": date(2026, 4, 10)}
    )
    with pytest.raises(ValidationError) as refused:
        record(cspr, coordinator, NoticeKind.ADVANCE_COPY, date(2026, 3, 3))
    assert refused.value.message_dict["sent_on"] == [
        "The date the final report was sent to the Panel and the Secretary of State cannot be in the future."
    ]


def test_no_copy_is_owed_for_a_report_that_will_never_be_published(cspr, coordinator):
    from reviews.services.review import review_advance

    review_record_key_dates(
        actor=coordinator, review_id=cspr.pk, key_dates={"publication_planned_on": date(2026, 4, 10)}
    )
    review_advance(actor=coordinator, review_id=cspr.pk, transition="withdraw", reason="The family withdrew.")
    assert status(cspr, "advance_copy", date(2026, 5, 1))[0] == ClockStatus.WITHDRAWN
    assert clock_deadline(cspr, "advance_copy").state == DeadlineState.CANCELLED


# --- the Home Office and a looked-after child's death ----------------------------------------------


def test_the_home_office_is_told_of_the_decision_on_a_deadline_the_partnership_may_change(
    partnership, coordinator, today
):
    dhr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.DHR,
        key_dates={"became_aware_on": date(2026, 1, 31), "decision_on": date(2026, 2, 20)},
    )
    # Not confirmed nationally: 5 working days from Fri 20 February 2026 is Fri 27 February.
    assert (clock(dhr, "home_office_decision").basis, clock(dhr, "home_office_decision").due_date) == (
        "unsure",
        date(2026, 2, 27),
    )
    setting = ClockSetting(partnership=partnership, clock_key="home_office_decision", duration=10, unit="working_days")
    setting.full_clean()  # allowed: the deadline is not statute
    setting.save()
    review_clocks_refresh(review=Review.objects.get(pk=dhr.pk))
    assert clock(dhr, "home_office_decision").due_date == date(2026, 3, 6)  # 10 working days: Fri 6 March

    record(dhr, coordinator, NoticeKind.HOME_OFFICE_DECISION, date(2026, 3, 6), note="Emailed to the DHR team.")
    assert status(dhr, "home_office_decision", date(2026, 4, 1)) == (ClockStatus.MET, None)


def test_a_looked_after_child_s_death_owes_its_notice_only_once_recorded_as_looked_after(
    partnership, coordinator, today
):
    """Became aware Wed 23 December 2026; 5 working days is common, not confirmed, so closure days count:
    24, 31 December, 4, 5, 6 January (25, 28 Dec and 1 Jan bank holidays, 29 and 30 Dec closed) = Wed 6 Jan."""
    closed_on(partnership, date(2026, 12, 29), date(2026, 12, 30))
    cdr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        key_dates={"became_aware_on": date(2026, 12, 23), "incident_on": date(2026, 12, 22)},
    )
    assert not ReviewClock.objects.filter(review=cdr, key="lac_death_notice").exists()

    review_record_key_dates(actor=coordinator, review_id=cdr.pk, key_dates={"child_looked_after": True})
    assert clock(cdr, "lac_death_notice").due_date == date(2027, 1, 6)
    deadline = clock_deadline(cdr, "lac_death_notice")
    assert deadline.state == DeadlineState.OPEN

    # Recorded by mistake: the clock goes, and its reminders with it.
    review_record_key_dates(actor=coordinator, review_id=cdr.pk, key_dates={"child_looked_after": False})
    assert not ReviewClock.objects.filter(review=cdr, key="lac_death_notice").exists()
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.CANCELLED

    review_record_key_dates(actor=coordinator, review_id=cdr.pk, key_dates={"child_looked_after": True})
    record(cdr, coordinator, NoticeKind.LAC_DEATH, date(2027, 1, 7))
    assert status(cdr, "lac_death_notice", date(2027, 2, 1)) == (ClockStatus.MET_LATE, 1)


def test_a_notice_not_yet_recorded_is_chased_by_the_reminder_engine_until_it_is(review, coordinator, today):
    """The Panel's reply to a rapid review sent Wed 16 December 2026 is due Mon 4 January 2027; on the
    due day the sweep reminds the coordinator, and once the reply is recorded nothing more is sent."""
    from notifications.models import Notification
    from notifications.sweep import reminders_sweep_and_expand

    today.set(date(2026, 12, 16))
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"sent_to_panel_on": date(2026, 12, 16)})
    deadline = clock_deadline(review, "panel_reply")
    assert deadline.due_date == date(2027, 1, 4)

    today.set(date(2027, 1, 4))
    reminders_sweep_and_expand(today=date(2027, 1, 4))
    sent = Notification.objects.filter(deadline=deadline, kind="reminder", recipient=coordinator)
    assert sent.exists()
    assert {row.context["what"] for row in sent} == {"The national Panel replies to the rapid review"}

    record(review, coordinator, NoticeKind.PANEL_REPLY, date(2027, 1, 4), panel_agrees=False)
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET
    count = Notification.objects.filter(deadline=deadline, kind="reminder").count()
    reminders_sweep_and_expand(today=date(2027, 1, 5))
    assert Notification.objects.filter(deadline=deadline, kind="reminder").count() == count


def test_the_key_dates_page_cannot_untick_looked_after_once_its_notice_is_recorded(partnership, coordinator, today):
    """The notice of a looked-after child's death is recorded: unticking the box would drop its clock
    and leave the notice owed by nobody. The dataset page already refused it; the key dates page did not."""
    cdr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        key_dates={"became_aware_on": date(2026, 12, 23), "incident_on": date(2026, 12, 22)},
    )
    review_record_key_dates(actor=coordinator, review_id=cdr.pk, key_dates={"child_looked_after": True})
    record(cdr, coordinator, NoticeKind.LAC_DEATH, date(2027, 1, 7))

    with pytest.raises(ValidationError) as refused:
        review_record_key_dates(actor=coordinator, review_id=cdr.pk, key_dates={"child_looked_after": False})
    assert "is recorded, so this stays as it is" in refused.value.message_dict["child_looked_after"][0]
    assert Review.objects.get(pk=cdr.pk).child_looked_after
    assert ReviewClock.objects.filter(review=cdr, key="lac_death_notice").exists()
