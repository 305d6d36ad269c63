"""Reading uploaded chronology files: formats, encodings, dates and the refusals."""

from __future__ import annotations

import io
from datetime import date, time

import pytest
from openpyxl import Workbook

from reviews.imports.chronology import (
    HEADERS,
    ImportRejected,
    parse_date,
    parse_precision,
    parse_significant,
    parse_time,
    read_rows,
)

HEADER_LINE = ",".join(HEADERS)


def test_utf8_csv_with_bom_reads_headers_and_accents():
    data = (
        "\ufeff" + HEADER_LINE + "\n14/03/2026,,09:30,Case note 1,Visit to Zoë's home,Health visitor,,yes\n"
    ).encode()
    [(row_number, row)] = read_rows("chronology.csv", data)
    assert row_number == 2
    assert row["Date"] == "14/03/2026"
    assert row["What happened"] == "Visit to Zoë's home"


def test_windows_1252_csv_is_decoded():
    data = (HEADER_LINE + "\n14/03/2026,,,Case note 1,Mother’s partner present – £20 owed,Social worker,,no\n").encode(
        "cp1252"
    )
    [(_, row)] = read_rows("chronology.csv", data)
    assert row["What happened"] == "Mother’s partner present – £20 owed"


def test_xlsx_rows_keep_dates_as_dates():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append([date(2026, 3, 14), "", "10:15", "Custody record 2231", "Arrest", "Police officer", "", "yes"])
    buffer = io.BytesIO()
    book.save(buffer)
    [(row_number, row)] = read_rows("chronology.xlsx", buffer.getvalue())
    assert row_number == 2
    assert parse_date(row["Date"]) == (date(2026, 3, 14), "exact")


def test_blank_rows_are_skipped_but_numbering_follows_the_file():
    data = (HEADER_LINE + "\n,,,,,,,\n14/03/2026,,,A,B,C,,\n").encode()
    [(row_number, _)] = read_rows("c.csv", data)
    assert row_number == 3


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("notes.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file"),
        ("c.csv", b"", "The file is empty."),
        ("c.xlsx", b"Date,Time\n", "not an Excel workbook"),
        ("c.csv", b"PK\x03\x04rest-of-a-zip", "not a text file"),
        ("c.csv", b"When,What\n1,2\n", "missing: Date, Source record, What happened, Professional role"),
    ],
)
def test_wrong_files_are_refused_with_a_clear_message(filename, data, message):
    with pytest.raises(ImportRejected) as refused:
        read_rows(filename, data)
    assert message in str(refused.value.errors[0])


def test_oversize_file_is_refused_before_reading(settings):
    settings.CHRONOLOGY_IMPORT_MAX_BYTES = 1024
    with pytest.raises(ImportRejected) as refused:
        read_rows("c.csv", (HEADER_LINE + "\n").encode() + b"x" * 2048)
    assert "the most that can be imported is" in str(refused.value.errors[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14/03/2026", (date(2026, 3, 14), "exact")),
        ("2026-03-14", (date(2026, 3, 14), "exact")),
        ("14 Mar 2026", (date(2026, 3, 14), "exact")),
        ("03/2026", (date(2026, 3, 1), "month")),
        ("2026-03", (date(2026, 3, 1), "month")),
        ("March 2026", (date(2026, 3, 1), "month")),
    ],
)
def test_dates_and_their_precision(text, expected):
    assert parse_date(text) == expected


def test_bad_values_explain_themselves():
    with pytest.raises(ValueError, match="is not a date"):
        parse_date("31/02/2026")
    with pytest.raises(ValueError, match="24-hour"):
        parse_time("half nine")
    with pytest.raises(ValueError, match="not yes or no"):
        parse_significant("maybe")
    with pytest.raises(ValueError, match="not exact, month or approximate"):
        parse_precision("roughly", "exact")


def test_time_significance_and_precision_values():
    assert parse_time("09:30") == time(9, 30)
    assert parse_time("") is None
    assert parse_significant("Yes") is True
    assert parse_significant("") is False
    assert parse_precision("", "month") == "month"
    assert parse_precision("approx", "exact") == "approximate"
