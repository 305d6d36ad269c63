"""Adding a subject, the one page that shows a subject's identity, and the real names of a
setting and alleged perpetrators behind their pseudonyms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from reviews.forms.subjects import RestrictedNameForm, SubjectForm
from reviews.models import RestrictedName, Sex, Subject
from reviews.permissions import COORDINATE, VIEW_IDENTITY, review_for
from reviews.services.access_log import access_record
from reviews.services.subjects import SubjectData, restricted_name_add, restricted_name_remove, subject_add
from ui.views import form_page, post_only, submit
from workflows.types import AuthenticatedHttpRequest


@login_required
def subject_add_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    review = review_for(request.user, reference, COORDINATE, "add a subject").review
    form = SubjectForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: subject_add(
            actor=request.user,
            review_id=review.pk,
            data=SubjectData(
                pseudonym=data["pseudonym"],
                date_of_birth=data["date_of_birth"],
                date_of_death_or_incident=data["date_of_death_or_incident"],
                sex=data["sex"] or Sex.NOT_KNOWN,
                full_name=data["full_name"],
                nhs_number=data["nhs_number"],
                address=data["address"],
            ),
        ),
    )
    if sent.saved and sent.result is not None:
        messages.success(request, f"{sent.result.pseudonym} added.")
        return redirect("reviews:review", reference=review.reference)
    return form_page(request, "reviews/subject_add.html", sent, {"review": review})


@login_required
def subject_identity(request: AuthenticatedHttpRequest, reference: str, subject_id: int) -> HttpResponse:
    review = review_for(request.user, reference, VIEW_IDENTITY, "see who a subject is").review
    subject = get_object_or_404(Subject.objects.select_related("identity"), pk=subject_id, review=review)
    # Reading an identity is itself attributable (docs/DOMAIN.md: need-to-know access to special
    # category data), so every view of this page leaves an audit row naming the pseudonym only.
    access_record(request, review, "identity", pseudonym=subject.pseudonym)
    identity = getattr(subject, "identity", None)
    return render(
        request, "reviews/subject_identity.html", {"review": review, "subject": subject, "identity": identity}
    )


@login_required
def restricted_names(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The real names of the setting and alleged perpetrators, and recording one: only for those
    who may read identities (the coordinator). Reading them is recorded in the access log."""
    review = review_for(request.user, reference, VIEW_IDENTITY, "see the real names behind pseudonyms").review
    form = RestrictedNameForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: restricted_name_add(
            actor=request.user,
            review_id=review.pk,
            pseudonym=data["pseudonym"],
            real_name=data["real_name"],
            what=data["what"],
        ),
    )
    if sent.saved and sent.result is not None:
        messages.success(request, f"The real name behind {sent.result.pseudonym} is recorded.")
        return redirect("reviews:restricted_names", reference=review.reference)
    access_record(request, review, "restricted_names")
    names = RestrictedName.objects.filter(review=review).select_related("recorded_by")
    return form_page(request, "reviews/restricted_names.html", sent, {"review": review, "names": names})


@login_required
def restricted_name_remove_view(request: AuthenticatedHttpRequest, reference: str, name_id: int) -> HttpResponse:
    review = review_for(request.user, reference, VIEW_IDENTITY, "remove the real names behind pseudonyms").review
    if refused := post_only(request):
        return refused
    try:
        restricted_name_remove(actor=request.user, review_id=review.pk, name_id=name_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The real name is removed.")
    return redirect("reviews:restricted_names", reference=review.reference)
