"""Benchmark: a bulk chronology import through the API against the same rows through the CSV import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviews_bench_api .venv/bin/python bench/api.py

Creates a throwaway database next to the one DATABASE_URL names (``<name>_<pid>``), migrates it,
opens one review through the services, asks two agencies for their chronologies, then writes the
same 20,000 rows (distinct events over six years, a tenth month-only, a fifth significant):

* through the CSV import service (``entries_import``, what the import page calls), one file;
* through the API (``POST /api/v1/reviews/{reference}/contributions/{id}/chronology-entries/``)
  with the other agency lead's personal access token, through django.test.Client (the whole
  stack: middleware, token authentication, throttle, idempotency key, JSON parsing, problem
  details), in batches of ``--batch`` entries (5,000 by default, at most the import limit).

Each is run ``--runs`` times on a fresh contribution (the best and the median are printed), after
a warm-up of each on a contribution of its own. Prints both rates (entries/s) and the ratio; the
target is the API within 1.5x of the CSV import's time. Drops the database at the end (``--keep``
to leave it). Not a test.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throwaway_db import run_in_throwaway_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/reviews_bench_api"
TARGET = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=5_000, help="entries per API request (default 5,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one API run")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()
    return run_in_throwaway_database(DEFAULT_URL, lambda db_name: run(args, db_name), keep=args.keep)


def rows(count: int) -> list[dict[str, object]]:
    """``count`` distinct events, as the API takes them (field -> value, dates ISO)."""
    start = date(2019, 1, 1)
    made = []
    for i in range(count):
        day = start + timedelta(days=i % 2200)
        month_only = i % 10 == 9
        made.append(
            {
                "event_date": f"{day:%Y-%m}" if month_only else day.isoformat(),
                "date_precision": "month" if month_only else "",
                "event_time": "" if month_only else f"{9 + i % 8:02d}:{i % 60:02d}",
                "source_record": f"Record {i}",
                "what_happened": f"Event {i}: home visit, concerns shared.",
                "professional_role": "Health visitor",
                "agency_comment": "Significant." if i % 5 == 0 else "",
                "significant": i % 5 == 0,
            }
        )
    return made


def csv_file(entries: list[dict[str, object]]) -> bytes:
    """The same rows as a file of the import template (the month-only dates as 03/2025)."""
    from reviews.imports.chronology import COLUMNS, HEADERS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for entry in entries:
        values = []
        for _header, field, *_ in COLUMNS:
            value = entry[field]
            if field == "event_date" and entry["date_precision"] == "month":
                year, month = str(value).split("-")
                value = f"{month}/{year}"
            if field == "significant":
                value = "yes" if value else "no"
            values.append(value)
        writer.writerow(values)
    return out.getvalue().encode()


def run(args: argparse.Namespace, db_name: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from reviews.imports.chronology import max_rows
    from reviews.models.chronology import ChronologyEntry

    if not 0 < args.batch <= max_rows():
        print(f"--batch must be 1 to the import limit ({max_rows():,})", file=sys.stderr)
        return 2
    print(f"database {db_name}: migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    entries = rows(args.entries)
    data = csv_file(entries)
    setup = _Setup()
    connection.cursor().execute("ANALYZE")
    print(
        f"{args.entries:,} entries: CSV file {len(data) / 1_048_576:.2f} MB; API in batches of {args.batch:,} "
        f"({-(-args.entries // args.batch)} requests)",
        flush=True,
    )

    # Warm-up: imports, plans, the token's first use.
    _csv(setup, setup.contribution("warm-csv"), data[: data.index(b"\n", 2000) + 1])
    _api(setup, setup.contribution("warm-api"), entries[:50], args.batch)

    csv_times, api_times = [], []
    for run_number in range(args.runs):
        contribution = setup.contribution(f"csv-{run_number}")
        csv_times.append(_csv(setup, contribution, data))
        assert ChronologyEntry.objects.filter(contribution=contribution).count() == args.entries
        contribution = setup.contribution(f"api-{run_number}")
        api_times.append(_api(setup, contribution, entries, args.batch))
        assert ChronologyEntry.objects.filter(contribution=contribution).count() == args.entries
        print(f"  run {run_number + 1}: CSV {csv_times[-1]:.2f} s, API {api_times[-1]:.2f} s", flush=True)

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        contribution = setup.contribution("profiled")
        profiler.enable()
        _api(setup, contribution, entries, args.batch)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)

    csv_best, api_best = min(csv_times), min(api_times)
    csv_median, api_median = statistics.median(csv_times), statistics.median(api_times)
    ratio = api_median / csv_median
    print()
    print(f"bulk chronology import, {args.entries:,} entries, median of {args.runs} runs (best in brackets)")
    print(
        f"  CSV import service (one file)      : {csv_median:6.2f} s ({csv_best:5.2f})  "
        f"{args.entries / csv_median:8,.0f} entries/s"
    )
    print(
        f"  API, batches of {args.batch:>6,}            : {api_median:6.2f} s ({api_best:5.2f})  "
        f"{args.entries / api_median:8,.0f} entries/s"
    )
    print(
        f"  ratio API / CSV                    : {ratio:6.2f}x   "
        f"(target within {TARGET}x: {'met' if ratio <= TARGET else 'NOT met'})"
    )
    return 0


class _Setup:
    """A partnership, a review at scoping, and a contribution per run from an agency of its own
    (one agency's contribution per review: a new agency for each), with its lead's token."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from reviews.models import Partnership, PartnershipMember, ReviewKind
        from reviews.services.review import review_advance, review_open
        from reviews.services.subjects import SubjectData

        self.partnership = Partnership.objects.create(name="Benchmark Safeguarding Partnership", code="BSP")
        self.users = get_user_model().objects
        self.coordinator = self.users.create(username="bench.coordinator")
        PartnershipMember.objects.create(
            partnership=self.partnership, user=self.coordinator, standing=PartnershipMember.Standing.COORDINATOR
        )
        self.review = review_open(
            actor=self.coordinator,
            partnership=self.partnership,
            kind=ReviewKind.RAPID,
            title="Child A (aged 2)",
            key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
            subject=SubjectData(pseudonym="Child A", date_of_birth=date(2024, 1, 5)),
        )
        review_advance(actor=self.coordinator, review_id=self.review.pk, transition="start_scoping")
        self.leads: dict[int, object] = {}
        self.tokens: dict[int, str] = {}

    def contribution(self, name: str):
        from datetime import timedelta as delta

        from django.utils import timezone

        from api.models import Scope
        from api.services import token_create
        from reviews.models import Agency, AgencyKind, PartnershipMember
        from reviews.models.contributions import Ask
        from reviews.services.contributions import contribution_request

        agency = Agency.objects.create(name=f"Benchmark agency {name}", short_name=name, kind=AgencyKind.values[0])
        agency.partnerships.add(self.partnership)
        lead = self.users.create(username=f"bench.lead.{name}")
        PartnershipMember.objects.create(partnership=self.partnership, user=lead, agency=agency)
        contribution = contribution_request(
            actor=self.coordinator, review_id=self.review.pk, agency=agency, lead=lead, asks=[Ask.CHRONOLOGY]
        )
        self.leads[contribution.pk] = lead
        _, self.tokens[contribution.pk] = token_create(
            actor=lead, name="bench", scopes=[Scope.READ, Scope.CONTRIBUTE], expires_at=timezone.now() + delta(days=1)
        )
        return contribution


def _csv(setup: _Setup, contribution, data: bytes) -> float:
    from reviews.services.chronology import entries_import

    started = time.perf_counter()
    entries_import(
        actor=setup.leads[contribution.pk], contribution_id=contribution.pk, filename="chronology.csv", data=data
    )
    return time.perf_counter() - started


def _api(setup: _Setup, contribution, entries: list[dict[str, object]], batch: int) -> float:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    url = reverse("api_v1:chronology_entries", args=[setup.review.reference, contribution.pk])
    headers = {"Authorization": f"Bearer {setup.tokens[contribution.pk]}"}
    started = time.perf_counter()
    for n, first in enumerate(range(0, len(entries), batch)):
        # The client's side (JSON encoding) is timed too: a machine sending entries pays it.
        body = json.dumps({"entries": entries[first : first + batch]})
        response = client.post(
            url,
            data=body,
            content_type="application/json",
            headers={**headers, "Idempotency-Key": f"{contribution.pk}-{n}"},
            secure=True,
        )
        assert response.status_code == 201, response.content[:2000]
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
