"""The annual report as files: CSV (every table one after another), XLSX (one sheet a table) and a
standalone HTML document (each table with its caption and headers, and the charts drawn from
the tables: reviews/selectors/annual_report_charts.py), and the PDF drawn from it.

Each file says under every table which disclosure rules were applied, or "NOT FOR PUBLICATION"
when the report is exact. Nothing here reads the database: give it the report, disclosed or not.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string

from reviews.disclosure import SUPPRESSED, Table, text
from reviews.selectors.annual_report import AnnualReport
from reviews.selectors.annual_report_charts import Chart, report_charts
from ui.csv import neutralise

FORMATS = ("csv", "xlsx", "html", "pdf")
NOT_IMPLEMENTED_TITLE = "NOT FOR PUBLICATION: actions closed as not implemented, and why"


@dataclass(frozen=True)
class Row:
    label: str
    values: list[str]
    total: bool


def rows(table: Table) -> list[Row]:
    return [Row(label, [text(v) for v in values], total) for label, values, total in table.lines()]


def _title_line(report: AnnualReport) -> str:
    line = f"{report.title} (figures read on {report.as_of:%-d %B %Y})"
    return line + (": NOT FOR PUBLICATION" if report.exact else "")


def report_csv(report: AnnualReport) -> str:
    """Every table: its section and title, the header, the rows (Total last), its notes and rules,
    then a blank line. A suppressed count is written as [c], so a figure is never an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe([_title_line(report)]))
    writer.writerow(safe([]))
    for section in report.sections:
        for table in section.tables:
            writer.writerow(safe([f"{section.title}: {table.title}"]))
            writer.writerow(safe(table.header()))
            for label, values, _ in table.lines():
                writer.writerow(safe([label, *(v if v is not None else SUPPRESSED for v in values)]))
            for note in table.notes:
                writer.writerow(safe([note]))
            writer.writerow(safe([table.rules_note]))
            writer.writerow(safe([]))
    if report.not_implemented:
        writer.writerow(safe([NOT_IMPLEMENTED_TITLE]))
        writer.writerow(safe(["Review", "Action", "Reason"]))
        writer.writerows(safe([n.reference, n.code, n.reason]) for n in report.not_implemented)
    return out.getvalue()


def safe(row: Iterable[object]) -> list[object]:
    """Every text cell through ui.csv.neutralise, so an agency or theme named "=..." stays text in a
    spreadsheet (CSV injection); counts stay numbers."""
    return [cell if isinstance(cell, int) else neutralise(cell) for cell in row]


def _sheet_name(table: Table, taken: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    base = re.sub(r"[\[\]:*?/\\]", "", table.key)[:28] or "table"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]}_{n}", n + 1
    taken.add(name)
    return name


def report_xlsx(report: AnnualReport) -> bytes:
    """One sheet a table (named by its key), with a contents sheet first."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    contents = book.active
    assert contents is not None
    contents.title = "Contents"
    contents.append(safe([_title_line(report)]))
    contents["A1"].font = Font(bold=True)
    contents.append(safe([]))
    taken = {"Contents"}
    for section in report.sections:
        for table in section.tables:
            name = _sheet_name(table, taken)
            contents.append(safe([name, f"{section.title}: {table.title}"]))
            sheet = book.create_sheet(name)
            sheet.append(safe([table.title]))
            sheet["A1"].font = Font(bold=True)
            if report.exact:
                sheet.append(safe(["NOT FOR PUBLICATION"]))
            sheet.append(safe(table.header()))
            for label, values, total in table.lines():
                sheet.append(safe([label, *(v if v is not None else SUPPRESSED for v in values)]))
                if total:
                    for cell in sheet[sheet.max_row]:
                        cell.font = Font(bold=True)
            sheet.append(safe([]))
            for note in table.notes:
                sheet.append(safe([note]))
            sheet.append(safe([table.rules_note]))
            sheet.column_dimensions["A"].width = 60
    if report.not_implemented:
        sheet = book.create_sheet("not_implemented")
        contents.append(safe(["not_implemented", NOT_IMPLEMENTED_TITLE]))
        sheet.append(safe([NOT_IMPLEMENTED_TITLE]))
        sheet.append(safe(["Review", "Action", "Reason"]))
        for n in report.not_implemented:
            sheet.append(safe([n.reference, n.code, n.reason]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_html(report: AnnualReport) -> str:
    """The standalone document, with each chart (caption, summary, SVG) before the table it is drawn from."""
    charts = {chart.table.key: chart for chart in report_charts(report)}
    sections = [
        {"title": s.title, "tables": [_html_table(t, charts.get(t.key)) for t in s.tables]} for s in report.sections
    ]
    return render_to_string(
        "reviews/annual_report/document.html",
        {
            "report": report,
            "sections": sections,
            "suppressed_marker": SUPPRESSED,
            "not_implemented_title": NOT_IMPLEMENTED_TITLE,
        },
    )


def _html_table(table: Table, chart: Chart | None) -> dict[str, object]:
    return {
        "chart": chart,
        "title": table.title,
        "header": table.header(),
        "rows": rows(table),
        "notes": table.notes,
        "rules_note": table.rules_note,
    }


def report_pdf(report: AnnualReport) -> bytes:
    """The HTML document as PDF, drawn by WeasyPrint fetching nothing (as the published report is)."""
    from reviews.selectors.publication import pdf_from_html

    return pdf_from_html(report_html(report))


def report_file(report: AnnualReport, file_format: str) -> bytes:
    """The report in ``file_format`` (one of FORMATS), as bytes to write or send."""
    if file_format == "csv":
        # With a byte order mark, so Excel opens the UTF-8 (the en dash, "£") as UTF-8.
        return report_csv(report).encode("utf-8-sig")
    if file_format == "xlsx":
        return report_xlsx(report)
    if file_format == "html":
        return report_html(report).encode("utf-8")
    if file_format == "pdf":
        return report_pdf(report)
    raise ValueError(f"no such format: {file_format!r}")
