"""Admin for panels: the quorum rule (editable) and meetings (read-only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from reviews.models.panels import PanelMeeting, QuorumGroup, QuorumRule
from ui.admin import ReadOnlyAdminMixin


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
