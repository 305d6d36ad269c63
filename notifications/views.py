"""The notifications page: one's own in-app notifications, mark read, the digest choice, and for
coordinators the e-mails that could not be delivered on their reviews."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services
from notifications.models import NotificationPreference
from workflows.types import AuthenticatedHttpRequest


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    preference = NotificationPreference.objects.filter(user=request.user).first()
    return render(
        request,
        "notifications/inbox.html",
        {
            "notifications": list(selectors.inbox_for_user(request.user)),
            # Counted in the database: the page lists only the newest INBOX_SIZE, and "Mark all as
            # read" must still be offered when every unread one is older than those.
            "unread": selectors.unread_count(request.user),
            "daily_digest": bool(preference and preference.daily_digest),
            "failed": list(selectors.failed_for_coordinator(request.user)),
        },
    )


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    # Someone else's notification (or an e-mail row) is not found, as a review without a role is:
    # 404, nothing changes and nothing is revealed. A second click on one's own keeps the first time.
    if not selectors.own_in_app(request.user).filter(pk=notification_id).exists():
        raise Http404("No such notification.")
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:inbox")


@login_required
@require_POST
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    choice = request.POST.get("daily_digest")
    if choice not in ("yes", "no"):
        # Nothing chosen (or a tampered value): keep the current choice rather than read it as "no".
        messages.error(request, "Choose how reminder e-mails should reach you.")
        return redirect("notifications:inbox")
    daily_digest = choice == "yes"
    services.preference_set(user=request.user, daily_digest=daily_digest)
    messages.success(
        request,
        "Reminder e-mails will come as one daily digest."
        if daily_digest
        else "Each reminder will come as its own e-mail.",
    )
    return redirect("notifications:inbox")
