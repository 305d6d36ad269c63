"""The publication form: the decision, and what each outcome needs (reviews/services/publication.py
says which; the service checks them all, so the form asks for everything and requires nothing the
decision might not need)."""

from __future__ import annotations

from django import forms

from reviews.models.publication import PublicationDecision
from reviews.services.publication import PublicationData
from ui.forms import GovukDateField, GovukForm


class PublicationForm(GovukForm):
    decision = forms.ChoiceField(
        label="What did the partners decide?",
        choices=PublicationDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to publish in full, a summary only, or not to publish."},
    )
    publish_on = GovukDateField(
        label="Publication date",
        error_name="the publication date",
        required=False,
        help_text=(
            "Today or later. The advance copy must have gone at least 7 working days before. For example, 27 3 2027"
        ),
    )
    family_told_on = GovukDateField(
        label="Date the family was told of the publication date",
        error_name="the date the family was told",
        required=False,
    )
    public_url = forms.CharField(
        label="Public address of the published report",
        required=False,
        max_length=500,
        help_text="Where the report is published, starting https://",
    )
    reason = forms.CharField(
        label="Reason (for a summary only, or not publishing)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Recorded with the decision and counted as such in timeliness and reports. Use pseudonyms.",
    )
    decision_sent_to_panel_on = GovukDateField(
        label="Date the decision was sent to the national Panel (a CSPR published as a summary, or not at all)",
        error_name="the date the decision was sent to the national Panel",
        required=False,
    )

    def publication_data(self) -> PublicationData:
        data = self.cleaned_data
        return PublicationData(
            decision=data["decision"],
            publish_on=data["publish_on"],
            family_told_on=data["family_told_on"],
            public_url=data["public_url"],
            reason=data["reason"],
            decision_sent_to_panel_on=data["decision_sent_to_panel_on"],
        )
