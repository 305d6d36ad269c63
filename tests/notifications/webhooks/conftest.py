"""A real HTTP receiver on loopback for the webhook tests, and a subscription of the fixture
partnership that posts to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from notifications.webhooks_models import WebhookEvent, WebhookSubscription
from reviews.models import PartnershipMember
from reviews.services.webhooks import webhook_subscription_add
from tests.factories import UserFactory, member
from tests.notifications.webhooks.receiver import Received, Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 -- http.server's hook name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            code = state.answer()
            with state.lock:
                state.requests.append(Received(headers=dict(self.headers.items()), body=body))
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 -- the base class's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = True
    return settings


@pytest.fixture
def partnership_admin(partnership):
    return member(UserFactory(username="partnership.admin"), partnership, PartnershipMember.Standing.ADMINISTRATOR)


@pytest.fixture
def subscription(loopback_allowed, partnership, partnership_admin, receiver) -> WebhookSubscription:
    """The partnership's endpoint at the receiver, subscribed to every event."""
    return webhook_subscription_add(
        actor=partnership_admin,
        partnership=partnership,
        name="Police case system",
        url=receiver.url,
        events=list(WebhookEvent.values),
    )
