"""The heartbeat's django-celery-beat row: every minute, so /readyz sees a worker within its
2-minute window even if one run is lost."""

from django.db import migrations
from django.utils import timezone

NAME = "ops: worker heartbeat"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        # Expires before the next run: a heartbeat queued behind a backlog is stale, not proof of life.
        defaults={
            "task": "ops.tasks.heartbeat",
            "interval": every_minute,
            "crontab": None,
            "enabled": True,
            "expire_seconds": 55,
        },
    )
    # DatabaseScheduler notices new rows through this marker.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_worker_heartbeat"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
