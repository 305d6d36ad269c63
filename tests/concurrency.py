"""Running requests at the same moment, each in its own thread on its own database connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection


def race(*attempts: tuple[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each (name, callable) in its own thread, released together; return what each got:
    ("ok", its result, seconds taken) or ("error", the exception, seconds taken)."""
    barrier = threading.Barrier(len(attempts))
    results: dict[str, Any] = {}

    def run(name: str, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            started = time.monotonic()
            try:
                results[name] = ("ok", action(), time.monotonic() - started)
            except Exception as error:  # the test inspects whatever came back
                results[name] = ("error", error, time.monotonic() - started)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=run, args=attempt) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return results
