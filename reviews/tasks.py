"""Celery entry points of the reviews app: thin, safe to run twice (the services lock and re-check)."""

from __future__ import annotations

from celery import shared_task

from reviews.services.accuracy import accuracy_rounds_close_past_due
from reviews.services.publication import publications_publish_due


@shared_task(ignore_result=True)
def publish_due_publications() -> dict[str, list[str]]:
    """Scheduled publications whose day has come are published (their clocks stop on the day)."""
    return {"published": publications_publish_due()}


@shared_task(ignore_result=True)
def close_accuracy_rounds_past_due() -> dict[str, int]:
    """Close the factual accuracy rounds whose due date has passed (beat: migration
    0026_schedule_accuracy_round_close); their agencies' reminders stop in the same commit."""
    return {"closed": len(accuracy_rounds_close_past_due())}
