"""Forms of the overview report: a section, a new version's note, and the two versions to compare."""

from __future__ import annotations

from typing import Any

from django import forms

from reviews.models import ReportVersion, SectionKind
from ui.forms import GovukForm, SubmitOnceMixin

KIND_CHOICES = [
    (SectionKind.TEXT.value, "Your own text"),
    (SectionKind.FINDINGS.value, "The signed findings and learning, shown as signed (not copied)"),
    (SectionKind.RECOMMENDATIONS.value, "The signed recommendations, shown as signed (not copied)"),
]


class SectionForm(GovukForm):
    heading = forms.CharField(
        label="Heading", max_length=200, error_messages={"required": "Enter a heading for the section."}
    )
    kind = forms.ChoiceField(
        label="What the section holds",
        choices=KIND_CHOICES,
        initial=SectionKind.TEXT.value,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the section holds."},
    )
    body = forms.CharField(
        label="Text",
        help_text="Use pseudonyms. Leave empty for a section showing the signed findings or recommendations.",
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 14}),
    )


class VersionForm(SubmitOnceMixin, GovukForm):
    """Starting a version creates one: a second click must not start two (ui.forms.SubmitOnceMixin)."""

    note = forms.CharField(
        label="What this version is for (optional)",
        required=False,
        max_length=500,
        help_text="For example: after the factual accuracy round.",
    )


class DiffForm(GovukForm):
    """The two versions to compare, as GET parameters."""

    def __init__(self, *args: Any, versions: list[ReportVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(v.number), f"Version {v.number}") for v in versions]
        self.fields["before"] = forms.TypedChoiceField(
            label="Compare", choices=choices, coerce=int, error_messages={"required": "Choose the earlier version."}
        )
        self.fields["after"] = forms.TypedChoiceField(
            label="with", choices=choices, coerce=int, error_messages={"required": "Choose the later version."}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("before") is not None and data.get("before") == data.get("after"):
            self.add_error("after", "Choose two different versions.")
        return data
