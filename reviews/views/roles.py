"""Who holds which role on a review, and granting one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from reviews.forms.roles import RoleGrantForm
from reviews.models import Role
from reviews.permissions import COORDINATE, review_for
from reviews.selectors.roles import person_name, review_roles
from reviews.services.roles import review_role_grant
from ui.views import submit
from workflows.types import AuthenticatedHttpRequest


@login_required
def review_roles_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = review_for(request.user, reference)
    review = access.review
    form = None
    status = 200
    if request.method == "POST":
        access.require(COORDINATE, "give people roles")
        form = RoleGrantForm(request.POST, review=review)
        sent = submit(
            form,
            lambda data: review_role_grant(
                actor=request.user, review_id=review.pk, user=data["user"], role=data["role"], agency=data["agency"]
            ),
        )
        if sent.saved:
            data = form.cleaned_data
            messages.success(request, f"{person_name(data['user'])} is now {Role(data['role']).label.lower()}.")
            return redirect("reviews:review_roles", reference=review.reference)
        status = sent.status
    elif access.is_coordinator:
        form = RoleGrantForm(review=review)
    return render(
        request,
        "reviews/roles.html",
        {
            "review": review,
            "roles": review_roles(review),
            "form": form,
            "error_summary": form.error_summary() if form is not None else [],
        },
        status=status,
    )
