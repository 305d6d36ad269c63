"""Real components for the notification tests: an aiosmtpd server on loopback, Redis (the test
broker, or a redis-server of a test's own), and Celery workers as subprocesses."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.utils import timezone

from reviews.models.contributions import Ask
from reviews.services.contributions import contribution_request
from tests.notifications.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "redis: needs Redis and starts real Celery workers (CI always runs these)")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- today, frozen -------------------------------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    """Set "today" for every service that asks timezone.localdate() (due-date checks, scheduling)."""

    class Today:
        value = date(2026, 12, 7)

        def set(self, day: date) -> date:
            self.value = day
            return day

    holder = Today()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: holder.value)
    return holder


@pytest.fixture
def ask_police(scoping, coordinator, police, police_lead):
    """Ask the police for a chronology due on ``due`` (a reason given, as any non-default date needs)."""

    def ask(due: date):
        return contribution_request(
            actor=coordinator,
            review_id=scoping.pk,
            agency=police,
            lead=police_lead,
            asks=[Ask.CHRONOLOGY],
            due_date=due,
            due_date_reason="Agreed at the scoping meeting.",
        )

    return ask


# --- SMTP ----------------------------------------------------------------------------------


@dataclass
class SmtpHandler:
    """Keeps what it accepted; refuses chosen recipients with 550; can stall in DATA."""

    messages: list[Any] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    stall_next_data: bool = False
    in_data: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 -- aiosmtpd's hook name
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import asyncio

        if self.stall_next_data:
            # Mid-delivery: the client has sent the message but has no 250 yet, so it is not
            # delivered. The test kills the worker here; the message is never accepted.
            self.stall_next_data = False
            self.in_data.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        with self.lock:
            self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Any]:
        with self.lock:
            return [m for m in self.messages if address in m.rcpt_tos]


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpHandler, int]]:
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release.set()
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp):
    handler, port = smtp
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return handler


# --- Redis and workers -----------------------------------------------------------------------


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture
def broker_url() -> str:
    """The test broker (CELERY_BROKER_URL: a Redis DB of our own, e.g. /5), emptied first."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://") or not _redis_reachable(url):
        if _in_ci():
            pytest.fail(f"CI=true but Redis is not reachable at {url}")
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/5")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def use_broker(monkeypatch):
    """Point this process's Celery app (the producer) at another broker for one test."""
    from project.celery import app

    original = app.conf.broker_url

    def reset_pools() -> None:
        # Celery keeps a connection pool and a producer pool bound to the broker it first used,
        # taken from kombu's process-wide registries (keyed by broker URL). Closing them and
        # emptying the registries makes the next publish connect afresh to the URL now configured;
        # closing without emptying would leave a closed pool that later tests' publishes acquire from.
        from kombu import pools

        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    def use(url: str) -> None:
        reset_pools()
        # Celery reads the CELERY_BROKER_URL variable before its own configuration.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        assert app.connection_for_write().as_uri().endswith(url.rsplit(":", 1)[1])

    yield use
    reset_pools()
    monkeypatch.undo()
    app.conf.broker_url = original


RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture
def rabbitmq_url(use_broker, monkeypatch) -> Iterator[str]:
    """The producer (this process) and the workers the test starts on RabbitMQ, on a queue of this
    test's own (CELERY_TASK_DEFAULT_QUEUE), deleted afterwards. Under CI=true RabbitMQ must be up."""
    from kombu import Connection

    from project.celery import app

    try:
        with Connection(RABBITMQ_URL, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:  # kombu raises the transport's own errors (socket, amqp, access refused)
        if _in_ci():
            pytest.fail(f"CI=true but RabbitMQ is not reachable at {RABBITMQ_URL}: {error}")
        pytest.skip(f"needs RabbitMQ at {RABBITMQ_URL} (TEST_RABBITMQ_URL): {error}")
    queue = f"tests-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CELERY_TASK_DEFAULT_QUEUE", queue)  # the workers' environment
    original_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue

    def forget_routes() -> None:
        # Celery works out its queues and router once, from the configuration it first saw.
        for name in ("default_queue", "queues", "router"):
            app.amqp.__dict__.pop(name, None)

    forget_routes()
    use_broker(RABBITMQ_URL)
    assert app.amqp.default_queue.name == queue
    yield RABBITMQ_URL
    with Connection(RABBITMQ_URL, connect_timeout=2) as connection:
        connection.default_channel.queue_delete(queue)
    app.conf.task_default_queue = original_queue
    forget_routes()


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(tmp_path, smtp) -> Iterator[Callable[..., Worker]]:
    """``start_worker(broker_url)``: a real `celery -A project worker` on the test database, sending
    to the test's SMTP server. Solo pool: the process that is killed is the one delivering."""
    _, smtp_port = smtp
    started: list[Worker] = []

    def start(broker: str, **env: str) -> Worker:
        log = tmp_path / f"worker-{len(started)}.log"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "5",
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2",
            "NOTIFICATIONS_MAX_ATTEMPTS": "3",
            "LOG_LEVEL": "INFO",
            **env,
        }
        process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "project",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test{len(started)}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        worker = Worker(process, log)
        started.append(worker)
        wait_for(lambda: " ready." in log.read_text() or process.poll() is not None, timeout=30, what="worker ready")
        assert process.poll() is None, log.read_text()
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def own_redis(tmp_path) -> Iterator[Any]:
    """A redis-server of this test's own on a free port, which the test may kill and restart."""
    binary = shutil.which("redis-server")
    if binary is None:
        if _in_ci():
            pytest.fail("CI=true but redis-server is not installed")
        pytest.skip("needs redis-server")
    port = free_port()

    class OwnRedis:
        url = f"redis://127.0.0.1:{port}/0"
        process: subprocess.Popen | None = None

        def start(self) -> None:
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp_path),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_for(lambda: _redis_reachable(self.url), timeout=10, what="redis-server up")

        def kill(self) -> None:
            if self.process and self.process.poll() is None:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(timeout=10)

    server = OwnRedis()
    server.start()
    yield server
    server.kill()
