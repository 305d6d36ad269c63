"""Reports read from the replica (project/db_router.py, issue 17): the annual report, the oversight
pages, the figures over the API, the annual report and national export commands send their reads to
the `replica` alias when one is configured; writes never go there, nor does anything else.

tests/settings.py adds `replica` as a second connection to the test database (TEST MIRROR). The tests
commit (transaction=True) so that second connection sees their data, and capture each connection's
queries apart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from project.db_router import reading_from_replica
from reviews.models import NationalExport, PartnershipMember, Review
from tests.api.client import ApiClient, make_token
from tests.factories import UserFactory, member
from tests.reviews.child_death.conftest import cdr  # noqa: F401 -- the fixture
from workflows.audit import audit_record
from workflows.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]

WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE", "ALTER", "DROP")


class Captured:
    def __init__(self, primary: CaptureQueriesContext, replica: CaptureQueriesContext) -> None:
        self.primary, self.replica = primary, replica

    def sql(self, which: str) -> list[str]:
        return [query["sql"] for query in getattr(self, which).captured_queries]

    def assert_replica_only_read(self) -> None:
        writes = [sql for sql in self.sql("replica") if sql.lstrip().upper().startswith(WRITES)]
        assert writes == [], writes


@contextmanager
def queries() -> Iterator[Captured]:
    with ExitStack() as stack:
        primary = stack.enter_context(CaptureQueriesContext(connections["default"]))
        replica = stack.enter_context(CaptureQueriesContext(connections["replica"]))
        yield Captured(primary, replica)


@pytest.fixture
def replica_on(settings):
    settings.REPLICA_READS = True


@pytest.fixture
def manager(partnership):
    return member(UserFactory(username="manager"), partnership, PartnershipMember.Standing.BUSINESS_MANAGER)


def _reads_the_reviews(sqls: list[str]) -> bool:
    return any('FROM "reviews_review"' in sql for sql in sqls)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("reviews:annual_report", {"year": 2026}),
        ("reviews:annual_report_file", {"year": 2026, "file_format": "csv"}),
        ("reviews:oversight", {}),
        ("reviews:oversight_reviews", {}),
    ],
)
def test_report_pages_read_from_the_replica(replica_on, client, review, coordinator, name, kwargs):
    client.force_login(coordinator)
    url = reverse(name, kwargs={"code": review.partnership.code, **kwargs})
    with queries() as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert _reads_the_reviews(captured.sql("replica")), captured.sql("replica")
    captured.assert_replica_only_read()
    # The primary answers who the user is and whether they may see the figures, and no more of them.
    assert not _reads_the_reviews(captured.sql("primary")), captured.sql("primary")


def test_without_a_replica_the_same_pages_read_from_the_primary(client, review, coordinator):
    client.force_login(coordinator)
    with queries() as captured:
        response = client.get(reverse("reviews:annual_report", kwargs={"code": review.partnership.code, "year": 2026}))
    assert response.status_code == 200
    assert captured.sql("replica") == []
    assert _reads_the_reviews(captured.sql("primary"))


@pytest.mark.parametrize("name", ["annual_report", "timeliness"])
def test_the_api_figures_read_from_the_replica(replica_on, review, manager, name):
    api = ApiClient(make_token(manager))
    kwargs = {"code": review.partnership.code} | ({"year": 2026} if name == "annual_report" else {})
    with queries() as captured:
        response = api.get(reverse(f"api_v1:{name}", kwargs=kwargs))
    assert response.status_code == 200, response.content
    assert _reads_the_reviews(captured.sql("replica"))
    captured.assert_replica_only_read()
    # The token's last use is written, and written to the primary.
    assert any(sql.startswith("UPDATE") for sql in captured.sql("primary"))


def test_the_annual_report_command_reads_from_the_replica(replica_on, review, tmp_path):
    with queries() as captured:
        call_command(
            "annual_report",
            "--partnership",
            review.partnership.code,
            "--year",
            "2026",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "r.csv"),
        )
    assert (tmp_path / "r.csv").read_bytes()
    assert _reads_the_reviews(captured.sql("replica"))
    captured.assert_replica_only_read()


def test_the_national_export_reads_records_from_the_replica_and_writes_to_the_primary(
    replica_on,
    cdr,  # noqa: F811 -- the imported fixture
    tmp_path,
):
    with queries() as captured:
        call_command(
            "ncmd_export", "--partnership", cdr.partnership.code, "--since", "2026-01-01", "--out", str(tmp_path / "x")
        )
    assert json.loads((tmp_path / "x").read_text())["reviews"][0]["reference"] == cdr.reference
    assert _reads_the_reviews(captured.sql("replica"))
    captured.assert_replica_only_read()
    primary = captured.sql("primary")
    assert any(sql.startswith('INSERT INTO "reviews_nationalexport"') for sql in primary), primary
    # Which reviews went before is read from the primary: a replica a second behind must not
    # forget the export just written.
    assert any('FROM "reviews_nationalexport"' in sql for sql in primary)
    assert NationalExport.objects.filter(review=cdr).count() == 1


def test_writes_inside_a_replica_block_go_to_the_primary(replica_on, review, coordinator):
    with queries() as captured, reading_from_replica():
        assert Review.objects.filter(pk=review.pk).exists()  # a read: the replica
        Review.objects.filter(pk=review.pk).update(title="Renamed")
        audit_record(actor=coordinator, verb="test.replica_block", target=review)
        with transaction.atomic():
            # Inside a transaction on the primary reads stay there: they must see its writes.
            assert Review.objects.get(pk=review.pk).title == "Renamed"
    captured.assert_replica_only_read()
    replica, primary = captured.sql("replica"), captured.sql("primary")
    assert replica[0].startswith('SELECT 1 AS "a" FROM "reviews_review"'), replica
    # The read in the transaction (the whole row, by .get()) went to the primary.
    assert not any(sql.startswith('SELECT "reviews_review"."id"') for sql in replica), replica
    assert any(sql.startswith('SELECT "reviews_review"."id"') for sql in primary), primary
    assert any(sql.startswith('UPDATE "reviews_review"') for sql in primary)
    assert any('INSERT INTO "workflows_auditevent"' in sql for sql in primary)
    assert AuditEvent.objects.filter(verb="test.replica_block").exists()
