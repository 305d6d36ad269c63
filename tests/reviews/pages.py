"""What the tests send to the pages and look for in them: form data (GOV.UK date fields, the
chronology entry form and file, opening a review, the partnership admin), the create-once token a
form carries, URLs, and the no-inline-script check. Plain functions, imported by name."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from django.urls import reverse

from reviews.imports.chronology import HEADERS
from reviews.models import Partnership, ReviewKind
from reviews.models.contributions import AgencyContribution

NEW = "reviews:review_new"


def date_parts(name: str, value: date) -> dict[str, str]:
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


def url(name: str, contribution: AgencyContribution, *extra: Any) -> str:
    """A contribution's page: ``reviews:<name>`` with the review's reference, the contribution and ``extra``."""
    return reverse(f"reviews:{name}", args=[contribution.review.reference, contribution.pk, *extra])


def token_of(html: str) -> str:
    """The create-once token of the form on the page."""
    match = re.search(r'name="submission" value="([0-9a-f-]{36})"', html)
    assert match, "the form should carry its submission token"
    return match.group(1)


def once() -> dict[str, str]:
    """A fresh create-once token, as a create form's page would carry (the form refuses a POST without one)."""
    return {"submission": str(uuid.uuid4())}


def assert_no_inline(html: str) -> None:
    """Every script is a file and nothing is styled inline: the Content-Security-Policy allows no other."""
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts and all(body.strip() == "" for body in scripts)
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert " on" + "click=" not in html
    assert "style=" not in html


def open_data(partnership: Partnership, **overrides: object) -> dict[str, object]:
    """The open-a-review form, filled in for a rapid review of Child C."""
    data: dict[str, object] = {
        "partnership": partnership.pk,
        "kind": ReviewKind.RAPID,
        "title": "Child C (aged 4)",
        **date_parts("became_aware_on", date(2026, 10, 1)),
        "subject_pseudonym": "Child C",
        **date_parts("subject_date_of_birth", date(2022, 2, 3)),
        "subject_sex": "female",
        **once(),
    }
    data.update(overrides)
    return data


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    """A chronology file with the expected header row and ``lines`` under it."""
    return ("\n".join([",".join(HEADERS), *lines]) + "\n").encode(encoding)


def entry_form(**changes: Any) -> dict[str, Any]:
    """The chronology entry form, filled in; a change to None leaves that field out."""
    data: dict[str, Any] = {
        **date_parts("event_date", date(2025, 3, 14)),
        "date_precision": "exact",
        "event_time": "22:10",
        "source_record": "Custody record 2231",
        "what_happened": "Arrest at the family home; child present.",
        "professional_role": "Response officer",
        "agency_comment": "First police contact with the family.",
        "significant": "on",
        **once(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def partnership_form(partnership: Partnership, *, clock_settings=(), closure_days=()) -> dict:
    """The partnership's admin page as saved, with its clock-setting and closure-day inlines."""
    data = {
        "name": partnership.name,
        "code": partnership.code,
        "review_kinds": list(partnership.review_kinds),
        "rapid_review_clock_start": partnership.rapid_review_clock_start,
        "_save": "Save",
    }
    for prefix, rows in (("clock_settings", clock_settings), ("closure_days", closure_days)):
        data |= {
            f"{prefix}-TOTAL_FORMS": len(rows),
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{field}": value for field, value in row.items()}
    return data
