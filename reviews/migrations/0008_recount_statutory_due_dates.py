"""Each clock row records its working-day calendar, and statutory clocks no longer count closure days.

Until now every clock counted the partnership's closure days. A statutory or national-guidance clock
counts weekends and England & Wales bank holidays only (docs/DOMAIN.md, Clocks), so a statutory
clock in working days whose span held a closure day is due earlier than its row says: its due date
is counted again and its deadline moved with it (the next reminder worked out from the new date,
reminders written for the old date and not yet sent cancelled, as a moved deadline's are). A clock
that has stopped keeps its stop date; only the due date it is judged against changes.

The working-day arithmetic and the reminder schedule are pure functions (workflows.calendar,
notifications.policies): they read no model, so they are safe to call from a migration.
"""

from django.db import migrations
from django.utils import timezone

STATUTE = "statute"
WORKING_DAYS = "working_days"
BANK_HOLIDAYS, LOCAL = "bank_holidays", "local"


def recount_statutory_due_dates(apps, schema_editor):
    from reviews.migrations._clock_deadlines import move_clock_deadline
    from workflows.calendar import add_working_days

    ReviewClock = apps.get_model("reviews", "ReviewClock")
    ReviewClock.objects.filter(basis=STATUTE).update(calendar=BANK_HOLIDAYS)
    ReviewClock.objects.exclude(basis=STATUTE).update(calendar=LOCAL)

    today = timezone.localdate()
    statutory = ReviewClock.objects.filter(basis=STATUTE, unit=WORKING_DAYS, start_date__isnull=False)
    for clock in statutory.iterator():
        due = add_working_days(clock.start_date, clock.duration)
        if due == clock.due_date:
            continue
        clock.due_date = due
        clock.save(update_fields=["due_date"])
        move_clock_deadline(apps, clock.pk, due, today)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0007_reviewclock_calendar"),
        ("notifications", "0005_deadline_calendar"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(recount_statutory_due_dates, migrations.RunPython.noop)]
