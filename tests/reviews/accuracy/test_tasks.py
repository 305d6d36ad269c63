"""The periodic close is scheduled: beat's row (migration 0026_schedule_accuracy_round_close) names
a task the Celery app knows."""

from __future__ import annotations

from django_celery_beat.models import PeriodicTask

from project.celery import app


def test_the_periodic_close_is_in_the_beat_schedule(db):
    task = PeriodicTask.objects.get(name="reviews: close factual accuracy rounds past their date")
    assert task.enabled and task.task == "reviews.tasks.close_accuracy_rounds_past_due"
    assert (task.crontab.minute, task.crontab.hour) == ("5", "*")
    app.loader.import_default_modules()
    assert task.task in app.tasks
