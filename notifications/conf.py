"""Notification settings with their defaults (project/settings.py reads them from the environment)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> float:
    """Exponential back-off after the ``attempts``-th failed try: base, 2×base, 4×base ... capped."""
    base = float(getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 30))
    cap = float(getattr(settings, "NOTIFICATIONS_RETRY_MAX_SECONDS", 1800))
    delay: float = base * 2 ** max(0, attempts - 1)
    return min(cap, delay)


def stuck_after() -> timedelta:
    # Longer than one delivery can take (EMAIL_TIMEOUT), so a slow send is never re-queued under itself.
    return timedelta(seconds=float(getattr(settings, "NOTIFICATIONS_STUCK_AFTER_SECONDS", 600)))


def site_url() -> str:
    return str(getattr(settings, "NOTIFICATIONS_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def notify_api_key() -> str:
    return str(getattr(settings, "NOTIFY_API_KEY", "") or "")


def notify_template_id() -> str:
    return str(getattr(settings, "NOTIFY_TEMPLATE_ID", "") or "")
