"""Admin for agency form definitions: a partnership administrator edits a form here.

A stored version is never changed: saving (an edit or a new form) stores the definition as the
next version through ``agency_form_publish``, so answers already written keep their questions. A
definition that breaks its own schema is refused on the page, each problem named. Answer sets are
read-only here: they change only through the agency lead's page.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.http import HttpRequest

from reviews.forms.agencyforms import AgencyFormDefinitionAdminForm
from reviews.models.agencyforms import AgencyFormAnswers, AgencyFormDefinition
from reviews.services.agencyforms import agency_form_publish
from ui.admin import ReadOnlyAdminMixin
from workflows.types import User


@admin.register(AgencyFormDefinition)
class AgencyFormDefinitionAdmin(admin.ModelAdmin):
    form = AgencyFormDefinitionAdminForm
    list_display = ("title", "key", "version", "created_at", "created_by")
    list_filter = ("key",)
    search_fields = ("key", "title")
    readonly_fields = ("version", "title", "created_at", "created_by")

    def get_readonly_fields(self, request: HttpRequest, obj: AgencyFormDefinition | None = None) -> Any:
        # The key names the form for good once a version exists: a change is its next version.
        return (*self.readonly_fields, "key") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: AgencyFormDefinition | None = None) -> bool:
        return False  # answers point at their version; versions are kept for ever

    def save_model(self, request: HttpRequest, obj: AgencyFormDefinition, form: Any, change: bool) -> None:
        actor = cast(User, request.user)  # the admin site lets only signed-in staff in
        published = agency_form_publish(actor=actor, key=obj.key, definition=obj.definition)
        # The admin goes on to the object it was given: point it at the new version.
        obj.pk, obj.version, obj.title = published.pk, published.version, published.title
        obj._state.adding = False
        if change:
            messages.info(
                request, f"Saved as version {published.version}; earlier versions and their answers are unchanged."
            )


@admin.register(AgencyFormAnswers)
class AgencyFormAnswersAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("contribution", "form", "updated_at")
    list_select_related = ("contribution__review", "contribution__agency", "form")
    search_fields = ("contribution__review__reference", "form__key")
