"""Agency contributions: the coordinator's table and actions, and the agency lead's requests.

Every page under a contribution fetches it through ``contribution_for``: 404 to anyone who
neither coordinates the review nor leads that agency on it. Within that, a page meant for the
other party (the coordinator's accept, the lead's extension request) is a 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from reviews.forms.contributions import (
    DecideExtensionForm,
    ExtensionRequestForm,
    InviteAgencyForm,
    MoveDueDateForm,
    ReasonForm,
    ReportForm,
)
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import REPORT_SECTIONS, AgencyContribution, Ask, DueDateChange
from reviews.permissions import (
    COORDINATE,
    LEAD_AGENCY,
    REVIEW_WIDE_READERS,
    ContributionAccess,
    contribution_for,
    lead_agency_ids,
    review_for,
)
from reviews.selectors.agencyforms import contribution_forms
from reviews.selectors.chronology import contribution_entries
from reviews.selectors.contributions import (
    CONTRIBUTION_STEPS,
    contribution_rows,
    default_due_date,
    due_date_history,
    due_text,
    my_requests,
    state_tag_class,
)
from reviews.services.access_log import access_record
from reviews.services.chronology import report_save_draft
from reviews.services.contributions import (
    REQUESTING_STAGES,
    contribution_advance,
    contribution_change_due_date,
    contribution_decide_extension,
    contribution_request,
    contribution_request_extension,
)
from reviews.services.subjects import IdentityCheck
from ui.pagination import Pages
from ui.reversing import address_for_each
from ui.views import confirm_page, form_page, offered_steps, post_step, submit
from workflows.runner import (
    TransitionOption,
    TransitionRefused,
    permission_refusal,
    transition_options,
    transition_settings,
)
from workflows.types import AnyUser, AuthenticatedHttpRequest

# The steps offered on a contribution page (shared with the API).
STEPS = CONTRIBUTION_STEPS


def contribution_url(access: ContributionAccess) -> str:
    return reverse("reviews:contribution", args=[access.review.reference, access.contribution.pk])


# --- the review's contributions -----------------------------------------------------------------


def locked_page(request: AuthenticatedHttpRequest, access: ContributionAccess) -> HttpResponse:
    contribution = access.contribution
    messages.info(
        request,
        f"The {contribution.agency} contribution is {contribution.get_state_display().lower()}: "
        "it can no longer be changed.",
    )
    return redirect(contribution_url(access))


@login_required
def contribution_list(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = review_for(request.user, reference)
    review = access.review
    own = lead_agency_ids(request.user, review)
    # An agency lead sees only their own agency's request, never who else was asked.
    rows = contribution_rows(review, agency_ids=None if access.holds(REVIEW_WIDE_READERS) else own)
    return render(
        request,
        "reviews/contributions/list.html",
        {
            "review": review,
            "rows": rows,
            "own_agency_ids": own,
            "can_coordinate": access.is_coordinator,
            "can_invite": access.is_coordinator and review.state in REQUESTING_STAGES,
        },
    )


@login_required
def contribution_invite(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    review = review_for(request.user, reference, COORDINATE, "ask agencies for contributions").review
    default = default_due_date(review)
    form = InviteAgencyForm(request.POST if request.method == "POST" else None, review=review, default_due=default)
    sent = submit(
        form,
        lambda data: contribution_request(
            actor=request.user,
            review_id=review.pk,
            agency=data["agency"],
            lead=data["lead"],
            asks=data["asks"],
            due_date=data["due_date"],
            due_date_reason=data["due_date_reason"],
            forms=data["agency_forms"],
        ),
        refused=TransitionRefused,
    )
    if sent.saved and sent.result is not None:
        messages.success(request, f"{sent.result.agency} has been asked for a contribution.")
        return redirect("reviews:contributions", reference=review.reference)
    return form_page(
        request,
        "reviews/contributions/invite.html",
        sent,
        {"review": review, "open_for_requests": review.state in REQUESTING_STAGES},
    )


# --- one contribution ---------------------------------------------------------------------------


def _steps(
    access: ContributionAccess, user: AnyUser, forms: dict[str, ReasonForm]
) -> dict[str, list[tuple[TransitionOption, ReasonForm]]]:
    """The steps this user may take now, those blocked (with why), and each one's reason form."""
    contribution = access.contribution
    offered = offered_steps(
        transition_options(contribution, user),
        STEPS,
        forms,
        lambda name: ReasonForm(initial={"expected_state": contribution.state}, step=name),
    )
    return {
        "allowed": [(option, form) for option, form in offered if not option.reasons],
        "blocked": [(option, form) for option, form in offered if option.reasons],
    }


@dataclass(frozen=True)
class EntryRow:
    entry: ChronologyEntry
    edit_url: str = ""
    delete_url: str = ""


