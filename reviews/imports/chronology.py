"""Reading an agency's chronology from an uploaded CSV or XLSX file.

Every bad row is reported with its row number, column and reason, all at once; the caller
imports nothing unless every row is good. Files are read in memory only: nothing uploaded is
kept on disk.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings

from reviews.models.chronology import DatePrecision

# (header in the template, field name, required, help shown in the template's second sheet)
COLUMNS: list[tuple[str, str, bool, str]] = [
    ("Date", "event_date", True, "14/03/2026, 2026-03-14, or month only: 03/2026 or March 2026"),
    ("Date precision", "date_precision", False, "exact, month or approximate (blank: from the date)"),
    ("Time", "event_time", False, "24-hour, e.g. 09:30 (optional)"),
    ("Source record", "source_record", True, "Where it is recorded, e.g. 'Custody record 2231'"),
    ("What happened", "what_happened", True, "The event, factually"),
    ("Professional role", "professional_role", True, "The role, never the name, e.g. 'Health visitor'"),
    ("Agency comment", "agency_comment", False, "The agency's comment on its significance"),
    ("Significant", "significant", False, "yes or no"),
]


HEADERS = [header for header, *_ in COLUMNS]


ACCEPTED_EXTENSIONS = (".csv", ".xlsx")


_MONTHS = {
    name.lower(): number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


_TRUE = {"yes", "y", "true", "1", "significant"}


_FALSE = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message}"


class ImportRejected(Exception):
    """The whole file is refused; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError] | list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


def max_upload_bytes() -> int:
    return getattr(settings, "CHRONOLOGY_IMPORT_MAX_BYTES", 2 * 1024 * 1024)


def read_rows(filename: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number as the user sees it, {header: raw value}) for every non-blank row."""
    name = filename.lower()
    limit = max_upload_bytes()
    if len(data) > limit:
        raise ImportRejected(
            [
                f"The file is {len(data) / 1_048_576:.1f} MB; "
                f"the most that can be imported is {limit / 1_048_576:.0f} MB."
            ]
        )
    if not name.endswith(ACCEPTED_EXTENSIONS):
        raise ImportRejected(["Upload a .csv or .xlsx file made from the chronology template."])
    if not data:
        raise ImportRejected(["The file is empty."])
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise ImportRejected(["This file is named .xlsx but is not an Excel workbook."])
        return _xlsx_rows(data)
    if data.startswith(b"PK") or b"\x00" in data[:1024]:
        raise ImportRejected(["This file is named .csv but is not a text file."])
    return _csv_rows(data)


def _decode(data: bytes) -> str:
    # Excel on Windows saves "CSV" as Windows-1252; "CSV UTF-8" adds a byte-order mark.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _check_headers(found: Sequence[object]) -> dict[str, int]:
    positions = {str(h).strip().lower(): i for i, h in enumerate(found) if h is not None}
    missing = [header for header, _, required, _ in COLUMNS if required and header.lower() not in positions]
    if missing:
        raise ImportRejected([f"The first row must hold the template's column names; missing: {', '.join(missing)}."])
    return positions


def _csv_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        header = next(reader)
    except StopIteration as error:
        raise ImportRejected(["The file is empty."]) from error
    positions = _check_headers(header)
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, {h: _cell(values, positions.get(h.lower())) for h in HEADERS}))
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportRejected(["This Excel file could not be read; save it again from the template."]) from error
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = list(next(iterator))
    except StopIteration as error:
        raise ImportRejected(["The file is empty."]) from error
    positions = _check_headers(header)
    rows = []
    for number, row in enumerate(iterator, start=2):
        values = list(row)
        if not any(v not in (None, "") for v in values):
            continue
        rows.append((number, {h: _cell(values, positions.get(h.lower())) for h in HEADERS}))
    workbook.close()
    return rows


def _cell(values: Sequence[object], index: int | None) -> Any:
    if index is None or index >= len(values):
        return ""
    value = values[index]
    return value.strip() if isinstance(value, str) else ("" if value is None else value)


def parse_date(value: Any) -> tuple[date, str]:
    """A date and its precision; raises ValueError with a message the user can act on."""
    if isinstance(value, datetime):
        return value.date(), DatePrecision.EXACT
    if isinstance(value, date):
        return value, DatePrecision.EXACT
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date(), DatePrecision.EXACT
        except ValueError:
            continue
    match = re.fullmatch(r"(\d{1,2})/(\d{4})", text) or re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if match:
        first, second = match.groups()
        year, month = (int(second), int(first)) if len(second) == 4 else (int(first), int(second))
        if 1 <= month <= 12:
            return date(year, month, 1), DatePrecision.MONTH
    match = re.fullmatch(r"([A-Za-z]+)\s+(\d{4})", text)
    if match and match.group(1).lower() in _MONTHS:
        return date(int(match.group(2)), _MONTHS[match.group(1).lower()], 1), DatePrecision.MONTH
    raise ValueError(f"'{text}' is not a date: use 14/03/2026, or 03/2026 for a month only.")


def parse_time(value: Any) -> time | None:
    if value in ("", None):
        return None
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    text = str(value).strip()
    for pattern in ("%H:%M", "%H:%M:%S", "%H.%M"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a time: use the 24-hour clock, e.g. 09:30.")


def parse_significant(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"'{value}' is not yes or no.")


def parse_precision(value: Any, from_date: str) -> str:
    text = str(value or "").strip().lower()
    if not text:
        return from_date
    aliases = {
        "exact": DatePrecision.EXACT,
        "day": DatePrecision.EXACT,
        "month": DatePrecision.MONTH,
        "month only": DatePrecision.MONTH,
        "approximate": DatePrecision.APPROXIMATE,
        "approx": DatePrecision.APPROXIMATE,
        "about": DatePrecision.APPROXIMATE,
    }
    if text not in aliases:
        raise ValueError(f"'{value}' is not exact, month or approximate.")
    return aliases[text]
