from __future__ import annotations

from django import forms

from api.models import Scope
from ui.forms import GovukForm

LIFETIMES = [("30", "30 days"), ("90", "90 days"), ("180", "180 days"), ("365", "1 year")]


class TokenForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, for example 'Police case system'",
        error_messages={"required": "Enter a name for the token"},
    )
    scopes = forms.MultipleChoiceField(
        label="What the token may do",
        choices=Scope.choices,
        help_text=(
            "Read: see what you may see. Contribute: your agency's writes. Coordinate: moving reviews on. "
            "Notify: only send notifications of a child's death (a hospital's system)."
        ),
        error_messages={"required": "Choose at least one scope"},
    )
    lifetime = forms.ChoiceField(
        label="Expires after",
        choices=LIFETIMES,
        initial="90",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when the token expires"},
    )
