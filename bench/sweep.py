"""Benchmark: the deadline sweep against a plain indexed SELECT, then delivery through a real worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviews_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/sweep.py

Creates a throwaway database next to the one DATABASE_URL names (``<name>_<pid>``, bench/throwaway_db.py), migrates
it, and inserts (generate_series) 1,000,000 open deadlines of which 10,000 have a reminder due
today, each with one recipient among 1,000 users. Then:

* plain: ``SELECT ... WHERE state = 'open' AND next_reminder_on <= today`` fetched whole (the
  indexed range scan the sweep is built on);
* sweep: ``notifications.sweep.deadlines_sweep``, which claims every due reminder step (one
  INSERT ... SELECT of a narrow PendingReminder row per due deadline, under an advisory lock).
  Both are timed ``--repeat`` times and the medians compared.

The claims are then expanded into the outbox rows (e-mail and in-app per recipient) by worker
tasks, which is timed separately: in this process with ``--skip-delivery``, otherwise by the real
worker that also delivers.

Prints both times and the ratio (targets: sweep within 3x the SELECT and under 5 s), and the
tracemalloc peak of a sweep (a separate run: tracing slows Python down) at 1,000,000 deadlines and
at 100,000, to show memory is flat in the number of deadlines.

Then delivery (issue 12, target 500 e-mails/s): starts a real Celery worker (subprocess, prefork,
``--concurrency``, Redis) sending to an aiosmtpd server in this process, waits until it takes tasks
(in production it is already running), sweeps once more and times from the sweep's commit to the
server's acceptance of the last e-mail (the server's own timestamp), and on to the last row marked
SENT. The expansion of the claims happens inside that time, in the worker. Also prints the SMTP
connections (one per batch), repeated Message-IDs (none: each e-mail once) and the CPU each part
used per e-mail (the worker, this process with the SMTP server, and this database's PostgreSQL
backends): on a shared machine the rate moves with the load, the CPU far less.
Drops the database at the end (``--keep`` to leave it).
Not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway_db import run_in_throwaway_database  # noqa: E402 -- after the sys.path line

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/reviews_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deadlines", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000, help="deadlines with a reminder due today")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of the SELECT and of the sweep (median)")
    parser.add_argument(
        "--skip-delivery", action="store_true", help="expand the claims in this process instead of a worker; no e-mail"
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5")
    return run_in_throwaway_database(DEFAULT_URL, lambda db_name: run(args, db_name), keep=args.keep)


def _today() -> date:
    from workflows.calendar import is_working_day

    day = date.today()
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _populate(total: int, due: int, today: date) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from notifications.models import Deadline
    from workflows.calendar import add_working_days

    users = get_user_model()
    users.objects.bulk_create(
        [users(username=f"lead{i}", email=f"lead{i}@agency.example.org") for i in range(1000)], batch_size=1000
    )
    first_user = users.objects.order_by("id").values_list("id", flat=True).first()
    content_type = ContentType.objects.get_for_model(users).pk
    due_date = add_working_days(today, 5)  # so today is "5 working days before"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Deadline._meta.db_table}
              (content_type_id, object_id, kind, due_date, state, owner_label, scope, context, escalation_email,
               escalation_name, calendar, next_step, next_reminder_on, created_at, updated_at)
            SELECT %s, i, 'action_due',
                   CASE WHEN i <= %s THEN %s::date ELSE %s::date + (8 + i %% 300) END,
                   'open', 'Agency ' || (i %% 40), 'BENCH-' || (i %% 20000),
                   jsonb_build_object('reference', 'BENCH-' || (i %% 20000), 'what', 'Action ' || i, 'link', '/'),
                   '', '', '1', -5,
                   CASE WHEN i <= %s THEN %s::date ELSE %s::date + (1 + i %% 300) END,
                   now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [content_type, due, due_date, today, due, today, today, total],
        )
        cursor.execute(
            f"INSERT INTO {Deadline.recipients.through._meta.db_table} (deadline_id, user_id) "
            f"SELECT id, %s + (id %% 1000) FROM {Deadline._meta.db_table}",
            [first_user],
        )
        cursor.execute("ANALYZE")


def _plain_select(today: date, repeat: int) -> tuple[list[float], int]:
    from django.db import connection

    from notifications.models import Deadline

    sql = (
        f"SELECT id, kind, due_date, next_step, scope, context FROM {Deadline._meta.db_table} "
        "WHERE state = 'open' AND next_reminder_on <= %s ORDER BY next_reminder_on, id"
    )
    times = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [today])  # warm
        cursor.fetchall()
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql, [today])
            rows = cursor.fetchall()
            times.append(time.perf_counter() - started)
        cursor.execute("EXPLAIN " + sql, [today])
        plan = " / ".join(line for (line,) in cursor.fetchall())
    print(f"plan of the plain SELECT    : {plan[:160]}")
    return times, len(rows)


def _reset(today: date, due: int) -> None:
    """Back to "nothing sent yet": no outbox rows, no claims, the due deadlines at step -5 today."""
    from django.db import connection

    from notifications.models import Deadline, Notification, PendingReminder

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Notification._meta.db_table}")
        cursor.execute(f"DELETE FROM {PendingReminder._meta.db_table}")
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} SET next_step = -5, next_reminder_on = %s WHERE object_id <= %s",
            [today, due],
        )
        cursor.execute(f"VACUUM ANALYZE {Notification._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {PendingReminder._meta.db_table}")


def _drop_claims() -> None:
    from django.db import connection

    from notifications.models import PendingReminder

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PendingReminder._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {PendingReminder._meta.db_table}")


def _peaks(today: date) -> tuple[float, float, int]:
    """tracemalloc peaks of the sweep (claiming) and of expanding every claim, in this process."""
    from unittest import mock

    from notifications.sweep import deadlines_sweep, reminders_expand_all

    tracemalloc.start()
    deadlines_sweep(today=today, publish=False)
    _, sweep_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with mock.patch("notifications.sweep.notifications_enqueue"):
        tracemalloc.start()
        expanded = reminders_expand_all()
        _, expand_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return sweep_peak / 1024 / 1024, expand_peak / 1024 / 1024, expanded.written


def _median(values: list[float]) -> float:
    return statistics.median(values)


def run(args: argparse.Namespace, db_name: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from notifications.models import Deadline, PendingReminder
    from notifications.sweep import deadlines_sweep, reminders_expand_all

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = on")
    print(f"database {db_name}: migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    today = _today()
    started = time.perf_counter()
    # Memory first, at a tenth of the size, then at full size (tracing is slow: not timed).
    small = max(args.due, args.deadlines // 10)
    _populate(small, args.due, today)
    print(f"inserted {small:,} deadlines in {time.perf_counter() - started:.1f} s", flush=True)
    sweep_small, expand_small, _ = _peaks(today)
    _reset(today, args.due)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Deadline._meta.db_table} CASCADE")
        cursor.execute("DELETE FROM auth_user")
    started = time.perf_counter()
    _populate(args.deadlines, args.due, today)
    print(f"inserted {args.deadlines:,} deadlines ({args.due:,} due {today}) in {time.perf_counter() - started:.1f} s")
    sweep_full, expand_full, written = _peaks(today)
    _reset(today, args.due)

    select_times, selected = _plain_select(today, args.repeat)
    import redis

    from project.celery import app

    broker = redis.Redis.from_url(app.conf.broker_url)
    # Timed as it runs in production: claim, commit, publish the expansion tasks. One warm-up run
    # first (as for the SELECT): it opens the producer's connection to Redis, which a worker keeps.
    sweep_times = []
    for run_number in range(args.repeat + 1):
        _drop_claims()
        broker.flushdb()
        started = time.perf_counter()
        result = deadlines_sweep(today=today)
        seconds = time.perf_counter() - started
        assert result.deadlines == selected == args.due, (result, selected)
        if run_number:
            sweep_times.append(seconds)
    select_seconds, sweep_seconds = _median(select_times), _median(sweep_times)
    ratio = sweep_seconds / select_seconds
    print(f"due deadlines               : {selected:,} of {args.deadlines:,}")
    print(
        f"plain indexed SELECT        : {select_seconds * 1000:8.1f} ms  (median of {args.repeat}: "
        + ", ".join(f"{t * 1000:.1f}" for t in select_times)
        + ")"
    )
    print(
        f"sweep (claim {result.deadlines:,} steps)  : {sweep_seconds * 1000:8.1f} ms  (median of {args.repeat}: "
        + ", ".join(f"{t * 1000:.1f}" for t in sweep_times)
        + "; each: claim, commit, publish the expansion tasks to Redis)"
    )
    print(
        f"ratio sweep / SELECT        : {ratio:8.2f}x  (target <= 3x: {'met' if ratio <= 3 else 'NOT met'}; "
        f"under 5 s: {'met' if sweep_seconds < 5 else 'NOT met'})"
    )
    print(
        f"peak memory, sweep          : {sweep_small:.2f} MiB at {small:,} deadlines, {sweep_full:.2f} MiB at "
        f"{args.deadlines:,} (tracemalloc)"
    )
    print(
        f"peak memory, expansion      : {expand_small:.1f} MiB at {small:,} deadlines, {expand_full:.1f} MiB at "
        f"{args.deadlines:,} ({written:,} outbox rows written each time)"
    )
    if args.skip_delivery:
        with mock_enqueue():
            started = time.perf_counter()
            expanded = reminders_expand_all()
            seconds = time.perf_counter() - started
        print(
            f"expansion in this process   : {expanded.claims:,} claims -> {expanded.written:,} outbox rows in "
            f"{seconds:.2f} s (one process, batches of 500)"
        )
        assert not PendingReminder.objects.exists()
        return 0
    # The timed sweeps' claims and expansion tasks are dropped: the delivery run sweeps again once
    # its worker is up.
    _drop_claims()
    broker.flushdb()
    _deliver(args, today, args.due)
    return 0


def mock_enqueue():
    from unittest import mock

    return mock.patch("notifications.sweep.notifications_enqueue")


class _Receiver:
    """The aiosmtpd handler: counts connections (one EHLO each) and messages, keeps each message's
    Message-ID (a copy sent twice would show as a repeated one) and the time of the last acceptance,
    so the rate is measured where the e-mails arrive, not by polling the database."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections = 0
        self.message_ids: list[bytes] = []
        self.last_at = 0.0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 -- aiosmtpd hook name
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd hook name
        content = envelope.original_content or b""
        start = content.find(b"\nMessage-ID: ")
        message_id = content[start + 13 : content.find(b"\r\n", start)] if start >= 0 else b""
        with self.lock:
            self.message_ids.append(message_id)
            self.last_at = time.perf_counter()
        return "250 OK"


