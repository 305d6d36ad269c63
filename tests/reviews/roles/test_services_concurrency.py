"""Two coordinators removing the same role at the same moment, each on their own connection."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from reviews.models import ReviewRole, Role
from reviews.services.roles import review_role_revoke
from workflows.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLD_SECONDS = 1.0


def test_a_second_revoke_waiting_behind_the_first_says_the_role_is_gone(review, coordinator, chair):
    """The role is read again under the review's lock: the second click neither audits a second
    removal nor succeeds on a row the first one already deleted."""
    role = ReviewRole.objects.get(review=review, user=chair, role=Role.CHAIR)
    results: dict[str, Any] = {}
    barrier = threading.Barrier(2)

    def first() -> None:
        with transaction.atomic():
            review_role_revoke(actor=coordinator, role_id=role.pk)
            time.sleep(HOLD_SECONDS)  # hold the review's lock while the second click arrives

    def second() -> None:
        time.sleep(HOLD_SECONDS * 0.3)  # the first takes the lock first
        review_role_revoke(actor=coordinator, role_id=role.pk)

    def run(name: str, action: Any) -> None:
        try:
            barrier.wait(timeout=10)
            try:
                results[name] = ("ok", action())
            except Exception as error:  # the test inspects whatever came back
                results[name] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in (("first", first), ("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"

    assert results["first"][0] == "ok", results
    assert results["second"][0] == "error", results
    assert isinstance(results["second"][1], ValidationError), results
    assert results["second"][1].message_dict == {"role": ["This role has already been removed."]}
    assert AuditEvent.objects.filter(verb="role.revoked", object_id=review.pk).count() == 1
    assert not ReviewRole.objects.filter(pk=role.pk).exists()
