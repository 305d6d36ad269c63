"""Publication: the coordinator records the decision once; afterwards everyone on the review, the
scrutineer included, reads the record (publication is public)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render

from reviews.forms.publication import PublicationForm
from reviews.models import Publication
from reviews.models.publication import PUBLISHED_KINDS
from reviews.permissions import COORDINATE, REVIEW_WIDE_READERS, review_for
from reviews.services.access_log import access_record
from reviews.services.publication import PDF_STORAGE, advance_copy_due, publication_record
from reviews.services.subjects import IdentityCheck
from ui.views import attachment, form_page, submit
from workflows.runner import TransitionRefused
from workflows.types import AuthenticatedHttpRequest


@login_required
def publication_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    # The 404 for the review comes first: nobody without a role learns what kind of review it is.
    access = review_for(request.user, reference)
    review = access.review
    if review.kind not in PUBLISHED_KINDS:
        raise Http404("This kind of review is not published.")
    publication = Publication.objects.filter(review=review).select_related("recorded_by", "report_version").first()
    if publication is not None:
        access.require(REVIEW_WIDE_READERS, "read the publication record")
        return render(request, "reviews/publication/record.html", {"review": review, "publication": publication})

    access.require(COORDINATE, "record the publication")
    form = PublicationForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: publication_record(actor=request.user, review_id=review.pk, data=form.publication_data()),
        refused=TransitionRefused,
        check=IdentityCheck(actor=request.user, target=review, fields=("reason",), what="publication decision"),
    )
    if sent.saved:
        messages.success(request, "Publication recorded.")
        return redirect("reviews:publication", reference=review.reference)
    planned = review.publication_planned_on
    return form_page(
        request,
        "reviews/publication/form.html",
        sent,
        {
            "review": review,
            "advance_copy_sent_on": review.advance_copy_sent_on,
            "planned": planned,
            "advance_copy_due": advance_copy_due(planned) if planned else None,
        },
    )


@login_required
def publication_pdf(request: AuthenticatedHttpRequest, reference: str) -> FileResponse:
    """The published report's PDF (pseudonyms only), as an attachment, to everyone on the review."""
    access = review_for(request.user, reference)
    publication = Publication.objects.filter(review=access.review).exclude(pdf_name="").first()
    if publication is None:
        raise Http404("No published report.")
    access.require(REVIEW_WIDE_READERS, "read the published report")
    access_record(request, access.review, "published_report")
    pdf = storages[PDF_STORAGE].open(publication.pdf_name, "rb")
    return attachment(pdf, f"{access.review.reference}-report.pdf", "application/pdf")
