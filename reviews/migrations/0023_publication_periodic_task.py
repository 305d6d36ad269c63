"""The django-celery-beat row that publishes scheduled publications on their day: every morning at
00:10 London time, and again hourly in the working day, so a beat that was down at midnight catches
up (the task publishes only what is due and is safe to run twice)."""

from django.db import migrations

PUBLISH = "reviews: publish scheduled publications"


def create_periodic_task(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="0,7-19", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.update_or_create(
        name=PUBLISH,
        defaults={
            "task": "reviews.tasks.publish_due_publications",
            "crontab": schedule,
            "interval": None,
            "enabled": True,
        },
    )
    from django.utils import timezone

    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def remove_periodic_task(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=PUBLISH).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0022_publication"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_periodic_task, remove_periodic_task)]
