"""A review's documents: the list (only what the user may read), uploading, a document's page with
its versions and who may read it, and the download of each version (logged, as an attachment)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reviews.forms.documents import DocumentReadersForm, DocumentUploadForm, DocumentVersionForm
from reviews.models import Agency, Document, DocumentKind, Review
from reviews.permissions import DOCUMENT_UPLOADERS, DocumentAccess, document_for, documents_reader
from reviews.selectors.documents import document_readers, document_versions, documents_for, download_name
from reviews.services.access_log import access_record
from reviews.services.documents import (
    STORAGE,
    DocumentData,
    document_add_version,
    document_discard,
    document_record,
    document_set_readers,
    document_stage,
)
from reviews.services.subjects import IdentityCheck
from ui.forms import GovukForm
from ui.pagination import paginate
from ui.views import attachment, form_page, post_only, redirect_once, submit
from workflows.once import submit_once
from workflows.runner import TransitionRefused
from workflows.types import AuthenticatedHttpRequest


@login_required
def document_list(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access, leads = documents_reader(request.user, reference)
    pages = paginate(
        documents_for(access.review, access.perms, leads), request.GET, singular="document", plural="documents"
    )
    return render(
        request,
        "reviews/documents/list.html",
        {"review": access.review, "pages": pages, "can_upload": access.holds(DOCUMENT_UPLOADERS)},
    )


@login_required
def document_upload_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access, leads = documents_reader(request.user, reference)
    access.require(DOCUMENT_UPLOADERS, "upload documents")
    review = access.review
    lead_only = not access.is_coordinator
    agencies = list(
        Agency.objects.filter(pk__in=leads) if lead_only else Agency.objects.filter(partnerships=review.partnership)
    )
    kind = request.GET.get("kind", "")
    form = DocumentUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        agencies=agencies,
        lead_only=lead_only,
        initial={"kind": kind if kind in DocumentKind.values else ""},
    )
    sent = submit(
        form,
        lambda data: _upload_once(request, review, form.document_data(), data),
        refused=TransitionRefused,
        # The title and the file's own name are kept: neither may carry a subject's real name.
        check=IdentityCheck(actor=request.user, target=review, fields=("title", "file"), what="document"),
    )
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda document: f"{document.title} is uploaded.",
            repeated="This form had already been sent: the document was uploaded once, here it is.",
        )
    return form_page(request, "reviews/documents/upload.html", sent, {"review": review, "lead_only": lead_only})


def _upload_once(
    request: AuthenticatedHttpRequest, review: Review, document: DocumentData, data: dict[str, Any]
) -> tuple[Document | None, str]:
    """Stage the file outside any transaction (it is read, scanned and stored), then write its rows
    once per form (submit_once's transaction); the staged file goes if no row keeps it."""
    staged = document_stage(actor=request.user, review_id=review.pk, data=document, upload=data["file"])

    def record() -> Document:
        return document_record(actor=request.user, review_id=review.pk, data=document, staged=staged)

    def url_of(recorded: Document) -> str:
        return reverse("reviews:document", args=[review.reference, recorded.pk])

    try:
        outcome = submit_once(token=data["submission"], user=request.user, create=record, result_url=url_of)
    except BaseException:
        document_discard(staged)
        raise
    if outcome[0] is None:  # a repeated form: the first sending's file is the one kept
        document_discard(staged)
    return outcome


def _partnership_agencies(access: DocumentAccess) -> list[Agency]:
    return list(Agency.objects.filter(partnerships=access.review.partnership))


def _document_page(
    request: AuthenticatedHttpRequest,
    access: DocumentAccess,
    *,
    version_form: GovukForm | None = None,
    readers_form: DocumentReadersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    document = access.document
    reader_agencies = list(document.reader_agencies.order_by("name"))
    if access.is_coordinator and readers_form is None:
        readers_form = DocumentReadersForm(
            agencies=_partnership_agencies(access),
            initial={
                "chair": document.chair_may_read,
                "panel": document.panel_may_read,
                "scrutineers": document.scrutineers_may_read,
                "agencies": [str(agency.pk) for agency in reader_agencies],
            },
        )
    if access.may_add_version and version_form is None:
        version_form = DocumentVersionForm()
    forms = [form for form in (version_form, readers_form) if form is not None and form.is_bound]
    return render(
        request,
        "reviews/documents/detail.html",
        {
            "review": access.review,
            "document": document,
            "versions": document_versions(document),
            "readers": document_readers(document, [str(agency) for agency in reader_agencies]),
            "version_form": version_form,
            "readers_form": readers_form,
            "error_summary": [item for form in forms for item in form.error_summary()],
        },
        status=status,
    )


@login_required
def document_detail(request: AuthenticatedHttpRequest, reference: str, document_id: int) -> HttpResponse:
    access = document_for(request.user, reference, document_id)
    access_record(request, access.review, "document", document=access.document.pk)
    return _document_page(request, access)


@login_required
def document_version_add(request: AuthenticatedHttpRequest, reference: str, document_id: int) -> HttpResponse:
    access = document_for(request.user, reference, document_id, adding_version=True)
    if (refused := post_only(request)) is not None:
        return refused
    form = DocumentVersionForm(request.POST, request.FILES)
    sent = submit(
        form,
        lambda data: document_add_version(actor=request.user, document_id=access.document.pk, upload=data["file"]),
        check=IdentityCheck(actor=request.user, target=access.review, fields=("file",), what="document"),
    )
    if sent.saved and sent.result is not None:
        messages.success(request, f"Version {sent.result.number} of {access.document.title} is uploaded.")
        return redirect("reviews:document", reference=access.review.reference, document_id=access.document.pk)
    return _document_page(request, access, version_form=form, status=400)


@login_required
def document_readers_view(request: AuthenticatedHttpRequest, reference: str, document_id: int) -> HttpResponse:
    access = document_for(request.user, reference, document_id)
    access.require_coordinator("choose who may read a document")
    if (refused := post_only(request)) is not None:
        return refused
    form = DocumentReadersForm(request.POST, agencies=_partnership_agencies(access))
    if form.is_valid():
        try:
            document_set_readers(actor=request.user, document_id=access.document.pk, readers=form.readers())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Who may read {access.document.title} is saved.")
            return redirect("reviews:document", reference=access.review.reference, document_id=access.document.pk)
    return _document_page(request, access, readers_form=form, status=400)


@login_required
def document_download(
    request: AuthenticatedHttpRequest, reference: str, document_id: int, version: int
) -> FileResponse:
    access = document_for(request.user, reference, document_id)
    found = access.document.versions.filter(number=version).first()
    if found is None:
        raise Http404("No such version.")
    access_record(request, access.review, "document_download", document=access.document.pk, version=found.number)
    return attachment(storages[STORAGE].open(found.blob, "rb"), download_name(found), found.content_type)
