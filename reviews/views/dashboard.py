from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from reviews.permissions import figure_partnerships
from reviews.selectors.dashboard import Show, dashboard_for_user
from workflows.types import AuthenticatedHttpRequest


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "reviews/dashboard.html",
        {
            "dashboard": dashboard_for_user(request.user, request.GET),
            "show_choices": Show.choices,
            # The partnerships whose figures the user reads: one query.
            "figure_partnerships": figure_partnerships(request.user),
        },
    )
