"""A webhook endpoint for the tests: what it was sent, what it answers, and the check a receiver
makes of a signature (as docs/WEBHOOKS.md tells receivers to, written apart from the sender's code)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the endpoint was sent, and the status codes it answers with, in turn (then 200)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> int:
        with self.lock:
            return self.answers.pop(0) if self.answers else 200

    def got(self) -> list[Received]:
        with self.lock:
            return list(self.requests)


def verify(received: Received, secret: str) -> dict:
    """What a receiver does (docs/WEBHOOKS.md), written out independently of the sender's code."""
    webhook_id = received.headers["Webhook-Id"]
    timestamp = received.headers["Webhook-Timestamp"]
    expected = hmac.new(
        secret.encode(), f"{webhook_id}.{timestamp}.".encode() + received.body, hashlib.sha256
    ).hexdigest()
    scheme, _, given = received.headers["Webhook-Signature"].partition("=")
    assert scheme == "v1"
    assert hmac.compare_digest(given, expected), "the signature does not verify"
    assert abs(int(timestamp) - timezone.now().timestamp()) < 300
    return json.loads(received.body)
