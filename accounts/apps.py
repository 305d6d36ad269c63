from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Two-factor sign-in pages (django-otp): enrol a TOTP app, backup codes, the code step."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # project/ is not an app, so the sign-in app registers the project's deploy check.
        from django.core import checks

        from project.security import check_secret_key

        checks.register(check_secret_key, checks.Tags.security, deploy=True)
