"""The dashboard's table rows, written with format_html rather than in the template language.

A page shows 50 reviews and about 100 clocks; the template language spent some 8 ms on them (160
microseconds a review: each variable looked up, each tag rendered, in a context stack), a fifth of
the whole page, and the dashboard is the page users open most. The markup is the same as
reviews/includes/clock_tag.html's tag and the review page's links; every value is escaped by
format_html.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from reviews.selectors.clocks import ClockRow
from reviews.selectors.dashboard import DashboardReview

register = template.Library()

_SLOT = "reference-slot"  # stands in for a review's reference in its URL

_REVIEW_ROW = """<tr class="govuk-table__row">
      <td class="govuk-table__cell">
        <a class="govuk-link" href="{}">{}</a><br>
        <span class="govuk-body-s">{}</span>
      </td>
      <td class="govuk-table__cell">{}</td>
      <td class="govuk-table__cell">
        <ul class="govuk-list reviews-clock-list">
          {}
        </ul>
      </td>
    </tr>"""

_CLOCK = """<li>
            <strong class="govuk-tag {}">{}</strong>
            <span class="govuk-body-s">{}{}{}</span>
          </li>"""


@register.simple_tag
def dashboard_rows(items: Iterable[DashboardReview]) -> SafeString:
    """The rows of one stage's table: each review's reference (a link), title, kind and clocks."""
    # One reverse() for the page, the reference put in its place: reverse() costs ~20 microseconds.
    link = reverse("reviews:review", args=[_SLOT])
    return format_html_join(
        "\n    ",
        _REVIEW_ROW,
        (
            (
                link.replace(_SLOT, quote(item.review.reference, safe="")),
                item.review.reference,
                item.review.title,
                item.review.get_kind_display(),
                _clocks(item.clocks),
            )
            for item in items
        ),
    )


def _clocks(rows: list[ClockRow]) -> SafeString:
    if not rows:
        return format_html('<li class="govuk-body-s">{}</li>', "No clocks")
    return format_html_join("\n          ", _CLOCK, ((row.tag_class, row.status_label, *_reading(row)) for row in rows))


def _reading(row: ClockRow) -> tuple[str, str, str]:
    """The clock's label, ': due <date>' once it has a due date, ' (<days left>)' while counting."""
    due = row.reading.due_date
    left = row.days_left_text
    return (row.clock.label, f": due {_short_date(due, get_language())}" if due else "", f" ({left})" if left else "")


@lru_cache(maxsize=2048)
def _short_date(day: date, language: str | None) -> str:
    """'14 Mar 2027', as the template's ``date:"j M Y"``: ~30 microseconds a call (the month's name
    is looked up in the translations), and a page's clocks fall due on few distinct days."""
    return date_format(day, "j M Y")
