"""Actions: the coordinators' tracker (with its CSV export), an agency lead's "My actions", a
review's actions, adding an action to a recommendation, and one action's page with its steps.

One action's pages go through ``action_for``: 404 to anyone who neither coordinates the review nor
leads the owning agency on it (the other agency's lead included).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from reviews.forms.actions import ActionForm, ActionStepForm, EvidenceFileForm, ProgressForm
from reviews.forms.contributions import MoveDueDateForm
from reviews.models import Rag, Recommendation
from reviews.models.actions import ACTIVE_ACTION_STATES, Action
from reviews.permissions import COORDINATE, LEAD_AGENCY, ActionAccess, action_for, lead_agency_ids, review_for
from reviews.selectors.actions import (
    Show,
    action_rows,
    action_updates,
    my_actions,
    review_action_rows,
    tracker,
    tracker_agencies,
    tracker_csv,
    tracker_filters,
    tracker_reviews,
)
from reviews.services.access_log import access_record, access_record_many
from reviews.services.actions import (
    STEPS,
    ActionData,
    action_add_update,
    action_advance,
    action_change_due_date,
    action_create,
    action_evidence_attach,
)
from reviews.services.subjects import IdentityCheck
from ui.csv import csv_response
from ui.pagination import paginate
from ui.views import attachment, form_page, offered_steps, post_only, post_step, redirect_once, submit
from workflows.once import submit_once
from workflows.runner import TransitionOption, TransitionRefused, transition_options
from workflows.types import AnyUser, AuthenticatedHttpRequest


def action_url(access: ActionAccess) -> str:
    return reverse("reviews:action", args=[access.review.reference, access.action.pk])


# --- across reviews -------------------------------------------------------------------------------


@login_required
def action_tracker(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = tracker_filters(request.GET)
    tracked = tracker(request.user, filters)
    pages = paginate(tracked.actions, request.GET, singular="action", plural="actions")
    return render(
        request,
        "reviews/actions/tracker.html",
        {
            "pages": pages,
            "rows": tracked.rows(pages.page.object_list),
            "tracked": tracked,
            "filters": filters,
            "agencies": tracker_agencies(request.user),
            "rag_choices": Rag.choices,
            "show_choices": Show.choices,
            "export_query": filters.querystring(),
        },
    )


@login_required
def action_tracker_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    filters = tracker_filters(request.GET)
    tracked = tracker(request.user, filters)
    # Taking case data away in a file is itself attributable.
    access_record_many(
        request,
        tracker_reviews(tracked.actions),
        "actions_export",
        agency=filters.agency_id,
        rag=filters.rag,
        overdue=filters.overdue,
        show=filters.show,
        rows=tracked.to_do if filters.show == Show.TO_DO else tracked.total,
    )
    return csv_response(f"actions-{timezone.localdate():%Y-%m-%d}.csv", tracker_csv(tracked))


@login_required
def my_actions_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    pages = paginate(my_actions(request.user), request.GET, singular="action", plural="actions")
    return render(
        request,
        "reviews/actions/my_actions.html",
        {"pages": pages, "rows": action_rows(pages.page.object_list)},
    )


# --- one review -----------------------------------------------------------------------------------


@login_required
def review_actions(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    # Shown to the review's coordinator and the owning agencies' leads.
    access = review_for(request.user, reference, (COORDINATE, LEAD_AGENCY), "see the review's actions")
    review = access.review
    if access.is_coordinator:
        rows = review_action_rows(review)
    else:
        rows = review_action_rows(review, agency_ids=lead_agency_ids(request.user, review))
    return render(
        request,
        "reviews/actions/review_actions.html",
        {"review": review, "rows": rows, "can_coordinate": access.is_coordinator},
    )


@login_required
def action_add(request: AuthenticatedHttpRequest, reference: str, recommendation_id: int) -> HttpResponse:
    review = review_for(request.user, reference, COORDINATE, "add actions").review
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("owner_agency", "findings"), pk=recommendation_id, findings__review=review
    )
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        review=review,
        initial={
            "owner_agency": recommendation.owner_agency_id,
            "due_date": recommendation.due_by,
            "success_measure": recommendation.success_measure,
        },
    )
    sent = submit(
        form,
        lambda data: submit_once(
            token=data["submission"],
            user=request.user,
            create=lambda: action_create(
                actor=request.user,
                recommendation_id=recommendation.pk,
                data=ActionData(
                    description=data["description"],
                    owner_agency=data["owner_agency"],
                    owner_role=data["owner_role"],
                    due_date=data["due_date"],
                    success_measure=data["success_measure"],
                ),
            ),
            result_url=lambda action: reverse("reviews:action", args=[review.reference, action.pk]),
        ),
        check=IdentityCheck(
            actor=request.user, target=review, fields=("description", "owner_role", "success_measure"), what="action"
        ),
        refused=TransitionRefused,
    )
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda action: f"Action {action.code} has been added.",
            repeated="This form had already been sent: the action was added once, here it is.",
        )
    return form_page(request, "reviews/actions/add.html", sent, {"review": review, "recommendation": recommendation})


# --- one action -----------------------------------------------------------------------------------


def _steps(
    access: ActionAccess, user: AnyUser, forms: dict[str, ActionStepForm]
) -> list[tuple[TransitionOption, ActionStepForm]]:
    # Not offered without the role: verifying, returning and closing are the coordinator's (the model's permission).
    return offered_steps(
        transition_options(access.action, user),
        STEPS,
        forms,
        lambda name: ActionStepForm(initial={"expected_state": access.action.state}, step=name),
    )


def render_action(
    request: AuthenticatedHttpRequest,
    access: ActionAccess,
    *,
    failed: str = "",
    form: ActionStepForm | None = None,
    progress_form: ProgressForm | None = None,
    refusal: TransitionRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    """The action page; ``form`` is the step form ``failed`` sent back with its errors (or
    ``progress_form``, when ``failed`` is "progress")."""
    action = access.action
    step_forms = {failed: form} if form is not None else {}
    failed_form = form or (progress_form if failed == "progress" else None)
    row = action_rows([action])[0]
    context = {
        "review": access.review,
        "access": access,
        "action": action,
        "row": row,
        "updates": action_updates(action),
        "steps": _steps(access, request.user, step_forms),
        "can_update": action.state in ACTIVE_ACTION_STATES,
        "progress_form": progress_form or ProgressForm(initial={"progress_on": timezone.localdate()}),
        "failed": failed,
        "refusal": refusal,
        "error_summary": failed_form.error_summary() if failed_form is not None else [],
    }
    return render(request, "reviews/actions/detail.html", context, status=status)


@login_required
def action_detail(request: AuthenticatedHttpRequest, reference: str, action_id: int) -> HttpResponse:
    return render_action(request, action_for(request.user, reference, action_id))


@login_required
def action_progress(request: AuthenticatedHttpRequest, reference: str, action_id: int) -> HttpResponse:
    access = action_for(request.user, reference, action_id)
    if (refused := post_only(request)) is not None:
        return refused
    form = ProgressForm(request.POST)
    sent = submit(
        form,
        lambda data: action_add_update(
            actor=request.user, action_id=access.action.pk, progress_on=data["progress_on"], note=data["note"]
        ),
        refused=TransitionRefused,
        check=IdentityCheck(actor=request.user, target=access.review, fields=("note",), what="action progress"),
    )
    if isinstance(sent.refusal, TransitionRefused):
        return render_action(request, access, refusal=sent.refusal, status=409)
    if sent.saved:
        messages.success(request, "Your progress update has been added.")
        return redirect(action_url(access))
    return render_action(request, access, progress_form=form, failed="progress", status=400)


@login_required
def action_due_date(request: AuthenticatedHttpRequest, reference: str, action_id: int) -> HttpResponse:
    """The coordinator moves an action's due date (the owner's lead sees the page as 403: their way
    to more time is to agree it with the coordinator, who records it here with the reason)."""
    access = action_for(request.user, reference, action_id, COORDINATE, "move an action's due date")
    if access.action.state not in ACTIVE_ACTION_STATES:
        messages.info(request, f"Action {access.action.code} is {access.action.get_state_display().lower()}.")
        return redirect(action_url(access))
    form = MoveDueDateForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: action_change_due_date(
            actor=request.user, action_id=access.action.pk, new_due_date=data["new_due_date"], reason=data["reason"]
        ),
        refused=TransitionRefused,
    )
    if sent.refusal is not None:
        messages.info(request, str(sent.refusal))
        return redirect(action_url(access))
    if sent.saved:
        messages.success(request, f"The due date of action {access.action.code} has been moved.")
        return redirect(action_url(access))
    return form_page(request, "reviews/actions/due_date.html", sent, {"review": access.review, "action": access.action})


@login_required
def action_step(request: AuthenticatedHttpRequest, reference: str, action_id: int, name: str) -> HttpResponse:
    # The 404 comes first: nobody learns anything about another agency's action.
    access = action_for(request.user, reference, action_id)

    def done(moved: Action) -> HttpResponse:
        messages.success(request, f"Action {moved.code} is now {moved.get_state_display().lower()}.")
        return redirect(action_url(access))

    return post_step(
        request,
        name,
        steps=STEPS,
        form=lambda data: ActionStepForm(data, step=name),
        take=lambda data: action_advance(
            actor=request.user,
            action_id=access.action.pk,
            transition=name,
            reason=data["reason"],
            evidence=data["evidence"],
            expected_state=data["expected_state"],
        ),
        done=done,
        page=lambda **shown: render_action(request, access, **shown),
        page_now=lambda **shown: render_action(request, action_for(request.user, reference, action_id), **shown),
        refused=TransitionRefused,
        check=IdentityCheck(
            actor=request.user, target=access.review, fields=("evidence", "reason"), what="action step"
        ),
    )


@login_required
def action_evidence_upload(request: AuthenticatedHttpRequest, reference: str, action_id: int) -> HttpResponse:
    access = action_for(request.user, reference, action_id)
    if (refused := post_only(request)) is not None:
        return refused
    back = reverse("reviews:action", args=[access.review.reference, access.action.pk])
    form = EvidenceFileForm(request.POST, request.FILES)
    if not form.is_valid():
        # django-stubs types an ErrorList item as the ValidationError; Django's __getitem__ gives its message.
        messages.error(request, form.errors["file"][0])  # type: ignore[arg-type]
        return redirect(back)
    try:
        attached = action_evidence_attach(
            actor=request.user, action_id=access.action.pk, upload=form.cleaned_data["file"]
        )
    except ValidationError as error:
        for message in error.message_dict.get("file", error.messages):
            messages.error(request, message)
    except TransitionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"{attached.original_name} is attached as evidence.")
    return redirect(back)


@login_required
def action_evidence_download(
    request: AuthenticatedHttpRequest, reference: str, action_id: int, file_id: int
) -> FileResponse:
    access = action_for(request.user, reference, action_id)
    attached = access.action.evidence_files.filter(pk=file_id).first()
    if attached is None:
        raise Http404("No such file.")
    access_record(request, access.review, "evidence_file", action=access.action.code, file=attached.original_name)
    return attachment(attached.file.open("rb"), attached.original_name, attached.content_type)
