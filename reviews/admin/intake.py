"""Admin for intake: the postcode map and intake contacts are edited here; notifications are only
listed (reference and status: the child's details are read in the coordinators' queue)."""

from __future__ import annotations

from django.contrib import admin

from reviews.models import IntakeContact, IntakeItem, PostcodeArea
from ui.admin import ReadOnlyAdminMixin


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(admin.ModelAdmin):
    list_display = ("prefix", "partnership")
    list_filter = ("partnership",)
    search_fields = ("prefix",)


@admin.register(IntakeContact)
class IntakeContactAdmin(admin.ModelAdmin):
    list_display = ("partnership", "email", "phone")


@admin.register(IntakeItem)
class IntakeItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "partnership", "status", "received_at")
    list_filter = ("partnership", "status")
    fields = readonly_fields = ("reference", "partnership", "status", "received_at", "linked_to", "review")
