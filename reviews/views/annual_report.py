"""The annual report on screen and as files (docs/DOMAIN.md "Reporting"): the partnerships whose
figures the user reads, and one partnership's report for one financial year.

Inside the partnership (its coordinators and business manager) the figures are exact and marked
not for publication; the partnership's scrutineer gets them under disclosure control, tables,
charts and files alike, because the report is disclosed before anything is drawn from it.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from project.db_router import reading_from_replica
from reviews.permissions import figure_partnerships, partnership_figures_for
from reviews.selectors.annual_report import FIRST_YEAR, FinancialYear, annual_report_for
from reviews.selectors.annual_report_charts import report_charts
from reviews.selectors.annual_report_files import FORMATS, report_file
from ui.pagination import paginate
from ui.views import attachment
from workflows.types import AuthenticatedHttpRequest

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
FORMAT_NAMES = {"pdf": "PDF", "xlsx": "Excel spreadsheet (XLSX)", "csv": "CSV", "html": "HTML"}


@login_required
def partnerships(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The partnerships whose figures the user reads (only the user's own), with their years."""
    current = FinancialYear.of(timezone.localdate())
    pages = paginate(figure_partnerships(request.user), request.GET, singular="partnership", plural="partnerships")
    return render(
        request,
        "reviews/annual_report/partnerships.html",
        {"pages": pages, "current": current, "years": [current, current.previous, current.previous.previous]},
    )


@login_required
def annual_report_page(request: AuthenticatedHttpRequest, code: str, year: int) -> HttpResponse:
    access = partnership_figures_for(request.user, code)
    # The figures read from the replica when there is one (project/db_router.py).
    with reading_from_replica():
        report = annual_report_for(access, year)
    charts = {chart.table.key: chart for chart in report_charts(report)}
    sections = [
        {"title": section.title, "tables": [(table, charts.get(table.key)) for table in section.tables]}
        for section in report.sections
    ]
    this_year = FinancialYear.of(timezone.localdate()).start_year
    return render(
        request,
        "reviews/annual_report/page.html",
        {
            "access": access,
            "report": report,
            "sections": sections,
            "previous_year": FinancialYear(year - 1) if year - 1 >= FIRST_YEAR else None,
            "next_year": FinancialYear(year + 1) if year + 1 <= this_year + 1 else None,
            "formats": [(f, FORMAT_NAMES[f]) for f in ("pdf", "xlsx", "csv", "html")],
        },
    )


@login_required
def annual_report_download(request: AuthenticatedHttpRequest, code: str, year: int, file_format: str) -> FileResponse:
    access = partnership_figures_for(request.user, code)
    if file_format not in FORMATS:
        raise Http404("No such format.")
    with reading_from_replica():
        report = annual_report_for(access, year)
        content = report_file(report, file_format)
    suffix = "-not-for-publication" if report.exact else ""
    name = f"{access.partnership.code}-annual-report-{report.year.label.replace(' ', '-')}{suffix}.{file_format}"
    return attachment(io.BytesIO(content), name, CONTENT_TYPES[file_format])
