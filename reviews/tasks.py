"""Celery entry points of reviews: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from reviews.services.accuracy import accuracy_rounds_close_past_due


@shared_task(ignore_result=True)
def close_accuracy_rounds_past_due() -> dict[str, int]:
    """Close the factual accuracy rounds whose due date has passed (beat: migration 0023); their
    agencies' reminders stop in the same commit."""
    return {"closed": len(accuracy_rounds_close_past_due())}
