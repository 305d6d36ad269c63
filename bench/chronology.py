"""Benchmark: the merged chronology page and its CSV export on a large review.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviews_bench_chron .venv/bin/python bench/chronology.py

Creates a throwaway database next to the one DATABASE_URL names (``<name>_<pid>``), migrates it,
opens one review through the services, asks 20 agencies for their chronologies, bulk-creates
20,000 entries (1,000 per agency, all submitted), then, signed in as the coordinator through
django.test.Client:

* times the first page of the merged chronology (200 rows) over several runs: median and worst
  (target: under 1 s), with its query count;
* streams the CSV export, consuming the response chunk by chunk as a server would, and measures
  the peak Python memory (tracemalloc) for 2,000 entries (two agencies, by the page's own agency
  filter) and for all 20,000: the target is that it does not grow with the number of entries.

Drops the database at the end (``--keep`` to leave it). Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throwaway_db import run_in_throwaway_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/reviews_bench_chron"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7, help="timed page loads (default 7)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()

    return run_in_throwaway_database(DEFAULT_URL, lambda db_name: run(args, db_name), keep=args.keep)


def run(args: argparse.Namespace, db_name: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    print(f"database {db_name}: migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    review, coordinator, agency_ids = _build(args.agencies, args.entries)
    print(
        f"built review {review.reference}: {args.agencies} agencies, {args.entries:,} entries "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    connection.cursor().execute("ANALYZE")  # fresh statistics, as autovacuum would give a real table

    client = Client()
    client.force_login(coordinator)
    # Signed in with a second factor, as every coordinator is (TWO_FACTOR_REQUIRED): the session
    # names a confirmed device, so the security middleware's check is part of what is measured.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=coordinator, name="Benchmark authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page_url = reverse("reviews:chronology", args=[review.reference])
    export_url = reverse("reviews:chronology_export", args=[review.reference])

    # --- the page ---
    response = client.get(page_url, secure=True)  # warm-up: imports, template loading, plans
    assert response.status_code == 200, response.status_code
    assert response.content.decode().count("reviews-agency-row") == 200
    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        response = client.get(page_url, secure=True)
        timings.append(time.perf_counter() - t0)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(page_url, secure=True)
    page_queries = len(captured)  # now: the property reads the log lazily, and the next request clears it
    later = client.get(page_url + "?page=50", secure=True)
    t0 = time.perf_counter()
    later = client.get(page_url + "?page=50", secure=True)
    later_seconds = time.perf_counter() - t0
    assert later.status_code == 200

    # --- the export ---
    def filtered(n_agencies: int) -> str:
        return export_url + "?" + "&".join(f"agency={a}" for a in agency_ids[:n_agencies])

    _export(client, filtered(2), trace=False)  # warm-up
    sizes = [(2, filtered(2)), (len(agency_ids) // 2, filtered(len(agency_ids) // 2)), (len(agency_ids), export_url)]
    timed = {n: _export(client, target, trace=False) for n, target in sizes}
    traced = {n: _export(client, target, trace=True) for n, target in sizes}

    median = statistics.median(timings)
    print()
    print(f"merged chronology, first page (200 of {args.entries:,} rows)")
    print(
        f"  median of {args.runs} runs       : {median * 1000:8.1f} ms   "
        f"(target < 1000 ms: {'met' if median < 1 else 'NOT met'})"
    )
    print(f"  worst run                : {max(timings) * 1000:8.1f} ms")
    print(f"  page 50 (rows 9,801+)    : {later_seconds * 1000:8.1f} ms")
    print(f"  queries per page         : {page_queries} (the same on every page, whatever the number of rows)")
    print()
    print("CSV export, streamed and consumed chunk by chunk (entries.iterator(chunk_size=2000))")
    for n, _target in sizes:
        t, m = timed[n], traced[n]
        print(
            f"  {t['rows']:>6,} entries: {t['seconds']:5.2f} s ({t['rows'] / t['seconds']:7,.0f} rows/s), "
            f"{t['bytes'] / 1_048_576:5.1f} MB of CSV; peak Python memory while streaming {m['peak'] / 1_048_576:5.2f} MB"
        )
    low, mid, high = (traced[n]["peak"] for n, _ in sizes)
    ratio = high / max(low, 1)
    flat = high <= mid * 1.2 and ratio < 3
    print(
        f"  peak memory 20,000 vs 2,000 entries: {ratio:4.2f}x for 10x the entries; 20,000 vs 10,000: "
        f"{high / max(mid, 1):4.2f}x (bounded by one or two 2,000-row chunks: {'flat' if flat else 'GROWS'})"
    )
    return 0


def _export(client, url: str, *, trace: bool) -> dict[str, float]:
    """Stream one export. Timed without tracemalloc (it slows every allocation several-fold)."""
    import gc

    gc.collect()
    if trace:
        tracemalloc.start()
        baseline, _ = tracemalloc.get_traced_memory()
    t0 = time.perf_counter()
    response = client.get(url, secure=True)
    assert response.status_code == 200 and response.streaming
    size = rows = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - t0
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak -= baseline
    return {"seconds": seconds, "bytes": size, "rows": rows - 1, "peak": peak}


def _build(agency_count: int, entry_count: int):
    from django.contrib.auth import get_user_model

    from reviews.models import Agency, AgencyKind, Partnership, PartnershipMember, ReviewKind, ReviewState
    from reviews.models.chronology import ChronologyEntry
    from reviews.models.contributions import AgencyContribution, Ask, ContributionState
    from reviews.services.contributions import contribution_request
    from reviews.services.review import review_advance, review_open
    from reviews.services.subjects import SubjectData

    partnership = Partnership.objects.create(name="Benchmark Safeguarding Partnership", code="BSP")
    users = get_user_model().objects
    coordinator = users.create(username="bench.coordinator", first_name="Bench", last_name="Coordinator")
    PartnershipMember.objects.create(
        partnership=partnership, user=coordinator, standing=PartnershipMember.Standing.COORDINATOR
    )
    review = review_open(
        actor=coordinator,
        partnership=partnership,
        kind=ReviewKind.RAPID,
        title="Child A (aged 2)",
        key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
        subject=SubjectData(pseudonym="Child A", date_of_birth=date(2024, 1, 5)),
    )
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    kinds = list(AgencyKind.values)
    contributions = []
    for i in range(agency_count):
        agency = Agency.objects.create(
            name=f"Benchmark agency {i:02d}", short_name=f"Agency {i:02d}", kind=kinds[i % len(kinds)]
        )
        agency.partnerships.add(partnership)
        lead = users.create(username=f"bench.lead{i}")
        PartnershipMember.objects.create(partnership=partnership, user=lead, agency=agency)  # works for it
        contributions.append(
            contribution_request(
                actor=coordinator, review_id=review.pk, agency=agency, lead=lead, asks=[Ask.CHRONOLOGY]
            )
        )
    # Set-up data written directly: the benchmark times reading, not the lead's submissions.
    AgencyContribution.objects.filter(review=review).update(state=ContributionState.SUBMITTED)
    per_agency = entry_count // agency_count
    start = date(2020, 1, 1)
    precisions = ["exact"] * 8 + ["approximate", "month"]
    batch = []
    for n, contribution in enumerate(contributions):
        for i in range(per_agency):
            precision = precisions[(i + n) % len(precisions)]
            day = start + timedelta(days=(i * 7 + n * 3) % 2200)
            batch.append(
                ChronologyEntry(
                    contribution=contribution,
                    review_id=review.pk,
                    event_date=day.replace(day=1) if precision == "month" else day,
                    date_precision=precision,
                    source_record=f"Record {n}-{i}",
                    what_happened=f"Event {i} recorded by agency {n}: home visit, concerns noted and shared.",
                    professional_role="Practitioner",
                    agency_comment="Significant in hindsight." if i % 5 == 0 else "",
                    significant=i % 5 == 0,
                )
            )
    ChronologyEntry.objects.bulk_create(batch, batch_size=2000)
    review.refresh_from_db()
    assert review.state == ReviewState.SCOPING
    return review, coordinator, [c.agency_id for c in contributions]


if __name__ == "__main__":
    sys.exit(main())
