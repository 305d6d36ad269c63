"""The search box and its filters; the form that adds a theme to a partnership's list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from reviews.models import Agency, ReviewKind
from reviews.selectors.search import SearchFilters
from ui.forms import GovukForm

# The first financial year offered: reviews in the system start no earlier [practice].
FIRST_YEAR = 2015


class SearchForm(GovukForm):
    q = forms.CharField(
        label="Search",
        max_length=200,
        required=False,
        help_text="Words from a review's title, findings, learning, themes, recommendations, actions or "
        "published report.",
        error_messages={"max_length": "Keep the search to 200 characters"},
    )
    kind = forms.ChoiceField(
        label="Kind of review",
        required=False,
        choices=[("", "All kinds"), *ReviewKind.choices],
        error_messages={"invalid_choice": "Choose a kind of review from the list"},
    )
    theme = forms.ChoiceField(
        label="Theme",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Choose a theme from the list"},
    )
    year = forms.TypedChoiceField(
        label="Financial year opened",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        error_messages={"invalid_choice": "Choose a financial year from the list"},
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        required=False,
        queryset=Agency.objects.none(),
        empty_label="All agencies",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )

    def __init__(self, *args: Any, themes: list[str], agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "All themes"), *[(name, name) for name in themes]]  # type: ignore[attr-defined]
        this_year = timezone.localdate().year
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            ("", "Any year"),
            *[(str(year), f"{year} to {year + 1}") for year in range(this_year, FIRST_YEAR - 1, -1)],
        ]
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        agency = data.get("agency")
        return SearchFilters(
            words=" ".join((data.get("q") or "").split()),
            kind=data.get("kind") or "",
            theme=data.get("theme") or "",
            year=data.get("year"),
            agency_id=agency.pk if agency else None,
        )


class ThemeForm(GovukForm):
    name = forms.CharField(
        label="Add a theme",
        max_length=100,
        error_messages={"required": "Enter the theme's name", "max_length": "Keep the theme to 100 characters"},
    )
