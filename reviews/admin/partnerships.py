"""Admin for partnerships: members, agencies, closure days and clock settings."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest

from notifications.services import deadlines_reschedule_calendar
from reviews.models import (
    Agency,
    ClockSetting,
    ClosureDay,
    Partnership,
    PartnershipMember,
    Review,
    ReviewClock,
    ReviewKind,
    ReviewState,
)
from reviews.models.clocks import ALL_SPECS
from reviews.services.clocks import review_clocks_refresh
from reviews.services.deadlines import partnership_calendar

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

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: list[forms.BaseFormSet], change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        # Closure days and clock settings move due dates, and the rapid-review start setting
        # moves a start date: recompute the clocks of every review still counting so lists and
        # reminders agree with the new settings at once.
        if change and (
            any(formset.has_changed() for formset in formsets) or "rapid_review_clock_start" in form.changed_data
        ):
            # One partnership, read once with what every refresh asks it for (closure days, clock
            # settings), and shared by its reviews: not three queries per open review.
            partnership = Partnership.objects.prefetch_related("closure_days", "clock_settings").get(
                pk=form.instance.pk
            )
            # Open reviews, and closed or withdrawn ones with a clock still running (a rapid review
            # converted before the date it was sent to the Panel was recorded).
            running = ReviewClock.objects.filter(review=OuterRef("pk"), stopped_on__isnull=True)
            open_reviews = (
                Review.objects.select_for_update()
                .filter(partnership=partnership)
                .filter(~Q(state__in=[ReviewState.CLOSED, ReviewState.WITHDRAWN]) | Exists(running))
                .prefetch_related("clocks")
            )
            for review in open_reviews:
                review.partnership = partnership
                review_clocks_refresh(review=review)
            # Reminders skip the partnership's closure days: its open deadlines' next reminders move.
            deadlines_reschedule_calendar(calendar=partnership_calendar(form.instance.pk))


@admin.register(PartnershipMember)
class PartnershipMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "standing", "agency"]
    list_filter = ["partnership", "standing", "agency"]
    list_select_related = ["user", "partnership", "agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind", "partnerships"]
    search_fields = ["name", "short_name"]
    filter_horizontal = ["partnerships"]
