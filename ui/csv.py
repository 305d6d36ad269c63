"""CSV exports, streamed a row at a time, with one rule against spreadsheet formulas.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` is run as a formula when the file is opened in
Excel or LibreOffice, and a leading tab or carriage return lets one slip past a check of the first
character (OWASP "CSV injection"). Every cell of every export goes through ``neutralise``: such a
cell gets a leading ``'``, which the spreadsheet shows as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The byte order mark makes Excel read the file as UTF-8.
BOM = "\ufeff"


def neutralise(value: object) -> str:
    """The cell's text, made inert if a spreadsheet would run it; ``None`` is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line, so csv.writer formats without buffering."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The BOM and the header line, then one line per row, every cell neutralised."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([neutralise(header) for header in headers])
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def csv_response(filename: str, lines: Iterable[str]) -> StreamingHttpResponse:
    """Stream ``lines`` as a download: memory stays flat however many rows."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
