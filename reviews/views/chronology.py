"""The merged multi-agency chronology of a review: the page, the printable page, the CSV export,
and its release to the contributing agencies.

Coordinators, chairs and panel members read every agency's submitted entries; an agency lead
only their own agency's until the coordinator releases the merged chronology. A scrutineer
holds a role on the review but no access to case detail: 403.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from reviews.forms.chronology import EntryForm, ImportForm
from reviews.imports.chronology import COLUMNS, HEADERS, ImportRejected, max_rows, max_upload_bytes
from reviews.models.chronology import ChronologyEntry
from reviews.permissions import CASE_DETAIL, LEAD_AGENCY, ReviewAccess, contribution_for, refusal, review_for
from reviews.selectors.chronology import MergedChronology, chronology_rows, csv_rows, merged_chronology
from reviews.services.access_log import access_record
from reviews.services.chronology import chronology_release, entries_import, entry_delete, entry_save
from reviews.services.subjects import IdentityCheck
from reviews.views.contributions import contribution_url, locked_page
from ui.csv import csv_lines, csv_response
from ui.pagination import Pages
from ui.views import form_page, post_only, redirect_once, submit
from workflows.once import submit_once
from workflows.runner import TransitionRefused
from workflows.types import AuthenticatedHttpRequest


def _readable(request: AuthenticatedHttpRequest, reference: str) -> tuple[ReviewAccess, MergedChronology]:
    access = review_for(request.user, reference)
    chronology = merged_chronology(request.user, access.review, request.GET)
    if chronology is None:
        # Case detail (docs/DOMAIN.md "Who uses it"): what the reader lacks is a role that reads it.
        raise PermissionDenied(refusal(access.review, CASE_DETAIL, "read the merged chronology"))
    return access, chronology


def _context(access: ReviewAccess, chronology: MergedChronology) -> dict[str, object]:
    return {
        "review": access.review,
        "chronology": chronology,
        "filters": chronology.filters,
        "filter_query": chronology.filters.querystring(),
        "can_coordinate": access.is_coordinator,
        "own_agency_only": not chronology.scope.all_agencies,
    }


@login_required
def chronology_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access, chronology = _readable(request, reference)
    access_record(request, access.review, "chronology")
    page = chronology.page(request.GET.get("page"))
    context = _context(access, chronology)
    context.update(
        {
            "page": page,
            "rows": chronology_rows(chronology, page.object_list),
            # The links to the other pages keep the filters.
            "pages": Pages(
                page=page, params=QueryDict(chronology.filters.querystring()), singular="entry", plural="entries"
            ),
        }
    )
    return render(request, "reviews/chronology/merged.html", context)


@login_required
def chronology_print(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access, chronology = _readable(request, reference)
    access_record(request, access.review, "chronology_print")
    context = _context(access, chronology)
    parts = chronology.parts(request.GET)
    context.update({"pages": parts, "rows": chronology_rows(chronology, parts.page.object_list)})
    return render(request, "reviews/chronology/print.html", context)


@login_required
def chronology_export(request: AuthenticatedHttpRequest, reference: str) -> StreamingHttpResponse:
    access, chronology = _readable(request, reference)
    # Taking case data away in a file is itself attributable.
    access_record(
        request,
        access.review,
        "chronology_export",
        agencies=chronology.filters.agency_ids,
        significant_only=chronology.filters.significant_only,
    )
    return csv_response(f"{access.review.reference}-chronology.csv", csv_rows(chronology.entries))


@login_required
def chronology_release_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    # Releasing is the coordinator's: the service refuses anyone else (403), after the 405 to a GET.
    review = review_for(request.user, reference).review
    if (refused := post_only(request)) is not None:
        return refused
    try:
        chronology_release(actor=request.user, review_id=review.pk)
    except TransitionRefused as refusal:
        messages.info(request, refusal.message)
    else:
        messages.success(request, "The merged chronology is now visible to every agency lead on this review.")
    return redirect("reviews:chronology", reference=review.reference)


# --- entries ------------------------------------------------------------------------------------


@login_required
def entry_add(request: AuthenticatedHttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    return _entry_form(request, reference, contribution_id, entry_id=None)


@login_required
def entry_edit(request: AuthenticatedHttpRequest, reference: str, contribution_id: int, entry_id: int) -> HttpResponse:
    return _entry_form(request, reference, contribution_id, entry_id=entry_id)


def _entry_form(
    request: AuthenticatedHttpRequest, reference: str, contribution_id: int, *, entry_id: int | None
) -> HttpResponse:
    access = contribution_for(request.user, reference, contribution_id, LEAD_AGENCY, "write its chronology")
    entry = get_object_or_404(ChronologyEntry, pk=entry_id, contribution=access.contribution) if entry_id else None
    if not access.contribution.is_editable:
        return locked_page(request, access)
    if request.method == "POST":
        form = EntryForm(request.POST, creating=entry is None)
    else:
        form = EntryForm(initial=EntryForm.initial_from(entry) if entry else None, creating=entry is None)
    if "add_another" in request.POST:
        then = reverse("reviews:entry_add", args=[access.review.reference, contribution_id])
    else:
        then = contribution_url(access)
    # Adding is done once per form: a second click on "Save" is sent where the first went.
    # Editing the same entry twice is harmless, so edits carry no token. A ValidationError saves
    # nothing, and what the lead typed stays in the bound form.
    sent = submit(
        form,
        lambda data: submit_once(
            token=data["submission"] if entry is None else None,
            user=request.user,
            create=lambda: entry_save(
                actor=request.user,
                contribution_id=access.contribution.pk,
                data=form.entry_data(),
                entry_id=entry.pk if entry else None,
            ),
            result_url=lambda _saved: then,
        ),
        refused=TransitionRefused,
        check=IdentityCheck(
            actor=request.user,
            target=access.review,
            fields=("what_happened", "professional_role", "agency_comment", "source_record"),
            what="chronology entry",
        ),
    )
    if sent.refusal is not None:
        return locked_page(request, access)
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda _saved: "Entry saved." if entry else "Entry added.",
            repeated="This form had already been sent: the entry was added once.",
        )
    return form_page(
        request,
        "reviews/chronology/entry_form.html",
        sent,
        {"review": access.review, "contribution": access.contribution, "entry": entry},
    )


@login_required
def entry_delete_view(
    request: AuthenticatedHttpRequest, reference: str, contribution_id: int, entry_id: int
) -> HttpResponse:
    access = contribution_for(request.user, reference, contribution_id, LEAD_AGENCY, "write its chronology")
    entry = get_object_or_404(ChronologyEntry, pk=entry_id, contribution=access.contribution)
    if not access.contribution.is_editable:
        return locked_page(request, access)
    if request.method == "POST":
        try:
            entry_delete(actor=request.user, contribution_id=access.contribution.pk, entry_id=entry.pk)
        except TransitionRefused:
            return locked_page(request, access)
        messages.success(request, "Entry deleted.")
        return redirect(contribution_url(access))
    return render(
        request,
        "reviews/chronology/entry_delete.html",
        {"review": access.review, "contribution": access.contribution, "entry": entry},
    )


# --- import -------------------------------------------------------------------------------------


@login_required
def chronology_import(request: AuthenticatedHttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = contribution_for(request.user, reference, contribution_id, LEAD_AGENCY, "import its chronology")
    if not access.contribution.is_editable:
        return locked_page(request, access)
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    # Imported once per form, as entries are added once: a resent POST or a double click is sent
    # where the first went. Another form sending the same file is refused by the service ("already
    # imported on ...").
    sent = submit(
        form,
        lambda data: submit_once(
            token=data["submission"],
            user=request.user,
            create=lambda: entries_import(
                actor=request.user,
                contribution_id=access.contribution.pk,
                filename=data["file"].name,
                data=data["file"].read(),
                save_anyway=form.saving_anyway,
            ),
            result_url=lambda _count: contribution_url(access),
        ),
        refused=(ImportRejected, TransitionRefused),
    )
    if isinstance(sent.refusal, TransitionRefused):
        return locked_page(request, access)
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda count: f"{count} {'entry' if count == 1 else 'entries'} imported.",
            repeated="This file had already been sent: it was imported once.",
        )
    problems: list[str] = []
    problem_count = 0
    if isinstance(sent.refusal, ImportRejected):
        # The first problems, each as "Row N, Column: reason", and how many more; nothing was saved.
        problems = sent.refusal.problems
        problem_count = len(sent.refusal.errors) + sent.refusal.more
        # Only identities in the text may be imported anyway (choosing the file again).
        form.warned = sent.refusal.identities
    return render(
        request,
        "reviews/chronology/import.html",
        {
            "review": access.review,
            "contribution": access.contribution,
            "form": form,
            "problems": problems,
            "problem_count": problem_count,
            "listed_all": not (isinstance(sent.refusal, ImportRejected) and sent.refusal.more),
            "error_summary": form.error_summary() + [("#id_file", problem) for problem in problems],
            "columns": COLUMNS,
            "max_mb": max_upload_bytes() // 1_048_576,
            "max_rows": max_rows(),
        },
        status=400 if form.errors or problems else 200,
    )


@login_required
def import_template_csv(request: AuthenticatedHttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    contribution_for(request.user, reference, contribution_id)
    # Headers only: a notes line in a CSV would be read back as a (bad) chronology row. The notes
    # are on the import page and on the second sheet of the Excel template.
    response = HttpResponse("".join(csv_lines(HEADERS, ())), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="chronology-template.csv"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def import_template_xlsx(request: AuthenticatedHttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    contribution_for(request.user, reference, contribution_id)
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet
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
