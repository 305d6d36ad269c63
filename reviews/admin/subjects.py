"""Admin for subjects (read-only); identities only inline."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from reviews.models import (
    RestrictedName,
    Subject,
    SubjectIdentity,
)
from ui.admin import ReadOnlyAdminMixin
from workflows.audit import audit_record


class SubjectInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Subject
    fields = readonly_fields = ("pseudonym", "sex", "date_of_birth", "date_of_death_or_incident")
    extra = 0
    show_change_link = True


class SubjectIdentityInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = SubjectIdentity
    fields = readonly_fields = ("full_name", "nhs_number", "address")


@admin.register(Subject)
class SubjectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pseudonym", "review", "sex", "date_of_birth", "date_of_death_or_incident"]
    list_filter = ["review__partnership", "sex"]
    list_select_related = ["review"]
    # Pseudonyms and references only: searching by real name would reveal who is a subject.
    search_fields = ["pseudonym", "review__reference"]
    fields = readonly_fields = ("review", "pseudonym", "sex", "date_of_birth", "date_of_death_or_incident")

    def get_inlines(self, request: HttpRequest, obj: Subject | None) -> list[type[admin.options.InlineModelAdmin]]:
        # Identities are shown to superusers only; staff with model permissions see pseudonyms.
        return [SubjectIdentityInline] if request.user.is_superuser else []

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.user.is_superuser and request.method == "GET" and response.status_code == 200:
            subject = self.get_object(request, object_id)
            if subject is not None and SubjectIdentity.objects.filter(subject=subject).exists():
                # Looking at an identity is itself attributable (need-to-know access, docs/DOMAIN.md).
                audit_record(
                    actor=request.user, verb="identity.viewed", target=subject.review, pseudonym=subject.pseudonym
                )
        return response


@admin.register(RestrictedName)
class RestrictedNameAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Pseudonyms only, as for subjects: the real names are read on the review's own page, logged.
    list_display = ["pseudonym", "what", "review", "recorded_at"]
    list_filter = ["what", "review__partnership"]
    list_select_related = ["review"]
    search_fields = ["pseudonym", "review__reference"]
    fields = readonly_fields = ("review", "pseudonym", "what", "recorded_by", "recorded_at")
