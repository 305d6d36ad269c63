"""gunicorn's settings file, for the web unit (deploy/systemd/reviews-web.service) and `make prod-smoke`.

Only what cannot be said on the command line: with PROMETHEUS_MULTIPROC_DIR set, each worker writes
its metrics to files there, and a worker that dies must be marked dead or its live gauges would be
summed forever (ops/metrics.py, docs/OBSERVABILITY.md).
"""

from __future__ import annotations

import gc
import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    # Imported here, in the master after a worker exits: the config file is read before Django is set up.
    from ops.metrics import child_exit as mark_dead

    mark_dead(server, worker)


def post_worker_init(worker: Any) -> None:
    # A worker holds Django, its apps and every compiled template for life: frozen, the garbage
    # collector stops walking them on each full collection. A page allocates many short-lived
    # objects (rows, model instances, template nodes); collecting the youngest generation every
    # 50,000 allocations rather than 700 spends less time finding the few cycles among them.
    if os.environ.get("GUNICORN_GC_TUNING", "true") != "false":
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
