"""Request ids and JSON logs (ops/logs.py), and no restricted identity in any log line."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import Scope
from ops.logs import JsonFormatter, RequestIdFilter, request_id_var
from reviews.models import IntakeItem, PostcodeArea
from tests.api.client import ApiClient, make_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Lines:
    """Every record reaching the root logger, as the production handler writes it (the request id
    filter and the JSON formatter), with the root logger at DEBUG."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.addFilter(RequestIdFilter())
        self.handler.setFormatter(JsonFormatter())
        self.handler.setLevel(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.handler.emit = self._keep(self.handler.emit)  # type: ignore[method-assign]

    def _keep(self, emit):
        def keep(record: logging.LogRecord) -> None:
            self.records.append(record)
            emit(record)

        return keep

    def parsed(self) -> list[dict[str, str]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@pytest.fixture
def lines() -> Iterator[Lines]:
    captured = Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(captured.handler)
    root.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        root.removeHandler(captured.handler)
        root.setLevel(level)


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first != second and uuid.UUID(first) and uuid.UUID(second)


def test_a_callers_request_id_is_kept_when_it_is_a_plain_token(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:1"})["X-Request-ID"] == "lb-7f3a.42:1"


@pytest.mark.parametrize("offered", ["a b", "x" * 65, "id\nFORGED LINE", "<script>", ""])
def test_any_other_request_id_is_replaced(client, offered):
    answered = client.get("/healthz", headers={"X-Request-ID": offered})["X-Request-ID"]
    assert answered != offered and uuid.UUID(answered)


def test_a_log_line_is_json_with_its_request_id(client, lines):
    response = client.get("/no-such-page/", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 404
    logged = [line for line in lines.parsed() if line["logger"] == "django.request"]
    assert logged, "Django logs a 404 as a warning"
    assert logged[-1]["request_id"] == "req-123"
    assert logged[-1]["level"] == "WARNING" and logged[-1]["message"] == "Not Found: /no-such-page/"
    assert set(logged[-1]) == {"time", "level", "logger", "message", "request_id"}
    # Outside a request: "-".
    logging.getLogger("tests.ops").warning("outside")
    assert lines.parsed()[-1]["request_id"] == "-"
    assert request_id_var.get() is None


def test_an_exception_is_one_json_line(lines):
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("tests.ops").exception("it failed")
    line = lines.parsed()[-1]
    assert line["message"] == "it failed" and "ValueError: broken" in line["exception"]


def test_the_json_format_is_switched_on_by_log_format():
    """project/settings.py: the console handler uses the JSON formatter only with LOG_FORMAT=json."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    program = "import django, logging; django.setup(); logging.getLogger('x').warning('hello')"

    def last_line(log_format: str | None) -> str:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings"}
        env.pop("LOG_FORMAT", None)
        if log_format:
            env["LOG_FORMAT"] = log_format
        done = subprocess.run(
            [sys.executable, "-c", program], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stderr.strip().splitlines()[-1]

    line = json.loads(last_line("json"))
    assert (line["message"], line["level"], line["logger"], line["request_id"]) == ("hello", "WARNING", "x", "-")
    assert last_line(None) == last_line("text") == "hello"  # the demo's plain text, as before


# What identifies the child: each must never reach a log line.
NAME, SURNAME = "Poppy", "Ashcombe-Lindqvist"
NHS_NUMBERS = ("9434765919", "943 476 5919")
BIRTH = ("2023-05-17", "17 May 2023", "17/05/2023", "2023, 5, 17")
ADDRESS = ("Orchard Row", "NB3 7QT", "nb3 7qt")
SIBLING = ("Tamsin Oakhurst-Vell", "4010232137", "12 Quarry Lane")


def _intake_form() -> dict[str, str]:
    died = timezone.localtime() - timedelta(days=1)
    return {
        "child_name": f"{NAME} {SURNAME}",
        "date_of_birth-day": "17",
        "date_of_birth-month": "5",
        "date_of_birth-year": "2023",
        "nhs_number": NHS_NUMBERS[1],
        "sex": "female",
        "ethnicity": "white_british",
        "address": "3 Orchard Row\nNorthbridge",
        "postcode": "nb3 7qt",
        "died_on-day": str(died.day),
        "died_on-month": str(died.month),
        "died_on-year": str(died.year),
        "died_time": "03:15",
        "place_of_death": "Northbridge General Hospital",
        "expectation": "unexpected",
        "notifier_name": "Dr Amara Okafor",
        "notifier_role": "Paediatric registrar",
        "notifier_organisation": "Northbridge General Hospital",
        "notifier_email": "amara.okafor@nbgh.example.nhs.uk",
        "notifier_phone": "01632 960 123",
        "became_aware_on-day": str(died.day),
        "became_aware_on-month": str(died.month),
        "became_aware_on-year": str(died.year),
        "became_aware_time": "04:00",
        "account": "Brought in by ambulance after a cardiac arrest at home.",
        "partnership": "",
        "website": "",
    }


def _api_body() -> dict[str, str]:
    form = _intake_form()
    died = timezone.localtime() - timedelta(days=1)
    body = {key: value for key, value in form.items() if "-" not in key and key not in ("partnership", "website")}
    return {
        **body,
        "date_of_birth": "2023-05-17",
        "died_on": died.date().isoformat(),
        "became_aware_on": died.date().isoformat(),
    }


def test_no_restricted_identity_reaches_a_log_line(lines, settings, partnership, review, coordinator):
    # DEBUG on, as on a developer's machine: Django would log every SQL statement with its
    # parameters, which hold the identities, if the settings let it.
    settings.DEBUG = True
    PostcodeArea.objects.create(prefix="NB", partnership=partnership)

    # The public form, then the coordinator's queue and the notification's page (the identity shown).
    anonymous = Client()
    assert anonymous.post("/notify/", _intake_form(), REMOTE_ADDR="198.51.100.7").status_code == 200
    # Refused (400, the form again with its errors): the identity is on the page, not in the log.
    assert anonymous.post("/notify/", {**_intake_form(), "nhs_number": "1234567890"}).status_code == 400
    item = IntakeItem.objects.get()
    staff = Client()
    staff.force_login(coordinator)
    assert staff.get(reverse("reviews:intake_queue")).status_code == 200
    page = staff.get(reverse("reviews:intake_item", args=[item.reference]))
    assert page.status_code == 200 and SURNAME in page.content.decode()

    # The API's intake, accepted and refused.
    hospital = ApiClient(make_token(UserFactory(username="nbgh.system"), [Scope.NOTIFY]))
    assert hospital.post("/api/v1/intake/notifications", _api_body()).status_code == 201
    refused = hospital.post("/api/v1/intake/notifications", {**_api_body(), "nhs_number": "1234567890"})
    assert refused.status_code == 400

    # A subject with a restricted identity added to a review, then its identity page.
    staff.post(
        reverse("reviews:subject_add", args=[review.reference]),
        {
            "pseudonym": "Sibling D",
            "sex": "female",
            "full_name": SIBLING[0],
            "nhs_number": SIBLING[1],
            "address": SIBLING[2],
            "date_of_birth-day": "3",
            "date_of_birth-month": "2",
            "date_of_birth-year": "2019",
        },
    )
    subject = review.subjects.get(pseudonym="Sibling D")
    identity = staff.get(reverse("reviews:subject_identity", args=[review.reference, subject.pk]))
    assert identity.status_code == 200 and SIBLING[0] in identity.content.decode()
    # A page that is not there, so the capture is shown to work (Django logs the 404).
    assert staff.get(f"/reviews/{review.reference}/nothing-here/").status_code == 404

    text = lines.stream.getvalue()
    assert "Not Found" in text and "Bad Request: /api/v1/intake/notifications" in text
    everything = text + "\n".join(
        f"{record.msg!r} {record.args!r} {getattr(record, 'sql', '')} {getattr(record, 'params', '')}"
        for record in lines.records
    )
    for secret in (NAME, SURNAME, *NHS_NUMBERS, *BIRTH, *ADDRESS, *SIBLING, "2019-02-03"):
        assert secret not in everything, f"{secret!r} reached a log line"


def test_a_tasks_records_carry_its_task_id():
    from celery.signals import task_prerun

    from ops.tasks import heartbeat

    seen: list[str | None] = []

    def look(**kwargs) -> None:  # connected after ops' own receiver, so it runs after it
        seen.append(request_id_var.get())

    task_prerun.connect(look, weak=False)
    try:
        heartbeat.apply(task_id="3f2c-task")
    finally:
        task_prerun.disconnect(look)
    assert seen == ["task:3f2c-task"]
    assert request_id_var.get() is None
