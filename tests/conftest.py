"""Named role fixtures and the guard that CI runs on the real PostgreSQL and Redis."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from reviews.models import AgencyKind, PartnershipMember, Review, ReviewState, Role
from tests.factories import AgencyFactory, PartnershipFactory, UserFactory, advance_to, make_review, member
from workflows.chain import chained_models, start_chain
from workflows.models import AuditChainHead
from workflows.signals import transitioned

Standing = PartnershipMember.Standing


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under CI=true the suite must run on PostgreSQL and Redis, and fail (not skip) without them."""
    if not _in_ci():
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"CI=true but DATABASE_URL points at {engine}, not PostgreSQL.", returncode=1)
    import psycopg
    import redis

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            dbname="postgres",
            password=db["PASSWORD"] or None,
            connect_timeout=5,
        ).close()
    except psycopg.Error as error:
        pytest.exit(f"CI=true but PostgreSQL is unreachable: {error}", returncode=1)
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.exit(f"CI=true but CELERY_BROKER_URL is {settings.CELERY_BROKER_URL}, not Redis.", returncode=1)
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        pytest.exit(f"CI=true but Redis is unreachable at {settings.CELERY_BROKER_URL}: {error}", returncode=1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run `make test` (CI always does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """A fixture user costs a PBKDF2 hash (~0.4 s) otherwise; the default hashers stay listed after
    MD5 so passwords hashed outside the tests (the demo users) still verify."""
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *global_settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _sign_in_hardening_off(settings):
    """Two factors and the sign-in lockout are off for the suite, which signs users in with
    force_login (and client.login, which axes refuses: it passes no request). tests/security/
    turns both on with the `sign_in_hardened` fixture."""
    settings.TWO_FACTOR_REQUIRED = False
    settings.AXES_ENABLED = False


@pytest.fixture
def sign_in_hardened(settings):
    """Production sign-in: two factors required and the django-axes lockout on."""
    settings.TWO_FACTOR_REQUIRED = True
    settings.AXES_ENABLED = True
    return settings


@pytest.fixture
def partnership(db):
    return PartnershipFactory(name="Northbridge Safeguarding Children Partnership", code="NSCP")


@pytest.fixture
def other_partnership(db):
    return PartnershipFactory(name="Southmere Safeguarding Children Partnership", code="SSCP")


@pytest.fixture
def police(partnership):
    return AgencyFactory(name="Northbridge Police", short_name="Police", kind=AgencyKind.POLICE, serves=[partnership])


@pytest.fixture
def gp(partnership):
    return AgencyFactory(
        name="Northbridge GP Federation", short_name="GP", kind=AgencyKind.PRIMARY_CARE, serves=[partnership]
    )


@pytest.fixture
def coordinator(partnership):
    return member(UserFactory(username="coordinator"), partnership, Standing.COORDINATOR)


@pytest.fixture
def second_coordinator(partnership):
    return member(UserFactory(username="coordinator2"), partnership, Standing.COORDINATOR)


@pytest.fixture
def chair(partnership):
    return member(UserFactory(username="chair"), partnership)


@pytest.fixture
def panel_member(partnership):
    return member(UserFactory(username="panel"), partnership)


@pytest.fixture
def police_lead(partnership, police):
    return member(UserFactory(username="police.lead"), partnership, agency=police)


@pytest.fixture
def gp_lead(partnership, gp):
    return member(UserFactory(username="gp.lead"), partnership, agency=gp)


@pytest.fixture
def scrutineer(partnership):
    return member(UserFactory(username="scrutineer"), partnership)


@pytest.fixture
def outsider(other_partnership):
    """A coordinator of another partnership: must never learn this partnership's reviews exist."""
    return member(UserFactory(username="outsider"), other_partnership, Standing.COORDINATOR)


@pytest.fixture
def review(coordinator, chair, panel_member, police_lead, gp_lead, scrutineer, police, gp, partnership):
    """A rapid review with every role filled, key dates recorded, still at notification."""
    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
        roles=[
            (chair, Role.CHAIR, None),
            (panel_member, Role.PANEL_MEMBER, None),
            (police_lead, Role.AGENCY_LEAD, police),
            (gp_lead, Role.AGENCY_LEAD, gp),
            (scrutineer, Role.SCRUTINEER, None),
        ],
    )


@pytest.fixture
def scoping(review, coordinator) -> Review:
    """The fixture review at scoping, where contributions are asked for."""
    return advance_to(review, ReviewState.SCOPING, coordinator)


@pytest.fixture
def received():
    """What the runner's ``transitioned`` signal told its receivers, one dict per step (sender,
    state, log): it is sent only once the step has committed."""
    calls: list[dict] = []

    def receiver(sender, instance, log, **kwargs):
        calls.append({"sender": sender, "state": instance.state, "log": log})

    transitioned.connect(receiver, weak=False, dispatch_uid="test-received")
    yield calls
    transitioned.disconnect(dispatch_uid="test-received")


@receiver(post_migrate)
def _start_audit_chains(sender: AppConfig, using: str, **kwargs: object) -> None:
    """After a transactional test, pytest-django empties every table (flush), the audit chains' head
    rows too, then sends post_migrate: put back the empty heads the migrations wrote, so the next
    test's writes have a chain to join. Tests only: in production a missing head is tampering."""
    if sender.name == "workflows":
        for model in chained_models():
            start_chain(AuditChainHead, model._meta.db_table, using)
