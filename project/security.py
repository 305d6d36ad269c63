"""Security plumbing that knows nothing about reviews: the session limits (idle timeout and
absolute lifetime), two factors, no caching of signed-in pages, and the deploy check on SECRET_KEY.

Switched by settings read from the environment (project/settings.py): SESSION_IDLE_TIMEOUT,
SESSION_COOKIE_AGE and TWO_FACTOR_REQUIRED. docs/SECURITY.md says what they protect.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.core import checks
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import urlencode

LAST_ACTIVITY_KEY = "_last_activity"


class IdleSessionTimeoutMiddleware:
    """Signs out a user whose previous request is older than SESSION_IDLE_TIMEOUT seconds.

    The time of the last request is kept in the session (server side), so a client cannot extend
    it; every request by a signed-in user refreshes it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            timeout = settings.SESSION_IDLE_TIMEOUT
            if isinstance(last, (int, float)) and now - last > timeout:
                logout(request)
                minutes = max(1, round(timeout / 60))
                messages.info(
                    request,
                    f"You have been signed out because you had not used the service for {minutes} "
                    f"minute{'s' if minutes != 1 else ''}. Sign in again to continue.",
                )
                if request.path == resolve_url(settings.LOGIN_URL):
                    # Already on the sign-in page: show it (and take a POSTed sign-in) rather than
                    # redirect to it with ?next= pointing at itself, which lands a signed-in user
                    # back on the sign-in form.
                    return self.get_response(request)
                next_url = request.get_full_path() if request.method == "GET" else None
                if next_url:
                    return redirect_to_login(next_url)
                return HttpResponseRedirect(reverse(settings.LOGIN_URL))
            request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """With TWO_FACTOR_REQUIRED, a signed-in user who has not given a second factor this session
    reaches only sign-in, sign-out, the two-factor pages and static files; every other request is
    sent to the two-factor step (which sends a user without a device on to enrol).

    Must come after django_otp.middleware.OTPMiddleware, which adds user.is_verified().
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def exempt_paths(self) -> frozenset[str]:
        names = ("login", "logout", "accounts:two_factor", "accounts:two_factor_setup")
        return frozenset(reverse(name) for name in names)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.TWO_FACTOR_REQUIRED
            and request.user.is_authenticated
            # is_verified() is put on the user by django_otp's OTPMiddleware, unknown to the stubs.
            and not request.user.is_verified()  # type: ignore[attr-defined]
            and request.path not in self.exempt_paths
            and not request.path.startswith(_static_prefix())
        ):
            target = reverse("accounts:two_factor")
            if request.method == "GET":
                target = f"{target}?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseRedirect(target)
        return self.get_response(request)


def _static_prefix() -> str:
    url = settings.STATIC_URL or "/static/"
    return url if url.startswith("/") else f"/{url}"


def check_secret_key(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """`check --deploy`: the demo key is an error, whatever DEBUG says (with DEBUG=false the
    settings already refuse it). Registered by accounts.apps.AccountsConfig.ready."""
    if settings.SECRET_KEY.strip() in ("", settings.DEMO_SECRET_KEY):
        return [
            checks.Error(
                "SECRET_KEY is the embedded demo key, printed in project/settings.py: anyone who reads "
                "the source could forge sessions.",
                hint="Set SECRET_KEY in the environment to a random value of 50 or more characters.",
                id="project.E001",
            )
        ]
    return []
