"""The engine's records in the admin: to read, never to change.

TransitionLog and AuditEvent are append-only. The admin offers no add, change or delete (so no
"delete selected" action either), and on PostgreSQL and SQLite a trigger refuses UPDATE and DELETE
anyway (migration 0002), so this is the friendly half of a rule the database enforces.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from workflows.models import AuditEvent, TransitionLog


class AppendOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(TransitionLog)
class TransitionLogAdmin(AppendOnlyAdmin):
    list_display = ["at", "object_label", "transition", "from_state", "to_state", "actor", "reason"]
    list_filter = ["transition", "to_state", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_label", "actor__username", "reason"]
    date_hierarchy = "at"
    fields = readonly_fields = (
        "at",
        "content_type",
        "object_id",
        "object_label",
        "transition",
        "from_state",
        "to_state",
        "actor",
        "reason",
    )


@admin.register(AuditEvent)
class AuditEventAdmin(AppendOnlyAdmin):
    list_display = ["at", "verb", "object_label", "actor"]
    list_filter = ["verb", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_label", "verb", "actor__username"]
    date_hierarchy = "at"
    fields = readonly_fields = ("at", "verb", "content_type", "object_id", "object_label", "actor", "detail")