def _cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used (Linux /proc), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _CpuMeter:
    """CPU used by the worker (its main process and pool children), this process (the SMTP server
    and the sweep) and this database's PostgreSQL backends: figures that depend far less on what
    else loads the machine than the wall-clock rate does."""

    def __init__(self, worker_pid: int) -> None:
        self.worker_pid = worker_pid
        self.start = self._sample()
        self.latest = {part: dict(seconds) for part, seconds in self.start.items()}

    def poll(self) -> None:
        """Sample again: a backend lives only as long as its task's connection, so its CPU is read
        while it lives (missing at most its last poll interval)."""
        sample = self._sample()
        for part, seconds in sample.items():
            self.latest[part] = {**self.latest[part], **seconds}

    def _sample(self) -> dict[str, dict[int, float]]:
        from django.db import connection

        children = Path(f"/proc/{self.worker_pid}/task/{self.worker_pid}/children")
        workers = [self.worker_pid, *map(int, children.read_text().split())] if children.exists() else []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            backends = [pid for (pid,) in cursor.fetchall()]
        return {
            "worker": {pid: _cpu_seconds(pid) for pid in workers},
            "postgres": {pid: _cpu_seconds(pid) for pid in backends},
            "bench": {0: time.process_time()},
        }

    def used(self) -> dict[str, float]:
        self.poll()
        return {
            part: sum(seconds - self.start[part].get(pid, 0.0) for pid, seconds in self.latest[part].items())
            for part in self.latest
        }


