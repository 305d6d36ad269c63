"""A partnership's theme list: adding and removing a theme (its administrator or business manager,
or a review coordinator of it). The first change stores the default list, so the partnership edits
what it was using. Findings keep the names they were tagged with."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from reviews.models import Partnership, Theme
from reviews.models.findings import DEFAULT_THEMES
from reviews.permissions import may_edit_themes
from workflows.audit import audit_record
from workflows.types import User


def _require_editor(actor: User, partnership: Partnership) -> None:
    if not may_edit_themes(actor, partnership.pk):
        raise PermissionDenied(
            f"You need to be the administrator or business manager of {partnership} to change its themes."
        )


def _stored(partnership: Partnership) -> list[Theme]:
    """The partnership's rows, the defaults stored first if it has none (under its row lock)."""
    Partnership.objects.select_for_update().get(pk=partnership.pk)
    themes = list(Theme.objects.filter(partnership=partnership))
    if not themes:
        themes = Theme.objects.bulk_create(
            [Theme(partnership=partnership, name=name, position=i) for i, name in enumerate(DEFAULT_THEMES)]
        )
    return themes


def theme_add(*, actor: User, partnership: Partnership, name: str) -> Theme:
    _require_editor(actor, partnership)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter the theme's name"})
    if len(name) > 100:
        raise ValidationError({"name": "Keep the theme to 100 characters"})
    with transaction.atomic():
        themes = _stored(partnership)
        same = next((theme for theme in themes if theme.name.lower() == name.lower()), None)
        if same is not None:
            raise ValidationError({"name": f"“{same.name}” is already on the list"})
        last = Theme.objects.filter(partnership=partnership).aggregate(last=Max("position"))["last"] or 0
        theme = Theme.objects.create(partnership=partnership, name=name, position=last + 1)
        audit_record(actor=actor, verb="themes.add", target=partnership, theme=name)
    return theme


def theme_remove(*, actor: User, partnership: Partnership, name: str) -> None:
    """Take a theme off the list (by name: the defaults have no rows until the first change)."""
    _require_editor(actor, partnership)
    with transaction.atomic():
        themes = _stored(partnership)
        theme = next((theme for theme in themes if theme.name == name), None)
        if theme is None:
            raise ValidationError({"name": f"“{name}” is not on the list"})
        if len(themes) == 1:
            raise ValidationError({"name": "Keep at least one theme"})
        Theme.objects.filter(pk=theme.pk).delete()
        audit_record(actor=actor, verb="themes.remove", target=partnership, theme=name)
