"""Who holds which role on a review, and granting one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from reviews.forms.roles import RoleGrantForm
from reviews.models import Role
from reviews.selectors.roles import person_name, review_roles
from reviews.services.roles import review_role_grant
from reviews.views._common import render_page, require, review_and_permissions


@login_required
def review_roles_view(request: HttpRequest, reference: str) -> HttpResponse:
    review, perms = review_and_permissions(request, reference)
    can_grant = "coordinate_review" in perms
    form = None
    if request.method == "POST":
        require(perms, "coordinate_review", "give people roles")
        form = RoleGrantForm(request.POST, review=review)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review_role_grant(
                    actor=request.user, review_id=review.pk, user=data["user"], role=data["role"], agency=data["agency"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"{person_name(data['user'])} is now {Role(data['role']).label.lower()}.")
                return redirect("reviews:review_roles", reference=review.reference)
    elif can_grant:
        form = RoleGrantForm(review=review)
    return render_page(
        request,
        "reviews/roles.html",
        {
            "review": review,
            "roles": review_roles(review),
            "form": form,
            "error_summary": form.error_summary() if form is not None else [],
        },
        status=400 if form is not None and form.errors else 200,
    )
