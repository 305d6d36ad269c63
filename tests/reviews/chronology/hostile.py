"""Hostile chronology files, made in the test and small on disk: workbooks whose few bytes declare
or hold huge sheets, and CSVs of very many tiny rows. Plain functions, imported by name."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from reviews.imports.chronology import HEADERS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"

PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
        '<sheet name="Chronology" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def cell(value: str, reference: str = "") -> str:
    at = f' r="{reference}"' if reference else ""
    return f'<c{at} t="inlineStr"><is><t>{value}</t></is></c>'


def header_row() -> str:
    return '<row r="1">' + "".join(cell(header) for header in HEADERS) + "</row>"


SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def workbook(rows: Iterable[str], *, dimension: str = "", doctype: str = "", shared_strings: int = 0) -> bytes:
    """An .xlsx whose first sheet holds ``rows`` (``<row>`` elements, streamed into the zip) and
    declares ``dimension`` (e.g. "A1:XFD1048576"), whatever it really holds; ``doctype`` heads
    the sheet's XML; ``shared_strings`` two-letter strings are put in the shared strings part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            if shared_strings and name == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
                text = text.replace("</Types>", override + "</Types>")
            archive.writestr(name, text)
        if shared_strings:
            with archive.open("xl/sharedStrings.xml", "w") as strings:
                strings.write(f'<sst xmlns="{MAIN}">'.encode())
                for _ in range(shared_strings // 10_000):
                    strings.write(b"<si><t>xy</t></si>" * 10_000)
                strings.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'{doctype}<worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            chunk: list[str] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == 10_000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write("".join(chunk).encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def declared_million_rows() -> bytes:
    """A few KB that say the sheet spans every row and column Excel allows; only the header is there."""
    return workbook([header_row()], dimension="A1:XFD1048576")


def far_last_row() -> bytes:
    """The header, then one cell in the last row and column Excel allows."""
    return workbook([header_row(), f'<row r="1048576">{cell("x", "XFD1048576")}</row>'])


def many_rows(count: int) -> bytes:
    """The header and ``count`` rows of one cell each, really there."""
    return workbook([header_row(), *(f'<row r="{n}">{cell("x", f"A{n}")}</row>' for n in range(2, count + 2))])


def unzipping_to(megabytes: int) -> bytes:
    """Rows of one cell that unzip to about ``megabytes`` MB and zip to a few tens of KB."""
    row = "<row>" + cell("x") + "</row>"
    return workbook([header_row(), *([row] * (megabytes * 1_048_576 // len(row)))])


def many_shared_strings(megabytes: int) -> bytes:
    """A sheet of only its header, and shared strings that unzip to about ``megabytes`` MB."""
    return workbook([header_row()], shared_strings=megabytes * 1_048_576 // len("<si><t>xy</t></si>"))


def csv_of_tiny_rows(count: int) -> bytes:
    """The header and ``count`` rows of one character each."""
    return (",".join(HEADERS) + "\n").encode() + b"x\n" * count


def entity_bomb() -> bytes:
    """A sheet whose cell is an entity that expands a thousandfold (a "billion laughs" in small)."""
    doctype = (
        '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    return workbook([header_row(), f'<row r="2">{cell("&c;", "A2")}</row>'], doctype=doctype)


GOOD_LINE = "14/03/2025,,,Custody record 2231,Arrest at the family home,Response officer,,yes"


def csv_with_nul() -> bytes:
    """A good CSV but for a NUL byte on its 3000th line (past where a text file's start is checked)."""
    lines = [",".join(HEADERS), *[GOOD_LINE] * 2998, GOOD_LINE.replace("Arrest", "Arr\x00est")]
    return ("\n".join(lines) + "\n").encode()


def csv_with_long_field() -> bytes:
    """A good CSV but for a cell of 140,000 characters on line 102 (the csv module's limit is 131,072)."""
    lines = [",".join(HEADERS), *[GOOD_LINE] * 100, f'14/03/2025,,,Log,"{"x" * 140_000}",Officer,,']
    return ("\n".join(lines) + "\n").encode()
