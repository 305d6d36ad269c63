"""django-celery-beat rows for the two periodic tasks (beat runs with the DatabaseScheduler):

* the deadline sweep, hourly 07:00-19:00 on weekdays: the first run of a working day sends that
  day's reminders; later runs pick up deadlines set or moved during the day. It does nothing on
  bank holidays (the sweep checks the working-day calendar itself);
* the requeue of outbox rows stuck READY or SENDING, every 5 minutes.
"""

from django.db import migrations

SWEEP = "notifications: sweep deadlines"
REQUEUE = "notifications: requeue stuck notifications"


def create_periodic_tasks(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7-19", day_of_week="1-5", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    every_five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=SWEEP,
        defaults={"task": "notifications.tasks.sweep_deadlines", "crontab": hourly, "interval": None, "enabled": True},
    )
    PeriodicTask.objects.update_or_create(
        name=REQUEUE,
        defaults={
            "task": "notifications.tasks.requeue_stuck_notifications",
            "interval": every_five,
            "crontab": None,
            "enabled": True,
        },
    )
    # DatabaseScheduler notices new rows through this marker.
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_periodic_tasks(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[SWEEP, REQUEUE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_create_reminder_policies"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_periodic_tasks, remove_periodic_tasks)]
