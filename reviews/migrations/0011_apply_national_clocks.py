"""National expectations are fixed, and a CDR notification runs from when the professional became aware.

- The CSPR's 6 months from the decision to initiate, and a DHR's decision within 1 month and
  completion within 6 months, are national guidance (docs/DOMAIN.md, Clocks): their clock rows
  become statutory, count weekends and bank holidays only, and take the national duration again
  where a partnership had set its own (that setting is removed: the admin now refuses it). A due
  date that moves takes its deadline with it.
- A child death's 48-hour notification clock starts when the notifying professional became aware
  (the review's ``became_aware_on``), not at the death. Where that date was never recorded, the date
  of death is carried over into it (audited), so no clock changes outcome without a recorded date:
  the professional cannot have learnt of the death before it happened, so this is the strictest
  reading, and the coordinator can record the real, later date.

Only pure functions are called (workflows.clocks, notifications.policies): they read no model.
"""

from django.db import migrations
from django.utils import timezone

NATIONAL = {"cspr_completion": 6, "dhr_decision": 1, "dhr_completion": 6}  # months
MONTHS = "months"
CDR_NOTIFICATION = "cdr_notification"


def _move_deadline(apps, clock, due, schedule, today):
    from notifications.policies import NO_CLOSURES

    ContentType = apps.get_model("contenttypes", "ContentType")
    ClosureDay = apps.get_model("reviews", "ClosureDay")
    Deadline = apps.get_model("notifications", "Deadline")
    Notification = apps.get_model("notifications", "Notification")
    clock_type = ContentType.objects.filter(app_label="reviews", model="reviewclock").first()
    if clock_type is None:
        return
    deadline = Deadline.objects.filter(content_type=clock_type, object_id=clock.pk, kind="clock_due").first()
    if deadline is None:
        return
    deadline.due_date = due
    if deadline.state == "open":
        closed = NO_CLOSURES
        if deadline.calendar.isdigit():
            closed = frozenset(
                ClosureDay.objects.filter(partnership_id=int(deadline.calendar)).values_list("date", flat=True)
            )
        upcoming = schedule.first_on_or_after(due, today, closed)
        deadline.next_step, deadline.next_reminder_on = upcoming if upcoming else (None, None)
    deadline.save(update_fields=["due_date", "next_step", "next_reminder_on", "updated_at"])
    Notification.objects.filter(deadline=deadline, kind="reminder", status__in=["ready", "held"]).exclude(
        due_date=due
    ).update(status="cancelled", last_error=f"Not sent: the deadline was moved to {due:%d %B %Y} first.")


def apply_national_clocks(apps, schema_editor):
    from notifications.policies import schedule_for
    from workflows.clocks import compute_due_date

    ReviewClock = apps.get_model("reviews", "ReviewClock")
    ClockSetting = apps.get_model("reviews", "ClockSetting")
    AuditEvent = apps.get_model("workflows", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReminderPolicy = apps.get_model("notifications", "ReminderPolicy")
    schedule = schedule_for(ReminderPolicy.objects.filter(kind="clock_due").first())
    today = timezone.localdate()

    ClockSetting.objects.filter(clock_key__in=NATIONAL).delete()
    for clock in ReviewClock.objects.filter(key__in=NATIONAL).iterator():
        clock.basis, clock.calendar = "statute", "bank_holidays"
        clock.duration, clock.unit = NATIONAL[clock.key], MONTHS
        fields = ["basis", "calendar", "duration", "unit"]
        due = compute_due_date(clock.start_date, clock.duration, MONTHS) if clock.start_date else None
        if due != clock.due_date:
            clock.due_date = due
            fields.append("due_date")
        clock.save(update_fields=fields)
        if "due_date" in fields and due is not None:
            _move_deadline(apps, clock, due, schedule, today)

    review_type = ContentType.objects.filter(app_label="reviews", model="review").first()
    for clock in ReviewClock.objects.filter(key=CDR_NOTIFICATION).select_related("review").iterator():
        review = clock.review
        if review.became_aware_on is None and review.incident_on is not None:
            review.became_aware_on = review.incident_on
            review.save(update_fields=["became_aware_on"])
            AuditEvent.objects.create(
                actor=None,
                verb="review.awareness_carried_over",
                content_type=review_type,
                object_id=review.pk,
                object_label=review.reference,
                detail={"became_aware_on": review.incident_on.isoformat(), "from": "incident_on"},
            )
        clock.start_event = "became_aware_on"
        clock.start_date = review.became_aware_on
        fields = ["start_event", "start_date"]
        due = compute_due_date(clock.start_date, clock.duration, clock.unit) if clock.start_date else None
        if due != clock.due_date:
            clock.due_date = due
            fields.append("due_date")
        clock.save(update_fields=fields)
        if "due_date" in fields and due is not None:
            _move_deadline(apps, clock, due, schedule, today)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0010_record_clock_stop_dates"),
        ("notifications", "0005_deadline_calendar"),
        ("workflows", "0003_form_submission"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(apply_national_clocks, migrations.RunPython.noop)]
