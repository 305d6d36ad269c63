"""The review pages: open a review, the review page and its steps, key dates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from reviews.forms.review import KeyDatesForm, OpenReviewForm, TransitionForm
from reviews.models import Review, ReviewKind
from reviews.models.publication import PUBLISHED_KINDS
from reviews.permissions import (
    CDOP_READERS,
    CHAIR,
    COORDINATE,
    FAMILY_READERS,
    REVIEW_WIDE_READERS,
    VIEW_IDENTITY,
    ReviewAccess,
    partnerships_for,
    review_for,
)
from reviews.selectors.accuracy import report_links
from reviews.selectors.child_death import child_death_summary
from reviews.selectors.clocks import clock_rows, stop_date_prompts
from reviews.selectors.notices import notice_rows
from reviews.selectors.review import (
    converted_into_for_user,
    key_date_fields,
    key_date_label,
    review_history,
    review_transition_choices,
)
from reviews.selectors.roles import review_roles
from reviews.services.access_log import access_record
from reviews.services.review import review_advance, review_convert_to_cspr, review_open, review_record_key_dates
from reviews.services.subjects import IdentityCheck, SubjectData
from ui.views import confirm_page, form_page, post_step, redirect_once, submit
from workflows.once import submit_once
from workflows.runner import TransitionRefused, transition_options, transition_settings
from workflows.types import AuthenticatedHttpRequest


@login_required
def review_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    partnerships = partnerships_for(request.user, "open a review")
    form = OpenReviewForm(request.POST if request.method == "POST" else None, partnerships=partnerships)

    def open_once(data: dict[str, Any]) -> tuple[Review | None, str]:
        subject = None
        if form.has_subject():
            subject = SubjectData(
                pseudonym=data["subject_pseudonym"],
                date_of_birth=data["subject_date_of_birth"],
                date_of_death_or_incident=data["incident_on"],
                sex=data["subject_sex"] or SubjectData.sex,
                full_name=data["subject_full_name"],
                nhs_number=data["subject_nhs_number"],
                address=data["subject_address"],
            )
        return submit_once(
            token=data["submission"],
            user=request.user,
            create=lambda: review_open(
                actor=request.user,
                partnership=data["partnership"],
                kind=data["kind"],
                title=data["title"],
                key_dates={"became_aware_on": data["became_aware_on"], "incident_on": data["incident_on"]},
                subject=subject,
            ),
            result_url=lambda review: reverse("reviews:review", args=[review.reference]),
        )

    # A ValidationError means the service saved nothing: what the user typed stays in the bound form.
    sent = submit(form, open_once)
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda review: f"Review {review.reference} opened.",
            repeated="This form had already been sent: the review was opened once, here it is.",
        )
    return form_page(request, "reviews/review_new.html", sent, {})


def _transitions() -> dict[str, dict[str, Any]]:
    """Every transition of a review by name, with its ``custom`` settings (label, needs_reason...)."""
    return transition_settings(Review)


def _render_review(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    *,
    form: TransitionForm | None = None,
    failed: str = "",
    refusal: TransitionRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    review = access.review
    clocks = clock_rows(review, timezone.localdate())
    converted_into = converted_into_for_user(request.user, review)
    context: dict[str, Any] = {
        "review": review,
        "case_detail": access.case_detail,
        "can_coordinate": access.is_coordinator,
        "can_read_family": access.holds(FAMILY_READERS),
        "can_view_identity": access.holds(VIEW_IDENTITY),
        "reads_leaks": access.holds((COORDINATE, CHAIR)),
        "clocks": clocks,
        "stop_prompts": stop_date_prompts(review, clocks) if access.is_coordinator else [],
        "notices": notice_rows(review, clocks),
        # The coordinator records publication; once recorded, those who read the record see the link
        # (the rule of reviews/views/publication.py).
        "shows_publication": review.kind in PUBLISHED_KINDS
        and (access.is_coordinator or (bool(review.publication_decision) and access.holds(REVIEW_WIDE_READERS))),
        "history": review_history(review, converted_into),
        "choices": review_transition_choices(review, request.user),
        "converted_into": converted_into,
        "refusal": refusal,
        "failed": failed,
        "form": form,
        "error_summary": form.error_summary() if form is not None else [],
    }
    if access.case_detail:
        # Pseudonyms and dates only: identities are never read for this page.
        context["subjects"] = list(review.subjects.all())
        context["key_dates"] = [(key_date_label(review, f), getattr(review, f)) for f in key_date_fields(review.kind)]
        context["roles"] = review_roles(review)
        context["report_links"] = report_links(review, request.user, access.perms)
    if review.kind == ReviewKind.CHILD_DEATH and access.holds(VIEW_IDENTITY):
        # The notifiers' own words may name the child: only those who may see identities read them.
        context["notifier_accounts"] = list(review.notifier_accounts.order_by("received_at", "id"))
        # A child death review's dataset, joint agency response, meeting and CDOP review.
        context["child_death"] = child_death_summary(review, clocks)
        context["reads_cdop_papers"] = access.holds(CDOP_READERS)
    return render(request, "reviews/review_detail.html", context, status=status)


@login_required
def review_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = review_for(request.user, reference)
    access_record(request, access.review, "review")
    return _render_review(request, access)


@login_required
def review_transition(request: AuthenticatedHttpRequest, reference: str, name: str) -> HttpResponse:
    # The 404 comes first, so nobody without a role learns anything from the method or the name.
    # Every stage change is the coordinator's.
    access = review_for(request.user, reference, COORDINATE, "change the review's stage")
    review = access.review
    convert = _transitions().get(name, {}).get("service") == "convert"

    def take(data: dict[str, Any]) -> tuple[Review, str]:
        if convert:
            cspr = review_convert_to_cspr(
                actor=request.user, review_id=review.pk, reason=data["reason"], expected_state=data["expected_state"]
            )
            text = f"{review.reference} was converted into {cspr.reference}."
            if review.sent_to_panel_on is None:
                # Converting stops no clock: the rapid review's stops on the date it went to the Panel.
                text += (
                    f" Record the date {review.reference} was sent to the national Panel on its key dates: "
                    "its clock stops on that date."
                )
            return cspr, text
        moved = review_advance(
            actor=request.user,
            review_id=review.pk,
            transition=name,
            reason=data["reason"],
            expected_state=data["expected_state"],
        )
        return moved, f"{moved.reference} is now at {moved.get_state_display()}."

    def done(result: tuple[Review, str]) -> HttpResponse:
        moved, text = result
        messages.success(request, text)
        return redirect("reviews:review", reference=moved.reference)

    step = _transitions().get(name, {})

    def confirm(*, expected_state: str | None, form: TransitionForm | None, status: int = 200) -> HttpResponse:
        option = next((o for o in review_transition_choices(review, request.user).allowed if o.name == name), None)
        if option is None:
            # Not possible now (blocked, or not from this stage): the review page says why.
            reasons = next((o.reasons for o in transition_options(review, request.user) if o.name == name), [])
            return _render_review(
                request, access, refusal=TransitionRefused(f"{review} cannot {step['doing']} now.", reasons), status=409
            )
        return confirm_page(
            request,
            heading=f"{option.label}?",
            caption=f"{review.reference}: {review.title}",
            what_happens=[sentence.format(review=review.reference) for sentence in step["confirm"]],
            action=reverse("reviews:review_transition", args=[review.reference, name]),
            cancel_url=reverse("reviews:review", args=[review.reference]),
            expected_state=expected_state or review.state,
            form=form or TransitionForm(step=step),
            confirm_label=option.label,
            warning=True,
            status=status,
        )

    return post_step(
        request,
        name,
        steps=_transitions(),
        form=lambda data: TransitionForm(data, step=step),
        take=take,
        done=done,
        page=lambda **shown: _render_review(request, access, **shown),
        # The stage as it is now (someone else may have moved it), with why nothing happened.
        page_now=lambda **shown: _render_review(request, review_for(request.user, reference), **shown),
        refused=TransitionRefused,
        confirm=confirm if "confirm" in step else None,
        check=IdentityCheck(actor=request.user, target=review, fields=("reason",), what="stage change"),
    )


@login_required
def review_key_dates(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    review = review_for(request.user, reference, COORDINATE, "record key dates").review
    form = KeyDatesForm(request.POST if request.method == "POST" else None, review=review)
    sent = submit(form, lambda data: review_record_key_dates(actor=request.user, review_id=review.pk, key_dates=data))
    if sent.saved:
        messages.success(request, "Key dates saved.")
        return redirect("reviews:review", reference=review.reference)
    return form_page(request, "reviews/key_dates.html", sent, {"review": review})
