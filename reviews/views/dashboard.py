from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from reviews.selectors.dashboard import dashboard_for_user
from reviews.views._common import render_page


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render_page(request, "reviews/dashboard.html", {"dashboard": dashboard_for_user(request.user)})
