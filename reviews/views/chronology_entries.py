"""The agency lead's writing: chronology entries one by one or by file, and the agency report.

All of it only while the contribution is editable (requested, in progress or returned); the
services refuse anything else, and the pages send the lead back to the read-only contribution.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from reviews.access_log import access_record
from reviews.chronology_import import COLUMNS, HEADERS, ImportRejected, max_upload_bytes
from reviews.forms_contributions import EntryForm, ImportForm, ReportForm
from reviews.models.contributions import Ask, ChronologyEntry
from reviews.selectors_contributions import ContributionAccess, contribution_get_for_user
from reviews.services.chronology import entries_import, entry_delete, entry_save, report_save_draft
from reviews.views._common import render_page
from reviews.views.contributions import contribution_url, require_lead
from workflows.once import submit_once
from workflows.runner import TransitionRefused


def _locked(request: HttpRequest, access: ContributionAccess) -> HttpResponse:
    contribution = access.contribution
    messages.info(
        request,
        f"The {contribution.agency} contribution is {contribution.get_state_display().lower()}: "
        "it can no longer be changed.",
    )
    return redirect(contribution_url(access))


def _writable(request: HttpRequest, reference: str, contribution_id: int, doing: str) -> ContributionAccess:
    access = contribution_get_for_user(request.user, reference, contribution_id)
    require_lead(access, doing)
    return access


# --- entries ------------------------------------------------------------------------------------


@login_required
def entry_add(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    return _entry_form(request, reference, contribution_id, entry_id=None)


@login_required
def entry_edit(request: HttpRequest, reference: str, contribution_id: int, entry_id: int) -> HttpResponse:
    return _entry_form(request, reference, contribution_id, entry_id=entry_id)


def _entry_form(request: HttpRequest, reference: str, contribution_id: int, *, entry_id: int | None) -> HttpResponse:
    access = _writable(request, reference, contribution_id, "write its chronology")
    entry = get_object_or_404(ChronologyEntry, pk=entry_id, contribution=access.contribution) if entry_id else None
    if not access.contribution.is_editable:
        return _locked(request, access)
    if request.method == "POST":
        form = EntryForm(request.POST)
    else:
        form = EntryForm(initial=EntryForm.initial_from(entry) if entry else None)
    if form.is_bound and form.is_valid():
        if "add_another" in request.POST:
            then = reverse("reviews:entry_add", args=[access.review.reference, contribution_id])
        else:
            then = contribution_url(access)
        try:
            # Adding is done once per form: a second click on "Save" is sent where the first went.
            # Editing the same entry twice is harmless, so edits carry no token.
            saved, then = submit_once(
                token=form.cleaned_data["submission"] if entry is None else None,
                user=request.user,
                create=lambda: entry_save(
                    actor=request.user,
                    contribution_id=access.contribution.pk,
                    data=form.entry_data(),
                    entry_id=entry.pk if entry else None,
                ),
                result_url=lambda _saved: then,
            )
        except ValidationError as error:
            # Nothing saved; what the lead typed stays in the bound form.
            form.add_service_errors(error)
        except TransitionRefused:
            return _locked(request, access)
        else:
            if saved is None:
                messages.info(request, "This form had already been sent: the entry was added once.")
            else:
                messages.success(request, "Entry saved." if entry else "Entry added.")
            return redirect(then)
    return render_page(
        request,
        "reviews/chronology/entry_form.html",
        {
            "review": access.review,
            "contribution": access.contribution,
            "entry": entry,
            "form": form,
            "error_summary": form.error_summary(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def entry_delete_view(request: HttpRequest, reference: str, contribution_id: int, entry_id: int) -> HttpResponse:
    access = _writable(request, reference, contribution_id, "write its chronology")
    entry = get_object_or_404(ChronologyEntry, pk=entry_id, contribution=access.contribution)
    if not access.contribution.is_editable:
        return _locked(request, access)
    if request.method == "POST":
        try:
            entry_delete(actor=request.user, contribution_id=access.contribution.pk, entry_id=entry.pk)
        except TransitionRefused:
            return _locked(request, access)
        messages.success(request, "Entry deleted.")
        return redirect(contribution_url(access))
    return render_page(
        request,
        "reviews/chronology/entry_delete.html",
        {"review": access.review, "contribution": access.contribution, "entry": entry},
    )


# --- import -------------------------------------------------------------------------------------


@login_required
def chronology_import(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = _writable(request, reference, contribution_id, "import its chronology")
    if not access.contribution.is_editable:
        return _locked(request, access)
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    error_summary: list[tuple[str, str]] = []
    problems: list[str] = []
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = entries_import(
                actor=request.user, contribution_id=access.contribution.pk, filename=upload.name, data=upload.read()
            )
        except ImportRejected as rejected:
            # Every problem at once, each as "Row N, Column: reason"; the service saved nothing.
            problems = [str(error) for error in rejected.errors]
            error_summary = [("#id_file", problem) for problem in problems]
        except TransitionRefused:
            return _locked(request, access)
        else:
            messages.success(request, f"{count} {'entry' if count == 1 else 'entries'} imported.")
            return redirect(contribution_url(access))
    error_summary = form.error_summary() + error_summary
    return render_page(
        request,
        "reviews/chronology/import.html",
        {
            "review": access.review,
            "contribution": access.contribution,
            "form": form,
            "problems": problems,
            "error_summary": error_summary,
            "columns": COLUMNS,
            "max_mb": max_upload_bytes() // 1_048_576,
        },
        status=400 if error_summary else 200,
    )


@login_required
def import_template_csv(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    contribution_get_for_user(request.user, reference, contribution_id)
    # Headers only: a notes line in a CSV would be read back as a (bad) chronology row. The notes
    # are on the import page and on the second sheet of the Excel template.
    buffer = io.StringIO()
    csv.writer(buffer).writerow(HEADERS)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="chronology-template.csv"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def import_template_xlsx(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    contribution_get_for_user(request.user, reference, contribution_id)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Chronology"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, (header, *_rest) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(65 + index)].width = max(14, len(header) + 4)
    notes = workbook.create_sheet("Notes")
    notes.append(["Column", "Required", "How to fill it in"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for header, _field, required, help_text in COLUMNS:
        notes.append([header, "yes" if required else "no", help_text])
    notes.append([])
    notes.append(["Only the first sheet is imported. One row per event; the role, never the name, of a professional."])
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["C"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="chronology-template.xlsx"'
    return response


# --- the agency report --------------------------------------------------------------------------


@login_required
def report_edit(request: HttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = _writable(request, reference, contribution_id, "write its agency report")
    contribution = access.contribution
    if Ask.AGENCY_REPORT not in contribution.asks:
        raise Http404("No agency report was asked for.")
    if not contribution.is_editable:
        return _locked(request, access)
    access_record(request, access.review, "agency_report", agency=str(contribution.agency))
    if request.method == "POST":
        form = ReportForm(request.POST)
    else:
        form = ReportForm(initial=ReportForm.initial_from(getattr(contribution, "report", None)))
    if form.is_bound and form.is_valid():
        try:
            report_save_draft(actor=request.user, contribution_id=contribution.pk, sections=form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        except TransitionRefused:
            return _locked(request, access)
        else:
            messages.success(request, "Draft saved. You can keep editing it until you submit the contribution.")
            return redirect("reviews:report_edit", reference=access.review.reference, contribution_id=contribution.pk)
    return render_page(
        request,
        "reviews/chronology/report_form.html",
        {"review": access.review, "contribution": contribution, "form": form, "error_summary": form.error_summary()},
        status=400 if form.errors else 200,
    )
