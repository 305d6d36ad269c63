from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from reviews.models import Role
from reviews.permissions import figure_partnerships
from reviews.selectors.dashboard import Show, dashboard_for_user
from reviews.selectors.roles import held_roles, reads_figures
from workflows.types import AuthenticatedHttpRequest


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    # What the user holds anywhere, read once for the navigation and used here too: nobody who
    # chairs no review is looked up for findings to sign off, nor anyone without a standing that
    # reads figures for the partnerships whose figures they read.
    held = held_roles(request)
    return render(
        request,
        "reviews/dashboard.html",
        {
            "dashboard": dashboard_for_user(request.user, request.GET, chairs_any=Role.CHAIR in held),
            "show_choices": Show.choices,
            "figure_partnerships": figure_partnerships(request.user) if reads_figures(held) else [],
        },
    )
