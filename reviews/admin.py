"""Django admin for the review domain.

Reference data (partnerships, their closure days and clock settings, members, agencies) is edited
here. Everything with a lifecycle or an audit trail is read-only: reviews, roles, subjects and
clocks change only through reviews.services, so the admin offers the review transitions as
actions that call those services, as the signed-in admin user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from notifications.services import deadlines_reschedule_calendar
from reviews.clock_rules import ALL_SPECS
from reviews.deadlines import partnership_calendar
from reviews.models import (
    Agency,
    ClockSetting,
    ClosureDay,
    Partnership,
    PartnershipMember,
    Review,
    ReviewClock,
    ReviewKind,
    ReviewRole,
    ReviewState,
    Subject,
    SubjectIdentity,
)
from reviews.services import review_advance, review_clocks_refresh, review_convert_to_cspr
from workflows.audit import audit_record
from workflows.clocks import read_clock
from workflows.runner import TransitionRefused


class ReadOnlyAdminMixin:
    """For rows that only services write: the admin may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- partnerships and reference data --------------------------------------------------------


class ClosureDayInline(admin.TabularInline):
    model = ClosureDay
    extra = 0


def _clock_choices() -> list[tuple[str, str]]:
    # Statute clocks are listed too, so an administrator who picks one is told why it is fixed
    # (ClockSetting.clean) rather than left wondering why it is missing.
    choices = []
    for key, spec in sorted(ALL_SPECS.items(), key=lambda item: item[1].label):
        fixed = " — set by statute, cannot be changed" if not spec.duration_configurable else ""
        choices.append((key, f"{spec.label} (default {spec.duration_text}){fixed}"))
    return choices


class ClockSettingForm(forms.ModelForm):
    clock_key = forms.ChoiceField(label="Clock", choices=_clock_choices)

    class Meta:
        model = ClockSetting
        fields = ["clock_key", "duration", "unit"]


class ClockSettingInline(admin.TabularInline):
    model = ClockSetting
    form = ClockSettingForm
    extra = 0
    verbose_name = "clock setting (practice and unsure clocks only)"


