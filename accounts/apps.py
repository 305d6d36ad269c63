from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Two-factor sign-in pages (django-otp): enrol a TOTP app, backup codes, the code step."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # project/ is not an app, so the sign-in app wires the project's session clock to every
        # sign-in and registers its deploy check.
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from project.security import check_secret_key, record_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="project.security.record_sign_in")
        checks.register(check_secret_key, checks.Tags.security, deploy=True)
