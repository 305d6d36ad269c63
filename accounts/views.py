"""The two-factor step after the password (django-otp): enter a code, or enrol an app first.

A user signed in with a password only reaches these pages, sign-in/out and static files while
TWO_FACTOR_REQUIRED is on (project.security.TwoFactorRequiredMiddleware).
"""

from __future__ import annotations

import base64
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import CodeForm
from project.security import second_factor_given
from workflows.types import AuthenticatedHttpRequest, User

BACKUP_CODES_SESSION_KEY = "_two_factor_backup_codes"
THROTTLED = (
    "The code was not accepted. After a wrong code you must wait a few seconds: wait, then enter the current code"
)
WRONG_CODE = "The code is not right, or has been used already. Enter the current code from your app, or a backup code"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _errors(form: CodeForm) -> list[tuple[str, str]]:
    return [(f"#{form['code'].auto_id}", str(error)) for error in form.errors.get("code", [])]


@never_cache
@login_required
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The code step: a TOTP code from the user's app, or one of their backup codes (once each)."""
    next_url = _next_url(request)
    if second_factor_given(request):
        return redirect(next_url)
    if not user_has_device(request.user):
        return redirect("accounts:two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # match_token tries every confirmed device; each throttles repeated failures, a TOTP code
        # is refused a second time, and a static (backup) code is deleted when it is used.
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        throttled = any(not d.verify_is_allowed()[0] for d in devices_for_user(request.user))
        form.add_error("code", THROTTLED if throttled else WRONG_CODE)
    return render(
        request,
        "accounts/two_factor.html",
        {"form": form, "next": next_url, "error_summary": _errors(form)},
    )


@never_cache
@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show its secret (otpauth URI and QR code), confirm one code,
    then create the backup codes. Only for a user with no confirmed device: replacing a device
    is an administrator's job, after the user has proved who they are some other way."""
    if user_has_device(request.user):
        return redirect("accounts:two_factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_backup_codes(request.user)
            otp_login(request, device)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect("accounts:two_factor_backup_codes")
        form.add_error("code", WRONG_CODE)
    uri = device.config_url
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "otpauth_uri": uri,
            "secret": base64.b32encode(device.bin_key).decode(),
            "qr_data_uri": _qr_data_uri(uri),
            "error_summary": _errors(form),
        },
    )


@never_cache
@login_required
def two_factor_backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The backup codes, shown once straight after enrolment (popped from the session), never again."""
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/two_factor_backup_codes.html", {"codes": codes})


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _qr_data_uri(data: str) -> str:
    """The QR code as an <img> of a data: SVG: no inline script or style for the strict CSP."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): says why, and for how long, in words."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"failure_limit": get_failure_limit(request, credentials), "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