class PartnershipForm(forms.ModelForm):
    review_kinds = forms.MultipleChoiceField(
        choices=ReviewKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The kinds of review this partnership runs.",
    )

    class Meta:
        model = Partnership
        fields = ["name", "code", "review_kinds", "rapid_review_clock_start"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    form = PartnershipForm
    list_display = ["name", "code", "rapid_review_clock_start"]
    search_fields = ["name", "code"]
    inlines = [ClosureDayInline, ClockSettingInline]

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Closure days and clock settings move due dates, and the rapid-review start setting
        # moves a start date: recompute the clocks of every open review so lists and reminders
        # agree with the new settings at once.
        if change and (
            any(formset.has_changed() for formset in formsets) or "rapid_review_clock_start" in form.changed_data
        ):
            # One partnership, read once with what every refresh asks it for (closure days, clock
            # settings), and shared by its reviews: not three queries per open review.
            partnership = Partnership.objects.prefetch_related("closure_days", "clock_settings").get(
                pk=form.instance.pk
            )
            open_reviews = (
                Review.objects.select_for_update()
                .filter(partnership=partnership)
                .exclude(state__in=[ReviewState.CLOSED, ReviewState.WITHDRAWN])
                .prefetch_related("clocks")
            )
            for review in open_reviews:
                review.partnership = partnership
                review_clocks_refresh(review=review)
            # Reminders skip the partnership's closure days: its open deadlines' next reminders move.
            deadlines_reschedule_calendar(calendar=partnership_calendar(form.instance.pk))


@admin.register(PartnershipMember)
class PartnershipMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "standing"]
    list_filter = ["partnership", "standing"]
    list_select_related = ["user", "partnership"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind", "partnerships"]
    search_fields = ["name", "short_name"]
    filter_horizontal = ["partnerships"]


# --- reviews and their transitions ------------------------------------------------------------


def _error_text(error: Exception) -> str:
    if isinstance(error, TransitionRefused):
        return " ".join([error.message, *error.reasons])
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You do not have the role needed for this step."


def _state_label(state: str) -> str:
    return ReviewState(state).label if state in ReviewState.values else state


def _transition_action(name: str, label: str) -> Callable[[Any, HttpRequest, QuerySet], None]:
    """An admin action that takes transition ``name`` on each selected review through the service."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        # One service call (one transaction) per review, so one refusal never undoes the others.
        # values_list: the changelist queryset joins the partnership for display; only these are needed.
        for pk, reference, state in queryset.order_by("reference").values_list("pk", "reference", "state"):
            try:
                if name == "convert_to_cspr":
                    cspr = review_convert_to_cspr(actor=request.user, review_id=pk)
                    done = f"converted into the local CSPR {cspr.reference}."
                else:
                    moved = review_advance(actor=request.user, review_id=pk, transition=name)
                    done = f"moved from {_state_label(state)} to {moved.get_state_display()}."
            except (TransitionRefused, PermissionDenied, ValidationError) as error:
                modeladmin.message_user(request, f"{reference}: {_error_text(error)}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{reference}: {done}", messages.SUCCESS)

    action.__name__ = f"advance_{name}"
    return admin.action(description=f"{label} (selected reviews)")(action)


def review_transition_actions() -> list[Callable[..., None]]:
    """One action per lifecycle step, except those that need a reason (withdraw needs a rationale,
    which an action cannot ask for: it stays on the review page)."""
    actions: dict[str, Callable[..., None]] = {}
    for meta in Review._meta.get_field("state").get_all_transitions(Review):
        if meta.name in actions or meta.custom.get("needs_reason"):
            continue
        actions[meta.name] = _transition_action(meta.name, meta.custom.get("label", meta.name))
    return list(actions.values())


class SubjectInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Subject
    fields = ["pseudonym", "sex", "date_of_birth", "date_of_death_or_incident"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class ReviewRoleInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewRole
    fields = ["role", "user", "agency", "granted_at"]
    readonly_fields = fields
    extra = 0


class ReviewClockInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewClock
    fields = ["label", "basis", "start_event", "start_date", "duration", "unit", "due_date", "stopped_on"]
    readonly_fields = fields
    extra = 0


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reviews are opened, dated and moved on through the services; here they are looked at and
    moved on with the actions. The state is never a form field (FSMField(protected=True))."""

    list_display = ["reference", "title", "kind", "state", "partnership", "created_at"]
    list_filter = ["partnership", "kind", "state"]
    list_select_related = ["partnership"]
    search_fields = ["reference", "title"]
    date_hierarchy = "created_at"
    fields = [
        "reference",
        "partnership",
        "kind",
        "title",
        "state",
        "became_aware_on",
        "incident_on",
        "notified_on",
        "decision_on",
        "ofsted_notified_on",
        "lado_referred_on",
        "converted_from",
        "withdrawal_rationale",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [SubjectInline, ReviewRoleInline, ReviewClockInline]
    actions = review_transition_actions()


# --- read-only views of rows the services write ---------------------------------------------


@admin.register(ReviewRole)
class ReviewRoleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Roles carry guardian object permissions that must move with them: they are granted and
    revoked on the review page through reviews.services, never edited here."""

    list_display = ["review", "role", "user", "agency", "granted_at"]
    list_filter = ["role", "review__partnership"]
    list_select_related = ["review", "user", "agency"]
    search_fields = ["review__reference", "user__username"]


class SubjectIdentityInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = SubjectIdentity
    fields = ["full_name", "nhs_number", "address"]
    readonly_fields = fields


@admin.register(Subject)
class SubjectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pseudonym", "review", "sex", "date_of_birth", "date_of_death_or_incident"]
    list_filter = ["review__partnership", "sex"]
    list_select_related = ["review"]
    # Pseudonyms and references only: searching by real name would reveal who is a subject.
    search_fields = ["pseudonym", "review__reference"]
    fields = ["review", "pseudonym", "sex", "date_of_birth", "date_of_death_or_incident"]
    readonly_fields = fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[admin.options.InlineModelAdmin]]:
        # Identities are shown to superusers only; staff with model permissions see pseudonyms.
        return [SubjectIdentityInline] if request.user.is_superuser else []

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.user.is_superuser and request.method == "GET" and response.status_code == 200:
            subject = self.get_object(request, object_id)
            if subject is not None and SubjectIdentity.objects.filter(subject=subject).exists():
                # Looking at an identity is itself attributable (need-to-know access, DOMAIN.md).
                audit_record(
                    actor=request.user, verb="identity.viewed", target=subject.review, pseudonym=subject.pseudonym
                )
        return response


@admin.register(ReviewClock)
class ReviewClockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["review", "label", "basis", "start_event", "start_date", "due_date", "stopped_on", "status"]
    list_filter = ["basis", "review__partnership", "key"]
    list_select_related = ["review__partnership"]
    search_fields = ["review__reference", "label"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Status needs each partnership's closure days: one prefetch, not a query per row.
        return super().get_queryset(request).prefetch_related("review__partnership__closure_days")

    @admin.display(description="status")
    def status(self, clock: ReviewClock) -> str:
        reading = read_clock(
            start_date=clock.start_date,
            due_date=clock.due_date,
            stopped_on=clock.stopped_on,
            abandoned=clock.abandoned,
            today=timezone.localdate(),
            calendar=clock.review.partnership,
        )
        return reading.status.label


# Registered here so Django's admin autodiscovery (which imports reviews.admin) finds them.
from reviews import admin_contributions, admin_findings  # noqa: E402, F401
