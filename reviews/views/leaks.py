"""The identity-leak check of a review: every restricted identity found in what leaves it, shown in
context with the pseudonym to write instead; the chair may let one go out as it is, with a reason.

The coordinator and the chair read the list; the coordinator, who may read identities, sees each
in context as written, anyone else masked. Reading the list is recorded in the access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from reviews.forms.leaks import LeakOverrideForm
from reviews.models import Review
from reviews.permissions import CHAIR, COORDINATE, VIEW_IDENTITY, ReviewAccess, review_for
from reviews.selectors.leaks import leak_rows
from reviews.services.access_log import access_record
from reviews.services.leaks import leak_override
from ui.pagination import paginate
from ui.views import post_only, submit
from workflows.types import AuthenticatedHttpRequest

PAGE_SIZE = 50


def _page(
    request: AuthenticatedHttpRequest, access: ReviewAccess, sent: LeakOverrideForm | None = None, status: int = 200
) -> HttpResponse:
    review: Review = access.review
    rows, text_count = leak_rows(review, reveal=access.holds(VIEW_IDENTITY))
    pages = paginate(rows, request.GET, singular="identity found", plural="identities found", per_page=PAGE_SIZE)
    may_override = access.holds(CHAIR)
    shown = []
    for number, row in enumerate(pages.page.object_list, start=pages.page.start_index()):
        form = None
        if may_override and row.override is None:
            if sent is not None and sent.data.get("fingerprint") == row.hit.fingerprint:
                form = sent
            else:
                form = LeakOverrideForm(initial={"fingerprint": row.hit.fingerprint}, auto_id=f"override-{number}-%s")
        shown.append((row, form))
    access_record(request, review, "leaks")
    return render(
        request,
        "reviews/leaks/list.html",
        {
            "review": review,
            "pages": pages,
            "rows": shown,
            "text_count": text_count,
            "unresolved": sum(1 for row in rows if row.override is None),
            "may_override": may_override,
            "revealed": access.holds(VIEW_IDENTITY),
            "error_summary": sent.error_summary() if sent is not None else [],
        },
        status=status,
    )


@login_required
def leak_list(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = review_for(request.user, reference, (COORDINATE, CHAIR), "see the identities found in outgoing texts")
    return _page(request, access)


@login_required
def leak_override_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = review_for(request.user, reference, CHAIR, "override an identity found in an outgoing text")
    if refused := post_only(request):
        return refused
    # The one form of the page that was sent keeps its own ids, so its errors link to it.
    form = LeakOverrideForm(request.POST, auto_id="override-%s")
    sent = submit(
        form,
        lambda data: leak_override(
            actor=request.user,
            review_id=access.review.pk,
            fingerprint=data["fingerprint"],
            reason=data["reason"],
        ),
    )
    if sent.saved and sent.result is not None:
        override = sent.result
        messages.success(request, f"The {override.what} of {override.pseudonym} in {override.source} may go out.")
        return redirect("reviews:leaks", reference=access.review.reference)
    return _page(request, access, form, status=sent.status)
