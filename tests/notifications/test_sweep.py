"""The sweep: which reminders go out, to whom, when; stopping, moving, escalating, digests."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from notifications.models import Deadline, DeadlineState, Notification
from notifications.services import notification_deliver, preference_set
from notifications.sweep import reminders_sweep_and_expand
from reviews.models import ReviewState
from reviews.services.chronology import EntryData, entry_save
from reviews.services.contributions import contribution_advance, contribution_change_due_date
from tests.factories import advance_to

Status = Notification.Status


def reminders(**filters):
    # The review's own statutory clocks are long overdue in these fixtures and have reminders of
    # their own (to the coordinator); these tests look at the contribution's.
    return Notification.objects.filter(kind=Notification.Kind.REMINDER, deadline__kind="contribution_due", **filters)


@pytest.fixture(autouse=True)
def quiet_clocks(db):
    """The fixture review's statutory clocks are long overdue and would be reminded of too (to the
    coordinator); these tests are about the contribution's reminders, so clock reminders are off."""
    from notifications.models import ReminderPolicy

    ReminderPolicy.objects.filter(kind="clock_due").update(active=False)


def sweep_each_day(today, start: date, end: date) -> None:
    day = start
    while day <= end:
        today.set(day)
        reminders_sweep_and_expand(today=day)
        day += timedelta(days=1)


def an_entry() -> EntryData:
    return EntryData(
        event_date=date(2025, 11, 3),
        source_record="Custody record 2231",
        what_happened="Call to the family home.",
        professional_role="Response officer",
    )


@pytest.fixture
def senior_manager(police):
    police.senior_manager_name = "Chief Inspector Example"
    police.senior_manager_email = "ci.example@police.example.org"
    police.save()
    return police


def test_christmas_schedule_end_to_end(today, ask_police, police_lead, coordinator, senior_manager):
    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 30))

    sweep_each_day(today, date(2026, 12, 7), date(2027, 1, 20))

    to_lead = reminders(recipient=police_lead, channel="email").order_by("created_at", "id")
    # Written on the day each went out: no weekend, no bank holiday, one row per step.
    assert [(n.step, n.due_date) for n in to_lead] == [
        (-5, date(2026, 12, 30)),
        (-1, date(2026, 12, 30)),
        (0, date(2026, 12, 30)),
        (1, date(2026, 12, 30)),
        (3, date(2026, 12, 30)),
        (6, date(2026, 12, 30)),
        (11, date(2026, 12, 30)),
    ]
    deadline = Deadline.objects.get(object_id=contribution.pk, kind="contribution_due")
    assert deadline.next_step == 16 and deadline.next_reminder_on == date(2027, 1, 22)
    # The in-app copy of each, in the lead's inbox.
    assert reminders(recipient=police_lead, channel="in_app").count() == 7
    # Escalation from 3 working days overdue: the coordinator and the senior manager, not before.
    escalated = reminders(channel="email", escalation=True)
    assert sorted(set(escalated.values_list("step", flat=True))) == [3, 6, 11]
    assert set(reminders(recipient=coordinator, channel="email").values_list("step", flat=True)) == {3, 6, 11}
    assert set(reminders(email="ci.example@police.example.org").values_list("step", flat=True)) == {3, 6, 11}
    assert not reminders(step__lt=3, escalation=True).exists()


def test_sweep_on_a_bank_holiday_sends_nothing(today, ask_police):
    today.set(date(2026, 12, 7))
    ask_police(date(2026, 12, 30))
    result = reminders_sweep_and_expand(today=date(2026, 12, 25))
    assert "not a working day" in result.skipped
    assert not reminders().exists()


def test_second_sweep_the_same_day_writes_nothing_new(today, ask_police):
    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 30))
    today.set(date(2026, 12, 21))
    first = reminders_sweep_and_expand(today=date(2026, 12, 21))
    assert first.written == 2  # e-mail and in-app to the lead
    # Even with the deadline wound back (as if a second sweep had read it before the first moved it).
    Deadline.objects.filter(object_id=contribution.pk).update(next_step=-5, next_reminder_on=date(2026, 12, 21))
    again = reminders_sweep_and_expand(today=date(2026, 12, 21))
    assert again.deadlines == 1 and again.written == 0
    assert reminders().count() == 2


