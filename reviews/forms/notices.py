"""The form for recording one onward notice: its date, and the content that kind of notice asks for."""

from __future__ import annotations

from typing import Any

from django import forms

from reviews.models.notices import NoticeSpec
from reviews.services.notices import CONTENT_MESSAGES, NoticeData
from ui.forms import GovukDateField, GovukForm, text_area

AGREES = [("yes", "Yes, the Panel agrees with the decision"), ("no", "No, the Panel does not agree")]


class NoticeForm(GovukForm):
    def __init__(self, *args: Any, spec: NoticeSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["sent_on"] = GovukDateField(label=spec.date_label, error_name=spec.date_label.lower())
        if "what_happened" in spec.content:
            self.fields["what_happened"] = text_area(
                "What happened", required=CONTENT_MESSAGES["what_happened"], rows=5, help_text="Use pseudonyms."
            )
            self.fields["agencies_involved"] = text_area(
                "Agencies involved", required=CONTENT_MESSAGES["agencies_involved"]
            )
            self.fields["immediate_actions"] = text_area(
                "Immediate actions taken", required=CONTENT_MESSAGES["immediate_actions"]
            )
        if "panel_agrees" in spec.content:
            self.fields["panel_agrees"] = forms.ChoiceField(
                label="Does the Panel agree with the partners' decision?",
                choices=AGREES,
                widget=forms.RadioSelect,
                error_messages={"required": CONTENT_MESSAGES["panel_agrees"]},
            )
        self.fields["note"] = forms.CharField(
            label="Notes (optional)",
            help_text="How it was sent, or a reference.",
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def notice_data(self) -> NoticeData:
        data = self.cleaned_data
        agrees = data.get("panel_agrees")
        return NoticeData(
            sent_on=data["sent_on"],
            what_happened=data.get("what_happened", ""),
            agencies_involved=data.get("agencies_involved", ""),
            immediate_actions=data.get("immediate_actions", ""),
            panel_agrees=None if agrees is None else agrees == "yes",
            note=data.get("note", ""),
        )
