"""The partnership administrator's form for subscribing an endpoint to webhook events."""

from __future__ import annotations

from django import forms

from notifications.webhooks_models import WebhookEvent
from ui.forms import GovukForm


class WebhookSubscriptionForm(GovukForm):
    name = forms.CharField(
        label="Name of the endpoint",
        max_length=100,
        help_text="What receives the events, e.g. 'Police case system'.",
        error_messages={"required": "Enter a name for the endpoint", "max_length": "Keep the name to 100 characters"},
    )
    # The service checks the address (https only) and says why in its own words; a plain CharField
    # so a bad scheme gets that message rather than Django's generic one.
    url = forms.CharField(
        label="Endpoint address",
        max_length=500,
        help_text="Must start https://. Each event is POSTed here as JSON, signed (docs/WEBHOOKS.md).",
        error_messages={"required": "Enter the endpoint's address", "max_length": "Keep the address to 500 characters"},
    )
    events = forms.MultipleChoiceField(
        label="Events to send",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={
            "required": "Choose at least one event to send",
            "invalid_choice": "Select events from the list",
        },
    )
