"""Benchmark: review transitions through the service vs the same writes in raw SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviews_bench .venv/bin/python bench/transitions.py --n 300

Creates a throwaway database next to the one DATABASE_URL names (``<name>_<pid>``), migrates it,
opens child death reviews through the services, then moves them along the spine (notification →
scoping → agency submissions → panel → findings) in two ways, one transaction
per transition each (since issue 13 no clock of a child death review stops on a stage: its meeting's
clock stops on the meeting's recorded date, which the set-up writes, as the panel's meeting):

* service: ``reviews.services.review_advance`` (row lock, permission and conditions, transition,
  save, TransitionLog row, clocks stopped and their deadlines met, on_commit hand-off);
* raw: the same writes in hand-written SQL: UPDATE the review's state, append the TransitionLog to its chain
  row, UPDATE the clock rows the stage stops and, when it stops one, meet those clocks' deadlines
  and cancel their reminders not yet sent (as the service does).

The two paths are timed in interleaved blocks of 10 reviews' spines each, so drift during the run
weighs on both alike. Prints both rates, the ratio (target: service at most 3x the raw writes) overall
and its range over the blocks, the queries of each step
on both paths, and with ``--profile`` where the service path spends its time: profiled in a pass of
its own after the timed ones, so the profiler's overhead (large on Python, nil on waiting for the
database) never enters the ratio. Drops the database at the end (``--keep`` to leave it). Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pstats
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throwaway_db import run_in_throwaway_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/reviews_bench"
SPINE = [
    ("start_scoping", "notification", "scoping"),
    ("request_submissions", "scoping", "agency_submissions"),
    ("convene_panel", "agency_submissions", "panel"),
    ("draft_findings", "panel", "findings"),
]
# Reviews per timed block (each path alternates blocks of this many whole spines).
BLOCK_REVIEWS = 10
# The spine up to findings: the later steps wait on signed findings and verified actions, whose
# set-up would dominate the run; these four are the coordinator's everyday steps.
REACHED = {target: [s for _, _, s in SPINE[: i + 1]] + ["notification"] for i, (_, _, target) in enumerate(SPINE)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="transitions per path (default 300)")
    parser.add_argument("--profile", action="store_true", help="cProfile the service path and print the top calls")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()

    return run_in_throwaway_database(DEFAULT_URL, lambda db_name: run(args, db_name), keep=args.keep)


def run(args: argparse.Namespace, db_name: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries, transaction
    from django.test.utils import CaptureQueriesContext

    print(f"database {db_name}: migrating ...", flush=True)
    call_command("migrate", verbosity=0)

    reviews_per_path = math.ceil(args.n / len(SPINE))
    # With --profile, the service path runs once more, under the profiler, on reviews of its own.
    profiled_reviews = reviews_per_path if args.profile else 0
    service_ids, raw_ids, coordinator = _make_reviews(2 * (reviews_per_path + profiled_reviews) + 2)
    warm_service, warm_raw = service_ids.pop(), raw_ids.pop()
    steps = [(review_id, step) for review_id in service_ids[:reviews_per_path] for step in SPINE][: args.n]
    raw_steps = [(review_id, step) for review_id in raw_ids[:reviews_per_path] for step in SPINE][: args.n]
    profiled_steps = [(review_id, step) for review_id in service_ids[reviews_per_path:] for step in SPINE][: args.n]

    from django.contrib.contenttypes.models import ContentType

    from reviews.models import Review, ReviewClock
    from reviews.services.review import review_advance
    from workflows.chain import chain_append
    from workflows.models import TransitionLog

    review_type = ContentType.objects.get_for_model(Review).pk
    clock_type = ContentType.objects.get_for_model(ReviewClock).pk

    def service(review_id: int, step: tuple[str, str, str]) -> None:
        review_advance(actor=coordinator, review_id=review_id, transition=step[0])

    def raw(review_id: int, step: tuple[str, str, str]) -> None:
        name, source, target = step
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE reviews_review SET state = %s WHERE id = %s AND state = %s RETURNING reference",
                [target, review_id, source],
            )
            (reference,) = cursor.fetchone()
            # The log row goes on the audit chain (workflows/chain.py): lock the head, insert with its
            # MAC, move the head. Three statements, as the service writes it.
            chain_append(
                [
                    TransitionLog(
                        content_type_id=review_type,
                        object_id=review_id,
                        object_label=reference,
                        transition=name,
                        from_state=source,
                        to_state=target,
                        actor_id=coordinator.pk,
                        reason="",
                    )
                ]
            )
            cursor.execute(
                "UPDATE reviews_reviewclock SET stopped_on = %s"
                " WHERE review_id = %s AND stopped_on IS NULL AND stop_state = ANY(%s) RETURNING id",
                [date.today(), review_id, REACHED[target]],
            )
            stopped = [clock_id for (clock_id,) in cursor.fetchall()]
            if stopped:
                cursor.execute(
                    "UPDATE notifications_deadline SET state = 'met', next_step = NULL, next_reminder_on = NULL,"
                    " updated_at = now() WHERE content_type_id = %s AND kind = 'clock_due' AND state <> 'met'"
                    " AND object_id = ANY(%s) RETURNING id",
                    [clock_type, stopped],
                )
                met = [deadline_id for (deadline_id,) in cursor.fetchall()]
                if met:
                    cursor.execute(
                        "UPDATE notifications_notification SET status = 'cancelled',"
                        " last_error = 'Not sent: the deadline was met first.'"
                        " WHERE deadline_id = ANY(%s) AND kind = 'reminder' AND status IN ('ready', 'held')",
                        [met],
                    )

    # Warm both paths (imports, content-type cache, prepared plans) outside the timing.
    for step in SPINE:
        service(warm_service, step)
        raw(warm_raw, step)
    # Queries of one review's whole spine on each path (the clock-stopping step writes more).
    service_queries, raw_queries = [], []
    for (review_id, step), (raw_id, _) in zip(steps[: len(SPINE)], raw_steps[: len(SPINE)], strict=True):
        with CaptureQueriesContext(connection) as captured:
            service(review_id, step)
        service_queries.append(list(captured.captured_queries))  # the property reads connection.queries lazily
        with CaptureQueriesContext(connection) as captured:
            raw(raw_id, step)
        raw_queries.append(list(captured.captured_queries))
    steps, raw_steps = steps[len(SPINE) :], raw_steps[len(SPINE) :]
    reset_queries()

    # In interleaved blocks of whole spines (service, raw, raw, service, ...), so that anything
    # drifting during the run (autovacuum, the table growing, another process) weighs on both paths
    # alike; each path's time is the sum of its blocks.
    block = BLOCK_REVIEWS * len(SPINE)
    service_seconds = raw_seconds = 0.0
    block_ratios = []
    for number, start in enumerate(range(0, max(len(steps), len(raw_steps)), block)):
        timed = {}
        order = (("service", service, steps), ("raw", raw, raw_steps))
        for label, path, path_steps in order if number % 2 == 0 else reversed(order):
            started = time.perf_counter()
            for review_id, step in path_steps[start : start + block]:
                path(review_id, step)
            timed[label] = time.perf_counter() - started
        service_seconds += timed["service"]
        raw_seconds += timed["raw"]
        if timed["raw"]:
            block_ratios.append(timed["service"] / timed["raw"])

    # Profiled apart from the timed pass: cProfile's overhead falls on every Python call, so it
    # would slow the service path (mostly Python) many times more than the raw one (mostly waiting).
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
        for review_id, step in profiled_steps:
            service(review_id, step)
        profiler.disable()

    service_rate = len(steps) / service_seconds
    raw_rate = len(raw_steps) / raw_seconds
    ratio = raw_rate / service_rate
    print(f"transitions per path      : {len(steps)} (+{len(SPINE)} measured for query counts, +{len(SPINE)} warm-up)")
    print(f"service (review_advance)  : {service_rate:8.1f} transitions/s  ({1000 / service_rate:.2f} ms each)")
    print(f"raw SQL writes            : {raw_rate:8.1f} transitions/s  ({1000 / raw_rate:.2f} ms each)")
    print(f"ratio service cost / raw  : {ratio:8.2f}x   (target <= 3x: {'met' if ratio <= 3 else 'NOT met'})")
    print(
        f"ratio per block           : {min(block_ratios):.2f}x to {max(block_ratios):.2f}x "
        f"({len(block_ratios)} interleaved blocks of {BLOCK_REVIEWS} reviews' spines per path)"
    )
    counts = {
        path: [len(queries) for queries in per_step]
        for path, per_step in (("service", service_queries), ("raw", raw_queries))
    }
    print(
        "queries per transition    : "
        + ", ".join(f"{path} {'/'.join(map(str, n))} (mean {sum(n) / len(n):.2f})" for path, n in counts.items())
        + f"  [{'/'.join(name for name, _, _ in SPINE)}; each counting BEGIN and COMMIT]"
    )
    if profiler:
        print(
            f"\nservice path, by cumulative time ({len(profiled_steps)} more transitions, profiled apart from the timing):"
        )
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(30)
        if os.environ.get("BENCH_PROFILE_DUMP"):
            profiler.dump_stats(os.environ["BENCH_PROFILE_DUMP"])
        for (name, _, _), queries in zip(SPINE, service_queries, strict=True):
            print(f"service path, queries of {name}:")
            for query in queries:
                print(f"  {query['time']}s  {query['sql'][:150]}")
    return 0


def _make_reviews(count: int):
    from django.contrib.auth import get_user_model

    from reviews.models import Agency, AgencyContribution, Partnership, PartnershipMember, Review, ReviewKind, Role
    from reviews.services.review import review_open
    from reviews.services.roles import review_role_grant
    from reviews.services.subjects import SubjectData

    partnership = Partnership.objects.create(name="Benchmark Safeguarding Partnership", code="BSP")
    users = get_user_model().objects
    coordinator = users.create(username="bench.coordinator")
    chair = users.create(username="bench.chair")
    PartnershipMember.objects.create(
        partnership=partnership, user=coordinator, standing=PartnershipMember.Standing.COORDINATOR
    )
    PartnershipMember.objects.create(partnership=partnership, user=chair)
    agency = Agency.objects.create(name="Benchmark Police", kind="police")
    agency.partnerships.add(partnership)
    ids = []
    for i in range(count):
        review = review_open(
            actor=coordinator,
            partnership=partnership,
            kind=ReviewKind.CHILD_DEATH,
            title=f"Child {i}",
            key_dates={"incident_on": date(2026, 3, 7), "notified_on": date(2026, 3, 8)},
            subject=SubjectData(pseudonym="Child A", date_of_birth=date(2024, 1, 5)),
        )
        review_role_grant(actor=coordinator, review_id=review.pk, user=chair, role=Role.CHAIR)
        # The panel waits for every agency: give each review one contribution already waived
        # (set-up data written directly; the benchmark times the review's own steps).
        AgencyContribution.objects.create(
            review=review,
            agency=agency,
            lead=chair,
            asks=["chronology"],
            due_date=date(2026, 3, 18),
            state="waived",
            waiver_reason="Benchmark",
        )
        ids.append(review.pk)
    _hold_panel(partnership, chair, coordinator, ids)
    # A child death review's panel stage is its child death review meeting (set-up data written
    # directly, as the panel's meeting is: the meeting's own step is not what is timed).
    Review.objects.filter(pk__in=ids).update(cdr_meeting_on=date(2026, 5, 5))
    half = count // 2
    return ids[:half], ids[half:], coordinator


def _hold_panel(partnership, chair, coordinator, review_ids) -> None:
    """Panel → findings waits for a held, quorate meeting with the review on its agenda and minutes
    or a decision: one meeting with every review on it (set-up data written directly)."""
    from django.contrib.auth import get_user_model

    from reviews.models import Agency, PanelAgendaItem, PanelInvitation, PanelMeeting

    meeting = PanelMeeting.objects.create(
        partnership=partnership, held_on=date(2026, 3, 20), chair=chair, minutes="Benchmark", created_by=coordinator
    )
    PanelInvitation.objects.create(meeting=meeting, user=chair, attended=True)
    for kind in ("police", "community_health", "childrens_social_care"):
        agency = Agency.objects.filter(kind=kind).first() or Agency.objects.create(name=f"Benchmark {kind}", kind=kind)
        agency.partnerships.add(partnership)
        member = get_user_model().objects.create(username=f"bench.panel.{kind}")
        PanelInvitation.objects.create(meeting=meeting, user=member, agency=agency, attended=True)
    PanelAgendaItem.objects.bulk_create(
        [PanelAgendaItem(meeting=meeting, review_id=review_id, position=i) for i, review_id in enumerate(review_ids)]
    )


if __name__ == "__main__":
    sys.exit(main())
