"""One onward notice: the coordinator records it once; afterwards the people on the case can read it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from reviews.forms.notices import NoticeForm
from reviews.models import Notice
from reviews.models.notices import NOTICE_SPECS
from reviews.permissions import CASE_DETAIL, COORDINATE, review_for
from reviews.services.access_log import access_record
from reviews.services.notices import notice_record
from reviews.services.subjects import IdentityCheck
from ui.views import form_page, submit
from workflows.types import AuthenticatedHttpRequest


@login_required
def notice_view(request: AuthenticatedHttpRequest, reference: str, kind: str) -> HttpResponse:
    # The 404 for the review comes first: nobody without a role learns which notices it owes.
    access = review_for(request.user, reference)
    review = access.review
    spec = NOTICE_SPECS.get(kind)
    if spec is None or not spec.applies_to(review):
        raise Http404("This review owes no such notice.")
    notice = Notice.objects.filter(review=review, kind=spec.kind).select_related("recorded_by").first()
    if notice is not None:
        # What was sent is case detail: the people working on the review read it, scrutineers do not.
        access.require(CASE_DETAIL, "read the notice")
        access_record(request, review, "notice")
        return render(request, "reviews/notice.html", {"review": review, "spec": spec, "notice": notice})

    access.require(COORDINATE, "record notices")
    form = NoticeForm(request.POST if request.method == "POST" else None, spec=spec)
    sent = submit(
        form,
        lambda data: notice_record(actor=request.user, review_id=review.pk, kind=spec.kind, data=form.notice_data()),
        check=IdentityCheck(
            actor=request.user,
            target=review,
            fields=("what_happened", "agencies_involved", "immediate_actions", "note"),
            what="notice",
        ),
    )
    if sent.saved:
        messages.success(request, f"{spec.label} recorded.")
        return redirect("reviews:review", reference=review.reference)
    return form_page(
        request,
        "reviews/notice_form.html",
        sent,
        {"review": review, "spec": spec, "dated": getattr(review, spec.date_field)},
    )
