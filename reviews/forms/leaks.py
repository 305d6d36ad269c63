"""The chair's override of one identity found in an outgoing text."""

from __future__ import annotations

from django import forms

from reviews.services.leaks import MESSAGES
from ui.forms import GovukForm, text_area


class LeakOverrideForm(GovukForm):
    fingerprint = forms.CharField(
        widget=forms.HiddenInput, max_length=64, error_messages={"required": MESSAGES["gone"]}
    )
    reason = text_area("Why it may go out as it is", required=MESSAGES["reason"], max_length=2000)
