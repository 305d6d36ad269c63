"""schemathesis over the whole OpenAPI schema, against the demo partnership (``seed_demo``) in
the test database, as the demo's coordinator, its police lead and an outsider (a user with no
role anywhere): no 5xx, and every response conforms to the schema (status code, content type,
headers, body).

The example count is small so the suite stays quick; a larger run sets API_FUZZ_EXAMPLES
(docs/API.md, "Fuzzing"). The app is called in-process through WSGI, on the test's own
database connection."""

from __future__ import annotations

import io
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from api.models import Scope
from project.wsgi import application
from reviews.models import Review
from tests.api.client import make_token
from tests.factories import UserFactory
from workflows.types import User

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def in_process(settings):
    """The WSGI handler closes the connection after each request (request_finished), which would
    end the test's transaction: as Django's test client does, keep it open."""
    settings.API_THROTTLE_RATE = "100000/minute"
    cache.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_the_whole_schema_as_a_coordinator_an_agency_lead_and_an_outsider(in_process):
    call_command("seed_demo", stdout=io.StringIO())
    assert Review.objects.exists()
    tokens = {
        "coordinator": make_token(User.objects.get(username="coordinator"), Scope.values),
        "police lead": make_token(User.objects.get(username="police.lead"), Scope.values),
        "outsider": make_token(UserFactory(username="api.outsider"), Scope.values),
    }
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/reviews/", "/api/v1/reviews/{reference}/transitions/{name}"}
    failures: list[str] = []
    for who, secret in tokens.items():
        for operation in operations:
            _fuzz(operation, who, secret, failures)()
    assert not failures, "\n\n".join(failures[:10])


def _fuzz(operation, who: str, secret: str, failures: list[str]):
    """One operation, as one user, for EXAMPLES generated requests; failures are collected so one
    run reports every operation's."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers={"Authorization": f"Bearer {secret}"})
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as failure:
            failures.append(f"{who}: {operation.method.upper()} {operation.path}: {failure}")

    return run
