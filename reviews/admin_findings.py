"""Admin for panels, findings and actions.

The partnership's own lists (themes, the quorum rule) are edited here. Meetings, findings and
actions are read-only: they change only through reviews.services (sign-off hashes, the
transition log, reminders), from the review pages.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from reviews.admin import ReadOnlyAdminMixin
from reviews.models.actions import Action
from reviews.models.findings import Findings, SignedFindings, Theme
from reviews.models.panels import PanelMeeting, QuorumGroup, QuorumRule


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "partnership", "position")
    list_filter = ("partnership",)
    list_select_related = ("partnership",)


class QuorumRuleForm(forms.ModelForm):
    # A checkbox per group, so an administrator cannot store a group the quorum check does not know.
    required_groups = forms.MultipleChoiceField(
        choices=QuorumGroup.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = QuorumRule
        fields = ("partnership", "chair_required", "required_groups")


@admin.register(QuorumRule)
class QuorumRuleAdmin(admin.ModelAdmin):
    form = QuorumRuleForm
    list_display = ("partnership", "chair_required", "required_groups")
    list_select_related = ("partnership",)


@admin.register(PanelMeeting)
class PanelMeetingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "partnership")
    list_select_related = ("partnership",)


@admin.register(Findings)
class FindingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("review", "state")
    list_select_related = ("review",)


@admin.register(SignedFindings)
class SignedFindingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__",)


@admin.register(Action)
class ActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "state", "due_date")
    list_filter = ("state",)
