"""The django-celery-beat row of the periodic task that closes factual accuracy rounds whose due
date has passed (beat runs with the DatabaseScheduler, as notifications' sweep does). Hourly at five
past, every day: a round closes on the first run after its due date ends, and is also closed
whenever it is read after that (reviews.services.accuracy)."""

from django.db import migrations

NAME = "reviews: close factual accuracy rounds past their date"


def schedule_accuracy_round_close(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "reviews.tasks.close_accuracy_rounds_past_due",
            "crontab": hourly,
            "interval": None,
            "enabled": True,
        },
    )
    # DatabaseScheduler notices new rows through this marker.
    from django.utils import timezone

    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def unschedule_accuracy_round_close(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0025_overview_report_accuracy_round"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule_accuracy_round_close, unschedule_accuracy_round_close)]
