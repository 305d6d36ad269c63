"""Ten coordinators press the same step of one review at the same moment, on the embedded SQLite
default that `make run` uses.

A program, not a test: the suite runs on PostgreSQL, so tests/security/test_sqlite.py runs this in
a process of its own whose DATABASE_URL names a fresh SQLite file and whose settings are the
project's own (project.settings, as `make run` has them). It migrates that file, builds one review
with ten coordinators through the services, signs each in on a client of their own, then sends the
ten POSTs from ten threads released together (tests/concurrency.race: each thread on its own
database connection, as each request is under runserver). Prints one JSON line saying what came back.
"""

from __future__ import annotations

import json
import os
from datetime import date
from typing import Any

PRESSES = 10
STEP = "start_scoping"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from reviews.models import PartnershipMember, Review, ReviewState, Role
    from tests.concurrency import race
    from tests.factories import PartnershipFactory, UserFactory, make_review, member
    from workflows.models import TransitionLog

    assert connection.vendor == "sqlite", connection.vendor
    call_command("migrate", verbosity=0)
    # Not a local "make run" quirk: the settings under test, as the server process would read them.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]

    partnership = PartnershipFactory()
    coordinators = [
        member(UserFactory(username=f"coordinator{n}"), partnership, PartnershipMember.Standing.COORDINATOR)
        for n in range(PRESSES)
    ]
    chair = member(UserFactory(username="chair"), partnership)
    review = make_review(
        coordinator=coordinators[0],
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
        roles=[(chair, Role.CHAIR, None)] + [(user, Role.COORDINATOR, None) for user in coordinators[1:]],
    )
    url = reverse("reviews:review_transition", args=[review.reference, STEP])
    clients = []
    for user in coordinators:
        # A server answers a failing request with a 500 rather than raising: so does this client.
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    connection.close()  # the threads each open their own

    def press(client: Client) -> Any:
        return lambda: client.post(url, {"expected_state": ReviewState.NOTIFICATION})

    results = race(*((f"press{n}", press(client)) for n, client in enumerate(clients)))

    responses = []
    for name, (outcome, value, _seconds) in sorted(results.items()):
        if outcome == "error":  # the request never became a response at all
            responses.append({"press": name, "status": None, "error": repr(value)})
            continue
        body = value.content.decode(errors="replace")
        responses.append({"press": name, "status": value.status_code, "location": value.get("Location"), "body": body})
    print(
        json.dumps(
            {
                "settings": {"journal_mode": journal_mode, "options": settings.DATABASES["default"]["OPTIONS"]},
                "reference": review.reference,
                "responses": responses,
                "state": Review.objects.get(pk=review.pk).state,
                "steps": TransitionLog.objects.filter(object_id=review.pk, transition=STEP).count(),
            }
        )
    )


if __name__ == "__main__":
    main()
