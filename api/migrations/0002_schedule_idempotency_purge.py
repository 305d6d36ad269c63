"""The django-celery-beat row of the hourly purge of idempotency keys past their 24 hours (beat
runs with the DatabaseScheduler, as notifications' sweep and reviews' tasks do)."""

from django.db import migrations

NAME = "api: purge idempotency keys older than 24 hours"


def schedule_purge(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="35", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={"task": "api.tasks.purge_idempotency_keys", "crontab": hourly, "interval": None, "enabled": True},
    )
    # DatabaseScheduler notices new rows through this marker.
    from django.utils import timezone

    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def unschedule_purge(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_tokens_idempotency"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule_purge, unschedule_purge)]
