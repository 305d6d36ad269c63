"""The worker heartbeat that /readyz reads.

A database row rather than a cache key: the demo's cache is each process's own memory, so a key the
worker wrote would be invisible to the web process; and in production a Redis cache may evict keys
under memory pressure, which would make a healthy service look dead. /readyz queries the database
anyway, and one UPDATE a minute costs nothing.
"""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time a worker ran the heartbeat task: one row per worker host name (the periodic
    task runs on whichever worker takes it, so the newest row says some worker is consuming)."""

    worker = models.CharField(max_length=255, primary_key=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
