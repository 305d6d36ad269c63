from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models


def refuse_invalid_email(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """A user's e-mail is where reminders go: refuse an address that could never receive one,
    when it is saved, rather than at 7 a.m. when the sweep tries it."""
    field = getattr(sender, "EMAIL_FIELD", "email")
    address = getattr(instance, field, "") or ""
    if not address:
        return  # no e-mail: in-app notifications only
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            {
                field: f"'{address}' is not a valid e-mail address, so reminders could not reach this person. "
                "Correct it or leave it empty."
            }
        ) from None


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        pre_save.connect(
            refuse_invalid_email, sender=get_user_model(), dispatch_uid="notifications_refuse_invalid_email"
        )
