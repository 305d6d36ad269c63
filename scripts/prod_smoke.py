"""The smoke test of `make prod-smoke` (scripts/prod-smoke.sh starts the topology and runs this).

Through both web instances: the sign-in page, a signed-in page (signed in on one instance, the second
factor given on the other: the session is shared through the database), a static file by its hashed
name with compression and a year's caching, and /api/schema/. Then both Celery workers answer a ping,
each runs a task published to the queue, and beat has started. Exits non-zero naming the first
failure. Requests carry X-Forwarded-Proto: https, as nginx (deploy/nginx/reviews.conf) sends them.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken  # noqa: E402

from project.celery import app  # noqa: E402

USERNAME = "prod-smoke"
PASSWORD = "prod-smoke-password-0123"  # noqa: S105 -- a throwaway user in a throwaway database
BACKUP_CODE = "smoke1234"


class Failure(Exception):
    pass


class Client:
    """One browser: cookies kept by hand (they are Secure, and this is plain HTTP behind 'TLS')."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self,
        base: str,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(base)
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        sent = {"Host": url.netloc, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://{url.netloc}"
            sent["Referer"] = f"https://{url.netloc}{path}"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    self.cookies[morsel.key] = morsel.value
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content


def check(condition: bool, what: str) -> None:
    if not condition:
        raise Failure(what)
    print(f"  ok: {what}")


def wait_until_up(bases: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    for base in bases:
        while True:
            try:
                status, _, _ = Client().request(base, "GET", "/accounts/login/")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise Failure(f"{base} did not answer /accounts/login/ within {timeout:.0f} s")
            time.sleep(0.5)


def smoke_user() -> None:
    user = get_user_model().objects.create_user(USERNAME, f"{USERNAME}@example.org", PASSWORD)
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token=BACKUP_CODE)


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise Failure("no CSRF token in the form")
    return match.group(1).decode()


def web_checks(first: str, second: str) -> None:
    browser = Client()
    status, _, page = browser.request(first, "GET", "/accounts/login/")
    check(status == 200 and b"Sign in" in page, f"{first}: the sign-in page")
    form = {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)}
    status, headers, _ = browser.request(first, "POST", "/accounts/login/", form)
    check(status == 302, f"{first}: the password accepted (302, got {status})")
    # The second factor on the other instance: the session lives in the shared database.
    status, _, page = browser.request(second, "GET", "/accounts/two-factor/")
    check(status == 200 and b'name="code"' in page, f"{second}: the two-factor step of a session begun on {first}")
    form = {"code": BACKUP_CODE, "csrfmiddlewaretoken": csrf_token(page)}
    status, headers, _ = browser.request(second, "POST", "/accounts/two-factor/", form)
    check(status == 302, f"{second}: the backup code accepted (302, got {status})")
    for base in (first, second):
        status, headers, page = browser.request(base, "GET", "/")
        check(status == 200 and b"Sign out" in page and USERNAME.encode() in page, f"{base}: a signed-in page")
        check("no-store" in headers.get("cache-control", ""), f"{base}: the signed-in page is not cached")

    _, _, page = Client().request(first, "GET", "/accounts/login/")
    hashed = re.findall(rb'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.(?:css|js))"', page)
    check(bool(hashed), f"{first}: the sign-in page links its static files by hashed name")
    path = hashed[0].decode()
    for base in (first, second):
        for encoding in ("br", "gzip"):
            status, headers, body = Client().request(base, "GET", path, headers={"Accept-Encoding": encoding})
            check(
                status == 200 and headers.get("content-encoding") == encoding and len(body) > 0,
                f"{base}: {path} served {encoding}-compressed",
            )
            check("immutable" in headers.get("cache-control", ""), f"{base}: {path} cached for good")
        status, headers, body = Client().request(base, "GET", path)
        check(status == 200 and "content-encoding" not in headers, f"{base}: {path} served plain when not asked")
        status, _, body = Client().request(base, "GET", "/api/schema/")
        check(status == 200 and b"openapi" in body, f"{base}: /api/schema/")


def celery_checks(workers: int, suffix: str, beat_log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    names: set[str] = set()
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        names = {name for reply in replies for name in reply if suffix in name}
        if len(names) >= workers:
            break
    check(len(names) == workers, f"{workers} Celery workers answer a ping ({sorted(names)})")
    # Each worker runs a task taken from the queue (one at a time each: prefetch 1, concurrency 1).
    seen: set[str] = set()
    while time.monotonic() < deadline and len(seen) < workers:
        for _ in range(4):
            app.send_task("notifications.tasks.requeue_stuck_notifications")
        time.sleep(2)
        stats = app.control.inspect(timeout=1.0).stats() or {}
        # "total" counts the tasks a worker has run, by name.
        seen |= {n for n, s in stats.items() if suffix in n and s.get("total", {})}
    check(len(seen) == workers, f"every worker ran a task ({sorted(seen)})")
    while time.monotonic() < deadline and "beat: Starting..." not in beat_log.read_text():
        time.sleep(0.5)
    check("beat: Starting..." in beat_log.read_text(), "beat started")
    check("ERROR" not in beat_log.read_text(), "beat logged no error")


def ops_checks(bases: list[str], timeout: float = 150) -> None:
    """What an operator's probes and Prometheus see on each instance (ops/, docs/OBSERVABILITY.md):
    alive; ready once a worker's heartbeat and beat's run are recorded (both within a minute or two of
    starting); metrics only with the token, summed over the instance's gunicorn workers."""
    token = os.environ["METRICS_TOKEN"]
    for base in bases:
        status, _, body = Client().request(base, "GET", "/healthz")
        check(status == 200, f"{base}: /healthz")
        deadline = time.monotonic() + timeout
        status, body = 0, b""
        while time.monotonic() < deadline:
            status, _, body = Client().request(base, "GET", "/readyz")
            if status == 200:
                break
            time.sleep(3)
        check(status == 200, f"{base}: /readyz ({body.decode()[:300]})")
        status, _, _ = Client().request(base, "GET", "/metrics")
        check(status == 401, f"{base}: /metrics refused without the token")
        status, _, body = Client().request(base, "GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
        check(
            status == 200 and b"reviews_http_request_duration_seconds" in body and b"reviews_outbox_backlog" in body,
            f"{base}: /metrics with the token",
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--web", action="append", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-name-suffix", required=True)
    parser.add_argument("--beat-log", type=Path, required=True)
    arguments = parser.parse_args()
    try:
        wait_until_up(arguments.web)
        smoke_user()
        first, second = arguments.web
        web_checks(first, second)
        celery_checks(arguments.workers, arguments.worker_name_suffix, arguments.beat_log)
        ops_checks(arguments.web)
    except Failure as failure:
        print(f"prod-smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
