"""gunicorn's settings file, for the web unit (deploy/systemd/reviews-web.service) and `make prod-smoke`.

Only what cannot be said on the command line: with PROMETHEUS_MULTIPROC_DIR set, each worker writes
its metrics to files there, and a worker that dies must be marked dead or its live gauges would be
summed forever (ops/metrics.py, docs/OBSERVABILITY.md).
"""

from __future__ import annotations

from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    # Imported here, in the master after a worker exits: the config file is read before Django is set up.
    from ops.metrics import child_exit as mark_dead

    mark_dead(server, worker)
