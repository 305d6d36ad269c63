"""The public front door (/notify/) and the intake queue of a partnership's coordinators.

The public page needs no sign-in and shows nothing back: whatever is sent, the answer is the form
with its own errors, or a confirmation with a reference. No page of it looks anything up.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_ratelimit.decorators import ratelimit

from reviews.forms.intake import IntakeForm, IntakeLinkForm, IntakeOpenForm
from reviews.models import IntakeStatus
from reviews.permissions import intake_item_for, partnerships_for
from reviews.selectors.intake import elsewhere_for, intake_queue, matches_for
from reviews.services.intake import IntakeData, intake_link, intake_open_review, intake_submit, new_reference
from ui.views import form_page, post_only, submit
from workflows.types import AuthenticatedHttpRequest


def _rate(group: str, request: HttpRequest) -> str:
    # Read per request, so the setting (and a test's override of it) applies without a restart.
    return str(settings.INTAKE_RATE_LIMIT)


def _sent(request: HttpRequest, reference: str) -> HttpResponse:
    return render(request, "reviews/intake/sent.html", {"reference": reference})


@ratelimit(key="ip", rate=_rate, method="POST", block=False)  # type: ignore[untyped-decorator]
def notify(request: HttpRequest) -> HttpResponse:
    """Tell us about a child's death: anyone, no sign-in; CSRF-checked like every POST."""
    if request.method == "POST":
        if getattr(request, "limited", False):
            return render(request, "reviews/intake/too_many.html", status=429)
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.INTAKE_MAX_BYTES:
            return render(request, "reviews/intake/too_large.html", status=413)
    form = IntakeForm(request.POST if request.method == "POST" else None)
    if form.is_robot:
        # A robot filled the hidden field: it is told what a person would be, and nothing is kept.
        return _sent(request, new_reference())

    def take(data: dict[str, Any]) -> str:
        item, _new = intake_submit(data=IntakeData.from_form(data))
        return item.reference  # a repeat gets the first one's reference: it is the same notification

    sent = submit(form, take)
    if sent.saved and sent.result is not None:
        return _sent(request, sent.result)
    return form_page(request, "reviews/intake/notify.html", sent)


@login_required
def intake_queue_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    partnerships = partnerships_for(request.user, "see notifications of children's deaths")
    return render(request, "reviews/intake/queue.html", {"items": intake_queue(partnerships)})


@login_required
def intake_item_view(request: AuthenticatedHttpRequest, intake_reference: str) -> HttpResponse:
    item = intake_item_for(request.user, intake_reference)
    return _item_page(request, item)


def _item_page(
    request: HttpRequest, item: Any, *, link_form: IntakeLinkForm | None = None, status: int = 200
) -> HttpResponse:
    link_form = link_form or IntakeLinkForm()
    return render(
        request,
        "reviews/intake/item.html",
        {
            "item": item,
            "matches": matches_for(item),
            "elsewhere": elsewhere_for(item),
            "link_form": link_form,
            "error_summary": link_form.error_summary() if link_form.is_bound else [],
            "is_new": item.status == IntakeStatus.NEW,
        },
        status=status,
    )


@login_required
def intake_link_view(request: AuthenticatedHttpRequest, intake_reference: str) -> HttpResponse:
    item = intake_item_for(request.user, intake_reference)
    if (refused := post_only(request)) is not None:
        return refused
    form = IntakeLinkForm(request.POST)
    sent = submit(
        form,
        lambda data: intake_link(actor=request.user, item_id=item.pk, to_reference=data["to_reference"]),
        refused=PermissionDenied,
    )
    if sent.saved and sent.result is not None:
        messages.success(request, f"{item.reference} is recorded as a further notification of {sent.result.linked_to}.")
        return redirect("reviews:intake_queue")
    return _item_page(request, item, link_form=form, status=sent.status if sent.status != 200 else 400)


@login_required
def intake_open_view(request: AuthenticatedHttpRequest, intake_reference: str) -> HttpResponse:
    item = intake_item_for(request.user, intake_reference)
    if (refused := post_only(request)) is not None:
        return refused
    form = IntakeOpenForm(request.POST)
    if not form.is_valid() or form.cleaned_data["expected_status"] != item.status:
        messages.error(request, "Nothing was changed: reload the page and try again.")
        return _item_page(request, item, status=400)
    sent = submit(form, lambda data: intake_open_review(actor=request.user, item_id=item.pk))
    if sent.saved and sent.result is not None:
        messages.success(request, f"{sent.result.reference} opened for {sent.result.title}.")
        return redirect("reviews:review", reference=sent.result.reference)
    for message in form.non_field_errors():
        messages.error(request, str(message))
    return _item_page(request, item, status=400)
