"""The user's personal access tokens (/accounts/tokens/): list, make, revoke.

Making one needs a session that passed two-factor sign-in (project.security.second_factor_given),
whatever TWO_FACTOR_REQUIRED says: a token reaches the API without a second factor, so it can
only be made by someone who gave one. The secret is shown once, on the page that made it.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from api.forms import TokenForm
from api.models import PersonalAccessToken
from api.services import token_create, token_revoke
from project.security import second_factor_given
from ui.views import submit
from workflows.types import AuthenticatedHttpRequest

NEEDS_SECOND_FACTOR = (
    "To make a token, sign in with your authenticator app or a backup code first: a token reaches the "
    "API without a second factor, so only a session that gave one may make it."
)


@login_required
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    may_create = second_factor_given(request)
    form = TokenForm(request.POST if request.method == "POST" else None)
    secret = ""
    status = 200
    if request.method == "POST":
        if not may_create:
            status = 403
        else:
            sent = submit(
                form,
                lambda data: token_create(
                    actor=request.user,
                    name=data["name"],
                    scopes=data["scopes"],
                    expires_at=timezone.now() + timedelta(days=int(data["lifetime"])),
                ),
            )
            if sent.saved and sent.result is not None:
                secret = sent.result[1]
                form = TokenForm()
                status = 201
            else:
                status = 400
    tokens = PersonalAccessToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "error_summary": form.error_summary(),
            "tokens": tokens,
            "secret": secret,
            "may_create": may_create,
            "needs_second_factor": NEEDS_SECOND_FACTOR,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_POST
def token_revoke_view(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("tokens:list")
