"""Every create form of the project carries a required create-once token: one sent without it
cannot be told apart from a repeat, so it is refused, not let past the guard."""

from __future__ import annotations

import importlib
import pkgutil

import reviews.forms
from ui.forms import SubmitOnceMixin


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found | {grand for sub in found for grand in _subclasses(sub)}


def test_every_create_form_requires_its_token():
    for module in pkgutil.iter_modules(reviews.forms.__path__):
        importlib.import_module(f"reviews.forms.{module.name}")
    forms = _subclasses(SubmitOnceMixin)
    names = {form.__name__ for form in forms}
    assert {
        "OpenReviewForm",
        "ActionForm",
        "RecommendationForm",
        "PanelMeetingForm",
        "EntryForm",
        "ImportForm",
    } <= names
    assert all(form.base_fields["submission"].required for form in forms)
