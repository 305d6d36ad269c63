from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the service (issue 17): health and readiness probes, Prometheus metrics, request ids
    in structured logs (docs/OBSERVABILITY.md). Knows nothing about reviews beyond reading the
    outbox, claim and clock tables it reports on."""

    name = "ops"
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The request id is cleared after each response; a task's lines carry its task id instead.
        from ops import logs

        logs.connect_signals()
