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
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.core import checks
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

LAST_ACTIVITY_KEY = "_last_activity"
SIGNED_IN_AT_KEY = "_signed_in_at"
# The time of the last request is rewritten at most this often (seconds): rewriting it on every
# request would save the session, a database write, on every request. So a user is signed out
# after between SESSION_IDLE_TIMEOUT - ACTIVITY_WRITE_INTERVAL and SESSION_IDLE_TIMEOUT seconds
# without a request: never later than the timeout.
ACTIVITY_WRITE_INTERVAL = 60


def record_sign_in(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """On every sign-in (django.contrib.auth's user_logged_in): the time it happened, which caps
    the session's lifetime, and the first activity, so the very next request is idle-checked too.
    Connected by accounts.apps.AccountsConfig.ready."""
    now = time.time()
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_ACTIVITY_KEY] = now


class IdleSessionTimeoutMiddleware:
    """Signs out a user whose previous request is older than SESSION_IDLE_TIMEOUT seconds, or who
    signed in more than SESSION_COOKIE_AGE seconds ago however active they have been since.

    Both times are kept in the session (server side), so a client cannot change them. The cap
    cannot rest on the session's own expiry date: Django moves that forward whenever the session
    is saved, and the idle clock saves it. A signed-in session without the times (made before they
    were recorded) is ended too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            ended = _why_ended(request.session, now)
            if ended:
                logout(request)
                messages.info(request, f"{ended} Sign in again to continue.")
                if request.path == resolve_url(settings.LOGIN_URL):
                    # Already on the sign-in page: show it (and take a POSTed sign-in) rather than
                    # redirect to it with ?next= pointing at itself, which lands a signed-in user
                    # back on the sign-in form.
                    return self.get_response(request)
                next_url = request.get_full_path() if request.method == "GET" else None
                if next_url:
                    return redirect_to_login(next_url)
                return HttpResponseRedirect(reverse(settings.LOGIN_URL))
            if now - request.session[LAST_ACTIVITY_KEY] >= ACTIVITY_WRITE_INTERVAL:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


def _why_ended(session: SessionBase, now: float) -> str | None:
    """Why this signed-in session is over, in words for the sign-in page; None while it is not."""
    signed_in, last = session.get(SIGNED_IN_AT_KEY), session.get(LAST_ACTIVITY_KEY)
    if not (isinstance(signed_in, (int, float)) and isinstance(last, (int, float))):
        return "Your session has ended."
    if now - signed_in > settings.SESSION_COOKIE_AGE:
        return f"You have been signed out because you signed in more than {_duration(settings.SESSION_COOKIE_AGE)} ago."
    if now - last > settings.SESSION_IDLE_TIMEOUT:
        return (
            "You have been signed out because you had not used the service for "
            f"{_duration(settings.SESSION_IDLE_TIMEOUT)}."
        )
    return None


def _duration(seconds: float) -> str:
    """10 hours, 30 minutes, 1 minute: whole hours when it is some, else minutes (at least one)."""
    if seconds >= 3600 and seconds % 3600 == 0:
        count, unit = int(seconds // 3600), "hour"
    else:
        count, unit = max(1, round(seconds / 60)), "minute"
    return f"{count} {unit}{'s' if count != 1 else ''}"


def second_factor_given(request: HttpRequest) -> bool:
    """Whether this session's user signed in with a second factor (django-otp's OTPMiddleware puts
    is_verified() on the user). The one test of it: the middleware below, the two-factor step and
    the API token page (api/pages.py) ask here."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(request.user.is_authenticated and is_verified is not None and is_verified())


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
            and not second_factor_given(request)
            and request.path not in self.exempt_paths
            and not request.path.startswith(_static_prefix())
        ):
            target = reverse("accounts:two_factor")
            if request.method == "GET":
                target = f"{target}?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseRedirect(target)
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """Every response to a signed-in user says ``Cache-Control: no-store`` (with Django's other
    never-cache headers): case pages, exports and evidence downloads are not kept in the browser's
    cache or a proxy's, where the next person at a shared computer could open them from history.

    Static files stay cacheable: they never reach middleware (runserver serves them before it, the
    web server in front of the service in production). Whether the user was signed in is read
    before the view runs and again after, so the response that signs someone out (or in) is not
    stored either.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


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
