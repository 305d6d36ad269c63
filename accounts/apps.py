from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Two-factor sign-in pages (django-otp): enrol a TOTP app, backup codes, the code step."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
