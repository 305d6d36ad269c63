"""What the clock data migrations share: moving a clock's reminder deadline to a recounted due date.

Not a migration (Django's loader skips modules whose names start with "_"). It works on the
historical models a migration hands it (``apps``) and calls only pure functions
(notifications.policies), so it reads the schema as of the migration that calls it.
"""

from datetime import date


def move_clock_deadline(apps, clock_pk: int, due: date, today: date) -> None:
    """Give the clock's deadline its new due date: the next reminder worked out from it, reminders
    written for the old date and not yet sent cancelled (as a moved deadline's are)."""
    from notifications.policies import NO_CLOSURES, schedule_for

    ContentType = apps.get_model("contenttypes", "ContentType")
    ClosureDay = apps.get_model("reviews", "ClosureDay")
    Deadline = apps.get_model("notifications", "Deadline")
    Notification = apps.get_model("notifications", "Notification")
    ReminderPolicy = apps.get_model("notifications", "ReminderPolicy")
    clock_type = ContentType.objects.filter(app_label="reviews", model="reviewclock").first()
    if clock_type is None:
        return
    deadline = Deadline.objects.filter(content_type=clock_type, object_id=clock_pk, kind="clock_due").first()
    if deadline is None:
        return
    deadline.due_date = due
    if deadline.state == "open":
        closed = NO_CLOSURES
        if deadline.calendar.isdigit():
            closed = frozenset(
                ClosureDay.objects.filter(partnership_id=int(deadline.calendar)).values_list("date", flat=True)
            )
        schedule = schedule_for(ReminderPolicy.objects.filter(kind="clock_due").first())
        upcoming = schedule.first_on_or_after(due, today, closed)
        deadline.next_step, deadline.next_reminder_on = upcoming if upcoming else (None, None)
    deadline.save(update_fields=["due_date", "next_step", "next_reminder_on", "updated_at"])
    Notification.objects.filter(deadline=deadline, kind="reminder", status__in=["ready", "held"]).exclude(
        due_date=due
    ).update(status="cancelled", last_error=f"Not sent: the deadline was moved to {due:%d %B %Y} first.")