def _start_worker(args: argparse.Namespace, port: int) -> tuple[subprocess.Popen, Path]:
    """A real prefork worker sending to the loopback server; returns once it takes tasks."""
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}", "LOG_LEVEL": "WARNING"}
    log_path = ROOT / "var" / f"bench-worker-{os.getpid()}.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "project",
                "worker",
                "--pool=prefork",
                f"--concurrency={args.concurrency}",
                "--loglevel=INFO",  # for the " ready." line; the project's own loggers stay at LOG_LEVEL
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    started = time.perf_counter()
    while " ready." not in log_path.read_text():
        if worker.poll() is not None or time.perf_counter() - started > 60:
            raise RuntimeError(f"the worker did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.1)
    return worker, log_path


def _deliver(args: argparse.Namespace, today: date, expected: int) -> None:
    """Start the worker first (in production it is already running), then sweep and time from the
    sweep's commit to the SMTP server's acceptance of the last e-mail, and on to the last row marked
    SENT. The expansion of the claims into outbox rows happens inside that time, by the worker."""
    import socket

    from aiosmtpd.controller import Controller
    from django.db import connection

    from notifications.models import Notification, PendingReminder
    from notifications.sweep import deadlines_sweep

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    receiver = _Receiver()
    controller = Controller(receiver, hostname="127.0.0.1", port=port)
    controller.start()
    worker, log_path = _start_worker(args, port)
    try:
        cpu = _CpuMeter(worker.pid)
        started = time.perf_counter()
        result = deadlines_sweep(today=today)  # claims, commits, publishes the expansion tasks
        committed = time.perf_counter()
        assert result.deadlines == expected, result
        expanded_at = None
        while time.perf_counter() - committed < 900:
            if expanded_at is None and not PendingReminder.objects.exists():
                expanded_at = time.perf_counter()
            with receiver.lock:
                received = len(receiver.message_ids)
            if received >= expected:
                break
            cpu.poll()
            time.sleep(0.05)
        with receiver.lock:
            received, smtp_at = len(receiver.message_ids), receiver.last_at
        while Notification.objects.filter(channel="email", status="sending").exists():
            cpu.poll()
            time.sleep(0.05)
        marked_at = time.perf_counter()
        used = cpu.used()
        sent = Notification.objects.filter(channel="email", status="sent").count()
        failed = Notification.objects.filter(status="failed").count()
        rows = Notification.objects.count()
        smtp_seconds = smtp_at - committed
        distinct = len(set(receiver.message_ids))
        print(f"sweep before publishing     : {(committed - started) * 1000:.0f} ms (claim and commit)")
        print(
            f"expansion by the worker     : {expected:,} claims -> {rows:,} outbox rows, claims gone "
            f"{(expanded_at or marked_at) - committed:.1f} s after the commit (delivery had begun by then)"
        )
        print(
            f"commit -> SMTP server       : {received:,} e-mails in {smtp_seconds:.2f} s = "
            f"{received / smtp_seconds:,.0f} messages/s (target >= 500; prefork x{args.concurrency}, Redis, "
            f"aiosmtpd on loopback; worker already running)"
        )
        print(
            f"commit -> every row SENT    : {marked_at - committed:.2f} s; {sent:,} sent, {failed} failed, "
            f"{received - distinct} duplicate Message-IDs, {receiver.connections} SMTP connections"
        )
        print(
            "CPU per e-mail              : "
            + ", ".join(f"{part} {seconds / expected * 1000:.2f} ms" for part, seconds in used.items())
            + " (worker: expansion and delivery; bench: the SMTP server and the sweep; postgres: this database's "
            "backends)"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        controller.stop()
        connection.close()
    print(f"worker log: {log_path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