def test_reminders_stop_when_the_contribution_is_submitted(today, ask_police, police_lead):
    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 30))
    today.set(date(2026, 12, 21))
    reminders_sweep_and_expand(today=date(2026, 12, 21))
    pending = reminders(channel="email").get()
    assert pending.status == Status.READY  # written, not yet delivered (no worker here)

    entry_save(actor=police_lead, contribution_id=contribution.pk, data=an_entry())
    contribution_advance(actor=police_lead, contribution_id=contribution.pk, transition="submit")

    deadline = Deadline.objects.get(object_id=contribution.pk)
    assert deadline.state == DeadlineState.MET and deadline.next_reminder_on is None
    pending.refresh_from_db()
    assert pending.status == Status.CANCELLED and "met" in pending.last_error
    assert notification_deliver(notification_id=pending.pk).status == "skipped"
    sweep_each_day(today, date(2026, 12, 22), date(2027, 1, 20))
    assert reminders(channel="email").count() == 1
    assert not mail.outbox


def test_returned_submission_reopens_the_deadline(today, ask_police, police_lead, coordinator):
    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 30))
    entry_save(actor=police_lead, contribution_id=contribution.pk, data=an_entry())
    contribution_advance(actor=police_lead, contribution_id=contribution.pk, transition="submit")
    contribution_advance(
        actor=coordinator, contribution_id=contribution.pk, transition="return_to_agency", reason="Dates missing."
    )
    deadline = Deadline.objects.get(object_id=contribution.pk)
    assert deadline.state == DeadlineState.OPEN and deadline.next_reminder_on == date(2026, 12, 21)


def test_moved_due_date_reschedules_and_cancels_the_old_dates_reminders(today, ask_police, coordinator, police_lead):
    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 14))
    reminders_sweep_and_expand(today=date(2026, 12, 7))  # "due in 5 working days"
    old = reminders(channel="email").get()

    contribution_change_due_date(
        actor=coordinator, contribution_id=contribution.pk, new_due_date=date(2027, 1, 15), reason="Records delayed."
    )
    old.refresh_from_db()
    assert old.status == Status.CANCELLED and "moved to 15 January 2027" in old.last_error
    deadline = Deadline.objects.get(object_id=contribution.pk)
    assert (deadline.next_step, deadline.next_reminder_on) == (-5, date(2027, 1, 8))
    # The lead is told of the new date, in the inbox and by e-mail.
    moved = Notification.objects.filter(kind="deadline_set", recipient=police_lead, due_date=date(2027, 1, 15))
    assert set(moved.values_list("channel", flat=True)) == {"email", "in_app"}
    assert moved.first().context["moved"] is True


def test_withdrawn_review_stops_its_reminders(today, ask_police, coordinator, scoping):
    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 30))
    advance_to(scoping, ReviewState.WITHDRAWN, coordinator)
    assert Deadline.objects.get(object_id=contribution.pk, kind="contribution_due").state == DeadlineState.CANCELLED
    sweep_each_day(today, date(2026, 12, 21), date(2026, 12, 31))
    assert not reminders().exists()


def test_no_child_name_or_nhs_number_in_what_the_sweep_writes(today, ask_police, scoping):
    today.set(date(2026, 12, 7))
    ask_police(date(2026, 12, 14))
    reminders_sweep_and_expand(today=date(2026, 12, 7))
    for row in Notification.objects.all():
        text = str(row.context)
        assert "Child A" not in text and scoping.title not in text
        assert row.context["reference"] == scoping.reference


def sweep_then_run_the_expansion_task(day: date) -> int:
    """The production path: the beat task claims, a worker runs expand_due_reminders (its body
    called here), which folds the digests once no claim is left."""
    from notifications.sweep import deadlines_sweep
    from notifications.tasks import expand_due_reminders

    deadlines_sweep(today=day, publish=False)
    return expand_due_reminders()["digests"]


