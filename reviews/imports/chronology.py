"""Reading an agency's chronology from an uploaded CSV or XLSX file.

Every bad row is reported with its row number, column and reason, all at once (the first
CHRONOLOGY_IMPORT_MAX_ERRORS of them, the rest counted); the caller imports nothing unless every
row is good. Files are read in memory only: nothing uploaded is kept on disk.

A file's size says little about what it holds: a 5 KB .xlsx can declare a sheet of a million
rows, and a 2 MB CSV can hold a million one-character rows. So reading stops as soon as a limit
is passed (rows, the unzipped size of an .xlsx), columns past the last one read are never built,
and a sheet's declared size is ignored in favour of the rows it really holds.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
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
    # The entry's field the column fills (event_date ...): what the API names in its errors.
    field: str = ""

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message}"


class ImportRejected(Exception):
    """The whole file is refused; ``errors`` lists the problems found (at most
    ``max_errors()`` of them) and ``more`` counts those found but not listed."""

    def __init__(self, errors: list[RowError] | list[str], *, more: int = 0, identities: bool = False) -> None:
        self.errors = errors
        self.more = more
        # The problems are subjects' identities in the text (reviews/selectors/subjects.py): the
        # writer may import anyway, unlike any other problem.
        self.identities = identities
        super().__init__("; ".join(str(e) for e in errors[:5]))

    @property
    def problems(self) -> list[str]:
        """What the page lists: each problem, then how many more there were."""
        listed = [str(error) for error in self.errors]
        if self.more:
            listed.append(
                f"… and {self.more:,} more problem{'s' if self.more != 1 else ''} not listed here: "
                "fix these and import the file again to see them."
            )
        return listed


def max_upload_bytes() -> int:
    return getattr(settings, "CHRONOLOGY_IMPORT_MAX_BYTES", 2 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "CHRONOLOGY_IMPORT_MAX_ROWS", 20_000)


def max_columns() -> int:
    return getattr(settings, "CHRONOLOGY_IMPORT_MAX_COLUMNS", 30)


def max_unzipped_bytes() -> int:
    return getattr(settings, "CHRONOLOGY_IMPORT_MAX_UNZIPPED_BYTES", 16 * 1024 * 1024)


def max_errors() -> int:
    return getattr(settings, "CHRONOLOGY_IMPORT_MAX_ERRORS", 100)


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f}".removesuffix(".0") + " MB"


def read_rows(filename: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number as the user sees it, {header: raw value}) for every non-blank row."""
    name = filename.lower()
    limit = max_upload_bytes()
    if len(data) > limit:
        raise ImportRejected(
            [f"The file is {_megabytes(len(data))}; the most that can be imported is {_megabytes(limit)}."]
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
    if (nul := data.find(b"\x00")) != -1:
        # PostgreSQL cannot store a NUL in text, and the csv module refuses a line holding one.
        line = data.count(b"\n", 0, nul) + 1
        raise ImportRejected(
            [f"Line {line} holds a NUL character (a zero byte), which is not text: save the file again as CSV."]
        )
    return _csv_rows(data)


def _too_many_rows() -> ImportRejected:
    limit = max_rows()
    return ImportRejected(
        [
            f"The file has more than {limit:,} rows under the column names (blank rows count too); "
            f"the most one import can take is {limit:,}. Split it into files of at most {limit:,} rows, "
            "or delete the blank rows at the end."
        ]
    )


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


def _kept_rows(table: Iterator[Sequence[object]]) -> list[tuple[int, dict[str, Any]]]:
    """The rows under the header of ``table`` (rows of at most ``max_columns()`` cells), keyed
    by the template's headers; stops reading, and refuses the file, past ``max_rows()`` rows."""
    try:
        header = next(table)
    except StopIteration as error:
        raise ImportRejected(["The file is empty."]) from error
    positions = _check_headers(header)
    last_row = max_rows() + 1
    rows = []
    for number, values in enumerate(table, start=2):
        if number > last_row:
            raise _too_many_rows()
        if all(_blank(value) for value in values):
            continue
        rows.append((number, {h: _cell(values, positions.get(h.lower())) for h in HEADERS}))
    return rows


def _csv_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    width = max_columns()
    try:
        return _kept_rows(values[:width] for values in reader)
    except csv.Error as error:
        # The csv module's own words are for programmers; say where, and what it usually means.
        if "field larger than field limit" in str(error):
            reason = (
                f"a cell is longer than {csv.field_size_limit():,} characters, which no chronology cell "
                "should be (often a quote mark that is never closed)"
            )
        else:
            reason = f"it could not be read as CSV ({error})"
        raise ImportRejected([f"Line {reader.line_num}: {reason}. Nothing was imported."]) from error


# The start of a shared string (<si>, or <x:si> with a namespace prefix), wherever it is stored.
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def _check_workbook_size(data: bytes) -> None:
    """Refuse an .xlsx whose parts unzip to more than ``max_unzipped_bytes()``, or that holds more
    shared strings (the texts its cells point at, all read before the first row) than a
    chronology of ``max_rows()`` rows could. The sizes are those the zip declares: zipfile stops
    reading a part at its declared size (and then fails its checksum), so a part cannot unzip to
    more than it says; the strings are counted by unzipping in chunks, without parsing, and the
    counting stops at the limit."""
    unreadable = ImportRejected(["This Excel file could not be read; save it again from the template."])
    limit = max_unzipped_bytes()
    most_strings = max_rows() * len(COLUMNS)
    strings = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            unzipped = sum(part.file_size for part in parts)
            if unzipped > limit:
                raise ImportRejected(
                    [
                        f"This Excel file unzips to {_megabytes(unzipped)}; the most that can be read is "
                        f"{_megabytes(limit)}. Save the chronology alone in a new workbook from the template."
                    ]
                )
            for part in parts:
                with archive.open(part) as stream:
                    tail = b""
                    while strings <= most_strings and (chunk := stream.read(1_048_576)):
                        # The tail of the previous chunk is searched again, so no tag is cut in two;
                        # it is shorter than a tag, so none is counted twice.
                        window = tail + chunk
                        strings += len(_SHARED_STRING.findall(window))
                        tail = window[-32:]
                        strings -= len(_SHARED_STRING.findall(tail))
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise unreadable from error
    if strings > most_strings:
        raise ImportRejected(
            [
                f"This Excel file holds more than {most_strings:,} pieces of text, the most a chronology of "
                f"{max_rows():,} rows can hold. Save the chronology alone in a new workbook from the template."
            ]
        )


def _first_sheet(data: bytes) -> Any:
    """The workbook's first worksheet, read-only (streamed row by row), built without the two
    costs openpyxl's load_workbook would pay up front: it builds every sheet, and it finds each
    one's size from the ``<dimension>`` it declares, parsing the whole sheet when it declares none.
    The declared size is never used here, so it is never looked for. Returns None for a workbook
    with no worksheet."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class UnsizedSheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            # Rows and columns are as the sheet holds them (max_row/max_column stay None).
            return None

    class FirstSheetReader(ExcelReader):
        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    first = UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    self.wb._sheets.append(first)  # type: ignore[attr-defined]  # as openpyxl does
                    return

    # read_only streams the sheet's XML; openpyxl parses it with defusedxml (requirements.txt),
    # so no entity in an uploaded file is expanded.
    reader = FirstSheetReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _xlsx_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    _check_workbook_size(data)
    unreadable = ImportRejected(["This Excel file could not be read; save it again from the template."])
    try:
        workbook = _first_sheet(data)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise unreadable from error
    try:
        if not workbook.worksheets:
            raise ImportRejected(["This Excel file has no sheet of rows: use the template's first sheet."])
        # Only as many columns as are ever read are built, whatever a row holds.
        rows = workbook.worksheets[0].iter_rows(max_col=max_columns(), values_only=True)
        return _kept_rows(iter(rows))
    except ImportRejected:
        raise
    except Exception as error:  # a damaged part is found only as it is read
        raise unreadable from error
    finally:
        workbook.close()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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
