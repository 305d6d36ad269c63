"""Template tags for GOV.UK Design System markup that every page repeats."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def table_head(*headers: str) -> SafeString:
    """A govuk-table head row of plain column headers: ``{% table_head "When" "Who" "What" %}``.
    Headers are escaped; a table whose headers hold markup writes its own <thead>."""
    cells = format_html_join(
        "\n    ", '<th scope="col" class="govuk-table__header">{}</th>', ((header,) for header in headers)
    )
    return format_html(
        '<thead class="govuk-table__head">\n  <tr class="govuk-table__row">\n    {}\n  </tr>\n</thead>', cells
    )