@pytest.mark.parametrize("path", ["command", "worker task"])
def test_daily_digest_folds_the_days_reminders_into_one_message(
    path, today, scoping, coordinator, partnership, police, chair, police_lead
):
    from reviews.models import Role
    from reviews.models.contributions import Ask
    from reviews.services.contributions import contribution_request
    from tests.factories import make_review

    today.set(date(2026, 12, 7))
    preference_set(user=police_lead, daily_digest=True)
    second = make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
        roles=[(chair, Role.CHAIR, None), (police_lead, Role.AGENCY_LEAD, police)],
    )
    advance_to(second, ReviewState.SCOPING, coordinator)
    for review in (scoping, second):
        contribution_request(
            actor=coordinator,
            review_id=review.pk,
            agency=police,
            lead=police_lead,
            asks=[Ask.CHRONOLOGY],
            due_date=date(2026, 12, 14),
            due_date_reason="Agreed.",
        )
    if path == "command":
        assert reminders_sweep_and_expand(today=date(2026, 12, 7)).digests == 1
    else:
        assert sweep_then_run_the_expansion_task(date(2026, 12, 7)) == 1
        assert sweep_then_run_the_expansion_task(date(2026, 12, 7)) == 0  # nothing new: no second digest
    held = reminders(channel="email", recipient=police_lead)
    assert held.count() == 2 and set(held.values_list("status", flat=True)) == {Status.HELD}
    digest = Notification.objects.get(kind="digest")
    mail.outbox.clear()
    assert notification_deliver(notification_id=digest.pk).status == Status.SENT
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert scoping.reference in body and second.reference in body and "due in 5 working days" in body
    assert set(held.values_list("status", flat=True)) == {Status.SENT}


def test_dry_run_lists_what_would_be_sent_and_to_whom(today, ask_police, police_lead, coordinator, senior_manager):
    today.set(date(2026, 12, 7))
    ask_police(date(2026, 12, 30))
    today.set(date(2027, 1, 5))
    out = StringIO()
    call_command("sweep_deadlines", "--dry-run", "--date", "2027-01-05", stdout=out)
    text = out.getvalue()
    assert "ESCALATION" in text and "3 working days overdue" in text
    assert police_lead.email in text and coordinator.email in text and "ci.example@police.example.org" in text
    assert "Nothing was written" in text
    assert not Notification.objects.filter(kind="reminder").exists()  # not even the clocks' reminders
    out = StringIO()
    call_command("sweep_deadlines", "--date", "2027-01-05", stdout=out)
    assert "1 deadline(s) due" in out.getvalue()
    assert reminders(escalation=True).exists()


def test_no_reminder_goes_out_on_a_partnership_closure_day(today, ask_police, police_lead, partnership):
    from reviews.models import ClosureDay

    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 30))
    deadline = Deadline.objects.get(object_id=contribution.pk, kind="contribution_due")
    assert deadline.calendar == str(partnership.pk)
    assert deadline.next_reminder_on == date(2026, 12, 21)  # "5 working days before"
    # The partnership closes on Monday 21 December after the reminder was scheduled.
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 12, 21), reason="Office move")

    today.set(date(2026, 12, 21))
    result = reminders_sweep_and_expand(today=date(2026, 12, 21))
    assert result.deadlines >= 1 and not reminders().exists()
    deadline.refresh_from_db()
    assert (deadline.next_step, deadline.next_reminder_on) == (-5, date(2026, 12, 22))

    today.set(date(2026, 12, 22))
    reminders_sweep_and_expand(today=date(2026, 12, 22))  # the next working day: sent then
    assert [(n.step, n.recipient) for n in reminders(channel="email")] == [(-5, police_lead)]


def test_a_new_closure_day_reschedules_the_partnerships_reminders(today, ask_police, partnership, admin_client):
    from django.urls import reverse

    from reviews.models import ClosureDay
    from tests.reviews.pages import partnership_form

    today.set(date(2026, 12, 7))
    contribution = ask_police(date(2026, 12, 30))
    assert Deadline.objects.get(object_id=contribution.pk, kind="contribution_due").next_reminder_on == date(
        2026, 12, 21
    )

    data = partnership_form(partnership, closure_days=[{"date": "2026-12-29", "reason": "Christmas closure"}])
    response = admin_client.post(reverse("admin:reviews_partnership_change", args=[partnership.pk]), data)

    assert response.status_code == 302
    assert ClosureDay.objects.filter(partnership=partnership).count() == 1
    deadline = Deadline.objects.get(object_id=contribution.pk, kind="contribution_due")
    # With 29 December closed, "5 working days before" 30 December is Friday 18 December.
    assert (deadline.next_step, deadline.next_reminder_on) == (-5, date(2026, 12, 18))
