"""Benchmark: the oversight dashboard of the largest partnership, for its business manager, at
national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviews_bench_oversight \\
        .venv/bin/python bench/oversight.py --scale 1

Builds the national data set of bench/national.py (``build``: 150 partnerships, 40,000 reviews,
their clocks, contributions and reminders, at ``--scale``) in a throwaway database, then fills in
what the dashboard reads and the national set leaves empty, in one statement each: every review's
stage changes along the spine up to the stage it stands at (5 to 24 days in each stage, so the
completed ones set a pace), and its local clock made a rapid review clock (one whose stop comes with
a stage, so running ones are predicted). Then signs in the largest partnership's business manager
(with a confirmed second factor, every middleware running), loads the dashboard, the dashboard over
a whole year of agency figures and the reviews behind one figure once to warm up and ``--runs``
times, and prints the median, the worst, the size and the query count of each. Target: under
300 ms. Drops the database at the end (``--keep`` to leave it). Not a test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.national import TARGET_MS, build_largest, signed_in, time_page  # noqa: E402 -- after sys.path
from bench.throwaway_db import run_in_throwaway_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/reviews_bench_oversight"
SPINE = ["notification", "scoping", "agency_submissions", "panel", "findings", "action_tracking", "closed"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the national figures (default 1)")
    parser.add_argument("--runs", type=int, default=5, help="timed loads of each page (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()
    return run_in_throwaway_database(DEFAULT_URL, lambda db: run(args, db), keep=args.keep)


def fill_in() -> None:
    """What the oversight dashboard reads that the national set leaves empty, set-based."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from reviews.models import Review

    review_type = ContentType.objects.get_for_model(Review).pk
    steps = ", ".join(f"({i + 1}, '{a}', '{b}')" for i, (a, b) in enumerate(zip(SPINE, SPINE[1:], strict=False)))
    statements = [
        # The spine up to each review's stage (none for a withdrawn one): step n, 5 to 24 days apart.
        f"""INSERT INTO workflows_transitionlog (mac, content_type_id, object_id, object_label, transition,
               from_state, to_state, actor_id, at, reason)
           SELECT 'bench', {review_type}, r.id, r.reference, 'step', s.from_state, s.to_state, r.created_by_id,
                  r.created_at + s.n * (5 + r.id % 20) * interval '1 day', ''
           FROM reviews_review r
           JOIN (VALUES {steps}) AS s(n, from_state, to_state)
             ON s.n < array_position(ARRAY{SPINE!r}::varchar[], r.state::varchar)""",
        # The local clock becomes the rapid review clock: its stop comes with a stage (findings).
        "UPDATE reviews_reviewclock SET key = 'rapid_review' WHERE key = 'local'",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        cursor.execute("ANALYZE")


def run(args: argparse.Namespace, db_name: str) -> int:
    from datetime import timedelta

    import django

    django.setup()
    from django.urls import reverse
    from django.utils import timezone

    from reviews.models import PartnershipMember
    from tests.factories import UserFactory

    partnership = build_largest(args.scale, db_name, fill_in)
    manager = UserFactory(username="bench.business.manager")
    PartnershipMember.objects.create(
        user=manager, partnership=partnership, standing=PartnershipMember.Standing.BUSINESS_MANAGER
    )
    client = signed_in(manager)
    dashboard = reverse("reviews:oversight", args=[partnership.code])
    year_ago = (timezone.localdate().replace(day=1) - timedelta(days=365)).isoformat()
    pages = [
        ("oversight dashboard", dashboard),
        ("dashboard, a year of agencies", f"{dashboard}?from={year_ago}"),
        (
            "reviews: clocks overdue",
            reverse("reviews:oversight_reviews", args=[partnership.code]) + "?of=clocks&outcome=overdue",
        ),
    ]
    results = [time_page(client, "manager", label, url, args.runs) for label, url in pages]

    print()
    print(
        f"Oversight of {partnership.code}, the largest partnership ({partnership.n:,} reviews), for its business "
        f"manager: median of {args.runs} loads (Django test client, every middleware, second factor)"
    )
    print(f"{'page':<32} {'median ms':>9} {'worst ms':>9} {'KB':>7} {'queries':>7}")
    for t in results:
        flag = "" if t.median_ms < TARGET_MS else "  OVER TARGET"
        print(f"{t.page:<32} {t.median_ms:9.1f} {t.worst_ms:9.1f} {t.kilobytes:7.0f} {t.queries:7d}{flag}")
    slowest = max(results, key=lambda t: t.median_ms)
    print(
        f"slowest median: {slowest.page}: {slowest.median_ms:.1f} ms "
        f"(target < {TARGET_MS} ms: {'met' if slowest.median_ms < TARGET_MS else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
