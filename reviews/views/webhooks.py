"""A partnership's webhooks: its administrator subscribes endpoints, deactivates them and reads the
delivery log (docs/WEBHOOKS.md). To everyone else the pages do not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from reviews.forms.webhooks import WebhookSubscriptionForm
from reviews.permissions import partnership_admin_for
from reviews.selectors.webhooks import deliveries_of, subscription_of, subscriptions_of
from reviews.services.webhooks import webhook_subscription_add, webhook_subscription_deactivate
from ui.pagination import paginate
from ui.views import form_page, post_only, submit
from workflows.types import AuthenticatedHttpRequest


# never_cache: the answer to a subscription shows its secret, once; no cache may keep it.
@never_cache
@login_required
def webhooks_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    partnership = partnership_admin_for(request.user, code)
    form = WebhookSubscriptionForm(request.POST if request.method == "POST" else None)
    sent = submit(
        form,
        lambda data: webhook_subscription_add(
            actor=request.user, partnership=partnership, name=data["name"], url=data["url"], events=data["events"]
        ),
    )
    if sent.saved and sent.result is not None:
        # Not a redirect: the secret is shown on this answer and never again.
        return render(
            request, "reviews/webhooks/created.html", {"partnership": partnership, "subscription": sent.result}
        )
    pages = paginate(subscriptions_of(partnership), request.GET, singular="endpoint", plural="endpoints")
    return form_page(request, "reviews/webhooks/list.html", sent, {"partnership": partnership, "pages": pages})


@login_required
def webhook_view(request: AuthenticatedHttpRequest, code: str, subscription_id: int) -> HttpResponse:
    partnership = partnership_admin_for(request.user, code)
    subscription = subscription_of(partnership, subscription_id)
    if subscription is None:
        raise Http404("No such webhook.")
    pages = paginate(deliveries_of(subscription), request.GET, singular="delivery", plural="deliveries")
    return render(
        request,
        "reviews/webhooks/log.html",
        {"partnership": partnership, "subscription": subscription, "pages": pages},
    )


@login_required
def webhook_deactivate_view(request: AuthenticatedHttpRequest, code: str, subscription_id: int) -> HttpResponse:
    partnership = partnership_admin_for(request.user, code)
    subscription = subscription_of(partnership, subscription_id)
    if subscription is None:
        raise Http404("No such webhook.")
    if (refused := post_only(request)) is not None:
        return refused
    cancelled = webhook_subscription_deactivate(
        actor=request.user, partnership=partnership, subscription_id=subscription.pk
    )
    note = f" {cancelled} delivery(ies) not yet sent were cancelled." if cancelled else ""
    messages.success(request, f"“{subscription.name}” will receive no more events.{note}")
    return redirect("reviews:webhooks", code=partnership.code)
