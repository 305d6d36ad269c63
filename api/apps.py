from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API's plumbing (issue 16): tokens, scopes, problem details, idempotency,
    throttling, pagination, the schema and its docs. Knows nothing about reviews (as ui/ does);
    the resources live in reviews/api/."""

    name = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the bearer token's security scheme with drf-spectacular.
        from api import schema  # noqa: F401