def _entry_rows(access: ContributionAccess, entries: Iterable[ChronologyEntry], can_write: bool) -> list[EntryRow]:
    """The page's entries, with their edit and delete links for whoever may write them (each
    pattern reversed once for the page, not twice per entry)."""
    if not can_write:
        return [EntryRow(entry) for entry in entries]
    args = (access.review.reference, access.contribution.pk)
    edit, delete = address_for_each("reviews:entry_edit", *args), address_for_each("reviews:entry_delete", *args)
    return [EntryRow(entry, edit(entry.pk), delete(entry.pk)) for entry in entries]


def render_contribution(
    request: AuthenticatedHttpRequest,
    access: ContributionAccess,
    *,
    failed: str = "",
    form: ReasonForm | None = None,
    refusal: TransitionRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    """The contribution page; ``form`` is the step form ``failed`` sent back with its errors."""
    contribution = access.contribution
    step_forms = {failed: form} if form is not None else {}
    history = due_date_history(contribution)
    open_request = next((c for c in history if c.status == DueDateChange.Status.REQUESTED), None)
    report = getattr(contribution, "report", None) if Ask.AGENCY_REPORT in contribution.asks else None
    entries = contribution_entries(contribution, request.GET.get("page"))
    can_write = access.is_lead and contribution.is_editable
    context = {
        "review": access.review,
        "access": access,
        "contribution": contribution,
        "tag_class": state_tag_class(contribution.state),
        "due_text": due_text(contribution, timezone.localdate()),
        "entries": entries,
        "entry_rows": _entry_rows(access, entries, can_write),
        "pages": Pages(page=entries, params=QueryDict(), singular="entry", plural="entries"),
        "asks_chronology": Ask.CHRONOLOGY in contribution.asks,
        "asks_report": Ask.AGENCY_REPORT in contribution.asks,
        "report": report,
        "agency_forms": contribution_forms(contribution),
        "report_sections": [(label, getattr(report, name)) for name, label in REPORT_SECTIONS] if report else [],
        "history": history,
        "open_request": open_request,
        "steps": _steps(access, request.user, step_forms),
        "failed": failed,
        "refusal": refusal,
        "can_write": can_write,
        "error_summary": form.error_summary() if form is not None else [],
    }
    return render(request, "reviews/contributions/detail.html", context, status=status)


@login_required
def contribution_detail(request: AuthenticatedHttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = contribution_for(request.user, reference, contribution_id)
    access_record(request, access.review, "contribution", agency=str(access.contribution.agency))
    return render_contribution(request, access)


@login_required
def contribution_step(
    request: AuthenticatedHttpRequest, reference: str, contribution_id: int, name: str
) -> HttpResponse:
    # The 404 comes first: nobody learns anything about another agency's contribution.
    access = contribution_for(request.user, reference, contribution_id)

    def done(moved: AgencyContribution) -> HttpResponse:
        messages.success(request, f"The {moved.agency} contribution is now {moved.get_state_display().lower()}.")
        return redirect(contribution_url(access))

    step = transition_settings(AgencyContribution).get(name, {})
    contribution = access.contribution

    def confirm(*, expected_state: str | None, form: ReasonForm | None, status: int = 200) -> HttpResponse:
        # As the step itself would refuse: on the state first (409), then on the role (403), then
        # on what it waits for (409, with the reasons), each said on the contribution's page.
        option = next((o for o in transition_options(contribution, request.user) if o.name == name), None)
        if option is None:
            refusal = TransitionRefused(
                f"The {contribution.agency} contribution is {contribution.get_state_display().lower()}: "
                f"you cannot {step['doing']} from there."
            )
            return render_contribution(request, access, refusal=refusal, status=409)
        if not option.permitted:
            raise PermissionDenied(permission_refusal(contribution, name, request.user))
        if option.reasons:
            refusal = TransitionRefused(f"You cannot {step['doing']} yet.", option.reasons)
            return render_contribution(request, access, refusal=refusal, status=409)
        described = f"{contribution.agency} contribution to {access.review.reference}"
        return confirm_page(
            request,
            heading=f"{step['doing'][:1].upper()}{step['doing'][1:]}?",
            caption=f"{access.review.reference}: {contribution.agency}",
            what_happens=[sentence.format(contribution=described) for sentence in step["confirm"]],
            action=reverse("reviews:contribution_step", args=[access.review.reference, contribution.pk, name]),
            cancel_url=contribution_url(access),
            expected_state=expected_state or contribution.state,
            form=form or ReasonForm(step=name),
            confirm_label=f"{option.label} the contribution",
            status=status,
        )

    return post_step(
        request,
        name,
        steps=STEPS,
        form=lambda data: ReasonForm(data, step=name),
        take=lambda data: contribution_advance(
            actor=request.user,
            contribution_id=access.contribution.pk,
            transition=name,
            reason=data["reason"],
            expected_state=data["expected_state"],
        ),
        done=done,
        page=lambda **shown: render_contribution(request, access, **shown),
        # The contribution as it is now (the other party may have moved it), with why.
        page_now=lambda **shown: render_contribution(
            request, contribution_for(request.user, reference, contribution_id), **shown
        ),
        refused=TransitionRefused,
        confirm=confirm if "confirm" in step else None,
        check=IdentityCheck(actor=request.user, target=access.review, fields=("reason",), what="contribution step"),
    )


@login_required
def contribution_due_date(request: AuthenticatedHttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = contribution_for(request.user, reference, contribution_id, COORDINATE, "move a due date")
    form = MoveDueDateForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: contribution_change_due_date(
            actor=request.user,
            contribution_id=access.contribution.pk,
            new_due_date=data["new_due_date"],
            reason=data["reason"],
        ),
    )
    if sent.saved:
        messages.success(request, f"The {access.contribution.agency} due date has been moved.")
        return redirect(contribution_url(access))
    return form_page(
        request,
        "reviews/contributions/due_date.html",
        sent,
        {"review": access.review, "contribution": access.contribution},
    )


@login_required
def contribution_extension(request: AuthenticatedHttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    # The coordinator reads the agency's pages; the agency asks.
    access = contribution_for(request.user, reference, contribution_id, LEAD_AGENCY, "ask for an extension")
    form = ExtensionRequestForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: contribution_request_extension(
            actor=request.user,
            contribution_id=access.contribution.pk,
            proposed_due_date=data["proposed_due_date"],
            reason=data["reason"],
        ),
    )
    if sent.saved:
        messages.success(request, "Your extension request has been sent to the review coordinator.")
        return redirect(contribution_url(access))
    return form_page(
        request,
        "reviews/contributions/extension.html",
        sent,
        {"review": access.review, "contribution": access.contribution},
    )


@login_required
def contribution_decide_extension_view(
    request: AuthenticatedHttpRequest, reference: str, contribution_id: int, change_id: int
) -> HttpResponse:
    access = contribution_for(request.user, reference, contribution_id, COORDINATE, "decide an extension")
    change = get_object_or_404(
        DueDateChange.objects.select_related("asked_by"), pk=change_id, contribution=access.contribution
    )
    if change.status != DueDateChange.Status.REQUESTED:
        messages.info(request, f"This extension request was already {change.get_status_display().lower()}.")
        return redirect(contribution_url(access))
    form = DecideExtensionForm(request.POST if request.method == "POST" else None, change_id=change.pk)
    sent = submit(
        form,
        lambda data: contribution_decide_extension(
            actor=request.user,
            change_id=change.pk,
            grant=data["decision"] == "grant",
            note=data["note"],
            granted_due_date=data["granted_due_date"],
        ),
        refused=TransitionRefused,
    )
    if sent.refusal is not None:
        messages.info(request, str(sent.refusal))
        return redirect(contribution_url(access))
    if sent.saved and sent.result is not None:
        messages.success(request, f"The extension was {sent.result.get_status_display().lower()}.")
        return redirect(contribution_url(access))
    return form_page(
        request,
        "reviews/contributions/decide_extension.html",
        sent,
        {"review": access.review, "contribution": access.contribution, "change": change},
    )


# --- the agency lead's requests -----------------------------------------------------------------


@login_required
def my_requests_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = my_requests(request.user, request.GET)
    return render(request, "reviews/contributions/my_requests.html", {"rows": mine.rows, "pages": mine.pages})


# --- the agency report --------------------------------------------------------------------------


@login_required
def report_edit(request: AuthenticatedHttpRequest, reference: str, contribution_id: int) -> HttpResponse:
    access = contribution_for(request.user, reference, contribution_id, LEAD_AGENCY, "write its agency report")
    contribution = access.contribution
    if Ask.AGENCY_REPORT not in contribution.asks:
        raise Http404("No agency report was asked for.")
    if not contribution.is_editable:
        return locked_page(request, access)
    access_record(request, access.review, "agency_report", agency=str(contribution.agency))
    if request.method == "POST":
        form = ReportForm(request.POST)
    else:
        form = ReportForm(initial=ReportForm.initial_from(getattr(contribution, "report", None)))
    sent = submit(
        form,
        lambda data: report_save_draft(actor=request.user, contribution_id=contribution.pk, sections=data),
        refused=TransitionRefused,
        check=IdentityCheck(
            actor=request.user,
            target=access.review,
            fields=[name for name, _ in REPORT_SECTIONS] + ["author_role"],
            what="agency report",
        ),
    )
    if sent.refusal is not None:
        return locked_page(request, access)
    if sent.saved:
        messages.success(request, "Draft saved. You can keep editing it until you submit the contribution.")
        return redirect("reviews:report_edit", reference=access.review.reference, contribution_id=contribution.pk)
    return form_page(
        request, "reviews/chronology/report_form.html", sent, {"review": access.review, "contribution": contribution}
    )
