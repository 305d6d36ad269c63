"""Agency forms: the agency lead answers a form asked of their contribution (saving a draft, or
saving to submit through the contribution's own submit step), and the coordinator reads every
agency's answers to one form side by side.

The form page is fetched through ``contribution_for`` (404 to anyone but the review's coordinator
and that agency's lead; 403 to the coordinator, who reads the answers on the contribution's page);
the side-by-side page through ``review_for`` (404 without a role on the review, 403 without the
coordinator's).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reviews.forms.agencyforms import AgencyAnswersForm
from reviews.models.contributions import ContributionState
from reviews.permissions import COORDINATE, LEAD_AGENCY, contribution_for, review_for
from reviews.selectors.agencyforms import forms_asked_on, side_by_side
from reviews.services.access_log import access_record
from reviews.services.agencyforms import agency_form_save
from reviews.services.subjects import IdentityCheck
from reviews.views.contributions import contribution_url, locked_page
from ui.views import form_page, submit
from workflows.runner import TransitionRefused
from workflows.types import AuthenticatedHttpRequest

# The questions whose answers are typed freely (the identity check reads them).
FREE_TEXT = ("text", "textarea")

# The two buttons of the form page.
SAVE_DRAFT, SAVE_AND_SUBMIT = "draft", "submit"


@login_required
def agency_form_edit(
    request: AuthenticatedHttpRequest, reference: str, contribution_id: int, form_key: str
) -> HttpResponse:
    access = contribution_for(request.user, reference, contribution_id, LEAD_AGENCY, "answer its agency form")
    contribution = access.contribution
    answer_set = contribution.form_answers.select_related("form").filter(form__key=form_key).first()
    if answer_set is None:
        raise Http404("This form was not asked of the agency.")
    if not contribution.is_editable:
        return locked_page(request, access)
    access_record(request, access.review, "agency_form", agency=str(contribution.agency), form=form_key)
    if request.method == "POST":
        form = AgencyAnswersForm(request.POST, answer_set=answer_set)
    else:
        form = AgencyAnswersForm(answer_set=answer_set)
    intent = request.POST.get("intent", SAVE_DRAFT)
    sent = submit(
        form,
        lambda _data: agency_form_save(
            actor=request.user,
            contribution_id=contribution.pk,
            form_key=form_key,
            answers=form.answers(),
            complete=intent == SAVE_AND_SUBMIT,
        ),
        refused=TransitionRefused,
        # Free text may carry a subject's real details: warned about, field by field, before saving.
        check=IdentityCheck(
            actor=request.user,
            target=access.review,
            fields=[f["name"] for f in answer_set.form.fields() if f["type"] in FREE_TEXT],
            what=f"agency form ({answer_set.form.title})",
        ),
    )
    if sent.refusal is not None:
        return locked_page(request, access)
    if sent.saved and intent == SAVE_AND_SUBMIT:
        if contribution.state == ContributionState.RETURNED:
            messages.success(request, "Every required question is answered: resubmit the contribution below.")
            return redirect(contribution_url(access))
        # The contribution's own submit step: its confirmation page, or why it cannot be sent yet.
        return redirect(
            "reviews:contribution_step",
            reference=access.review.reference,
            contribution_id=contribution.pk,
            name="submit",
        )
    if sent.saved:
        messages.success(request, "Draft saved. You can keep editing it until you submit the contribution.")
        return redirect(request.path)
    return form_page(
        request,
        "reviews/agencyforms/edit.html",
        sent,
        {"review": access.review, "contribution": contribution, "answer_set": answer_set},
    )


@login_required
def agency_form_compare(request: AuthenticatedHttpRequest, reference: str, form_key: str) -> HttpResponse:
    access = review_for(request.user, reference, COORDINATE, "compare the agencies' answers")
    compared = side_by_side(access.review, form_key)
    if compared is None:
        raise Http404("No agency was asked for this form.")
    access_record(request, access.review, "agency_form_compare", form=form_key)
    return render(
        request,
        "reviews/agencyforms/compare.html",
        {
            "review": access.review,
            "compared": compared,
            "other_forms": [f for f in forms_asked_on(access.review) if f.key != form_key],
            "contributions_url": reverse("reviews:contributions", args=[access.review.reference]),
        },
    )
