"""The database connection: the embedded SQLite default (`make run`) takes two presses of one button
as PostgreSQL does, one done and the other told, never a 500; PostgreSQL connections are kept
between requests (CONN_MAX_AGE) and checked before reuse."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from tests.security.sqlite_race import PRESSES
from tests.sqlite_program import run_on_sqlite


def test_ten_presses_of_one_step_on_sqlite_one_succeeds_the_others_are_told(tmp_path):
    result = run_on_sqlite("tests.security.sqlite_race", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    race = json.loads(result.stdout.strip().splitlines()[-1])

    statuses = sorted(response["status"] for response in race["responses"])
    assert statuses == [302] + [409] * (PRESSES - 1), (statuses, result.stderr[-3000:])
    assert "database is locked" not in result.stderr
    assert race["settings"]["journal_mode"] == "wal"
    winner = next(response for response in race["responses"] if response["status"] == 302)
    assert winner["location"] == f"/reviews/{race['reference']}/"
    for response in race["responses"]:
        if response["status"] == 409:
            # The runner's expected-state check, in words: the page as it is now, nothing changed.
            assert (
                f"{race['reference']} has already moved to Scoping since you loaded the page; nothing was changed."
                in response["body"]
            )
    assert race["state"] == "scoping"
    assert race["steps"] == 1


@pytest.mark.postgres
def test_postgresql_connections_are_kept_between_requests_and_checked():
    assert connection.vendor == "postgresql"
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 60
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_end_of_a_request_keeps_the_postgresql_connection():
    # What Django does when a request (or, through Celery's Django fix-up, a task) ends.
    def backend_pid() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    before = backend_pid()
    close_old_connections()
    assert backend_pid() == before, "the connection was closed at the end of the request"
