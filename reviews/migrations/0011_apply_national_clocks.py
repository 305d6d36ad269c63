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

Only pure functions are called (workflows.clocks, notifications.policies): they read no model;
the deadline is moved as 0008 moved it (reviews/migrations/_clock_deadlines.py).
"""

from django.db import migrations
from django.utils import timezone

NATIONAL = {"cspr_completion": 6, "dhr_decision": 1, "dhr_completion": 6}  # months
MONTHS = "months"
CDR_NOTIFICATION = "cdr_notification"


def _recount(apps, clock, fields, today):
    """Save ``fields`` of ``clock``, with its due date counted again from its start; a due date that
    moves takes its deadline with it."""
    from reviews.migrations._clock_deadlines import move_clock_deadline
    from workflows.clocks import compute_due_date

    due = compute_due_date(clock.start_date, clock.duration, clock.unit) if clock.start_date else None
    moved = due != clock.due_date
    clock.due_date = due
    clock.save(update_fields=[*fields, "due_date"] if moved else fields)
    if moved and due is not None:
        move_clock_deadline(apps, clock.pk, due, today)


def apply_national_clocks(apps, schema_editor):
    ReviewClock = apps.get_model("reviews", "ReviewClock")
    ClockSetting = apps.get_model("reviews", "ClockSetting")
    AuditEvent = apps.get_model("workflows", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    today = timezone.localdate()

    ClockSetting.objects.filter(clock_key__in=NATIONAL).delete()
    for clock in ReviewClock.objects.filter(key__in=NATIONAL).iterator():
        clock.basis, clock.calendar = "statute", "bank_holidays"
        clock.duration, clock.unit = NATIONAL[clock.key], MONTHS
        _recount(apps, clock, ["basis", "calendar", "duration", "unit"], today)

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
        clock.start_event, clock.start_date = "became_aware_on", review.became_aware_on
        _recount(apps, clock, ["start_event", "start_date"], today)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0010_record_clock_stop_dates"),
        ("notifications", "0005_deadline_calendar"),
        ("workflows", "0003_form_submission"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(apply_national_clocks, migrations.RunPython.noop)]
