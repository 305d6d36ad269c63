"""Celery entry points of the API (beat: migration api/0002_schedule_idempotency_purge)."""

from __future__ import annotations

from celery import shared_task

from api.idempotency import idempotency_keys_purge


@shared_task(ignore_result=True)
def purge_idempotency_keys() -> dict[str, int]:
    """Idempotency keys are kept 24 hours; older ones are deleted hourly."""
    return {"deleted": idempotency_keys_purge()}
