"""Benchmark: the annual report of the largest partnership, at national scale, in every format.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviews_bench_annual \\
        .venv/bin/python bench/annual_report.py --scale 1

Builds the national data set of bench/national.py (150 partnerships, 40,000 reviews, their clocks,
contributions, findings and actions, 900,000 deadlines and their reminders, at ``--scale``) in a
throwaway database, then fills in what the annual report reads and the national set leaves empty,
in one UPDATE or INSERT ... SELECT each: a CDR's CDOP review date, expected or not, date of death,
subject (date of birth, sex), place and ethnicity, and its category of death and modifiable
factors; every review's findings signed off 100 days after it was opened, with two themes; every
CSPR, DHR and SAR that is closed published. Then builds the report for the current financial year
(the national set opens the largest partnership's reviews on the days just before today) for the
partnership with the most reviews,
``--runs`` times, and prints the median and worst time of building the figures, disclosing them,
and writing each of CSV, XLSX, HTML and PDF (the HTML and the PDF with their charts, drawn afresh
each run: the chart cache is emptied first), with the queries the figures took; then the report's
web page for the partnership's business manager, signed in as in production, with its charts drawn
(cache emptied) and as it is served again (charts from the cache). Target: the whole report under 5 s. Drops the database at the end (``--keep`` to leave it). Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.national import build_largest  # noqa: E402 -- after the sys.path line
from bench.throwaway_db import run_in_throwaway_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/reviews_bench_annual"
TARGET_S = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the national figures (default 1)")
    parser.add_argument("--runs", type=int, default=3, help="timed builds of the report (default 3)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF (it needs Pango)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()
    return run_in_throwaway_database(DEFAULT_URL, lambda db_name: run(args, db_name), keep=args.keep)


def fill_in() -> None:
    """What the annual report reads that the national set leaves empty, set-based."""
    from django.db import connection

    statements = [
        # Child deaths: reviewed 200 days after notification, half unexpected, died the day before notice.
        """UPDATE reviews_review SET cdop_reviewed_on = notified_on + 200, death_unexpected = (id % 2 = 0),
               incident_on = became_aware_on - 1 WHERE kind = 'child_death'""",
        """INSERT INTO reviews_subject (review_id, pseudonym, date_of_birth, date_of_death_or_incident, sex)
           SELECT id, 'Child ' || id, became_aware_on - 1 - (id % 6000)::int, NULL,
                  (ARRAY['female', 'male', 'not_known'])[1 + id % 3]
           FROM reviews_review WHERE kind = 'child_death'""",
        """INSERT INTO reviews_childdeath (review_id, state, place_of_death, ethnicity, disability,
               home_local_authority, notifier_name, notifier_role, no_post_mortem, meeting_notes, cdop_notes)
           SELECT id, 'cdop_reviewed', (ARRAY['hospital', 'home', 'public_place', 'hospice'])[1 + id % 4],
                  (ARRAY['white_british', 'asian_indian', 'black_african', 'mixed_other', 'not_known'])[1 + id % 5],
                  'not_known', '', '', '', false, '', ''
           FROM reviews_review WHERE kind = 'child_death'""",
        """UPDATE reviews_findings f SET signed_at = r.created_at + interval '100 days',
               themes = '["Neglect", "Domestic abuse"]'::jsonb,
               category_of_death = CASE WHEN r.kind = 'child_death' THEN 1 + r.id % 10 END,
               modifiable_factors = CASE WHEN r.kind = 'child_death'
                   THEN (ARRAY['yes', 'no', 'insufficient'])[1 + r.id % 3] ELSE '' END
           FROM reviews_review r WHERE r.id = f.review_id""",
        """UPDATE reviews_review SET published_on = became_aware_on + 180, publication_decision = 'full'
           WHERE kind IN ('cspr', 'dhr', 'sar') AND state = 'closed'""",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        cursor.execute("ANALYZE")


def timed(label: str, runs: int, work: Any) -> tuple[str, float, float, Any]:
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - started)
    return label, statistics.median(seconds), max(seconds), result


def run(args: argparse.Namespace, db_name: str) -> int:
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reviews.selectors.annual_report import FinancialYear, annual_report
    from reviews.selectors.annual_report_files import report_file

    partnership = build_largest(args.scale, db_name, fill_in)
    year = FinancialYear.of(timezone.localdate())
    with CaptureQueriesContext(connection) as queries:
        report = annual_report(partnership, year)
    figures = [timed("figures (annual_report)", args.runs, lambda: annual_report(partnership, year))]
    figures.append(timed("disclosure control", args.runs, report.disclosed))
    disclosed = report.disclosed()
    formats = ["csv", "xlsx", "html"] + ([] if args.no_pdf else ["pdf"])

    def uncached(file_format: str) -> bytes:
        cache.clear()  # the charts are drawn, not read from the cache
        return report_file(disclosed, file_format)

    for file_format in formats:
        figures.append(timed(f"write {file_format}", args.runs, lambda f=file_format: uncached(f)))

    print()
    print(
        f"Annual report {year.label} of {partnership.code}, the largest partnership ({partnership.n:,} reviews), "
        f"median and worst of {args.runs}"
    )
    print(f"{'step':<26} {'median s':>9} {'worst s':>9}  size")
    for label, median, worst, result in figures:
        size = f"{len(result):,} bytes" if isinstance(result, bytes) else ""
        print(f"{label:<26} {median:9.3f} {worst:9.3f}  {size}")
    print(f"queries for the figures: {len(queries.captured_queries)} (the same at every scale)")
    print(f"tables: {len(report.tables())}")
    # The slowest whole report: the figures, their disclosure and the slowest format.
    whole = figures[0][1] + figures[1][1] + max(f[1] for f in figures[2:])
    print(
        f"whole report (figures + disclosure + slowest format): {whole:.2f} s (target < {TARGET_S:.0f} s: "
        f"{'met' if whole < TARGET_S else 'NOT met'})"
    )
    every = sum(f[1] for f in figures)
    print(f"every format one after another: {every:.2f} s")
    print()
    print(page_timings(partnership, year, args.runs))
    reviews_table = report.table("reviews")
    print("reviews opened, completed and published (exact):")
    for label, values, _ in reviews_table.lines():
        print(f"  {label:<45} {values}")
    return 0


def page_timings(partnership: Any, year: Any, runs: int) -> str:
    """The annual report page for a business manager of ``partnership``: median and worst of ``runs``
    loads with the charts drawn (cache emptied before each), then served again (charts cached)."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.urls import reverse

    from bench.national import signed_in
    from reviews.models import PartnershipMember

    manager = get_user_model().objects.create_user(username="bench.manager")
    PartnershipMember.objects.create(
        user=manager, partnership=partnership, standing=PartnershipMember.Standing.BUSINESS_MANAGER
    )
    client = signed_in(manager)
    url = reverse("reviews:annual_report", args=[partnership.code, year.start_year])
    lines = [f"{'annual report page (business manager)':<42} {'median ms':>9} {'worst ms':>9}"]
    for label, clear in (("charts drawn", True), ("charts from the cache", False)):
        seconds = []
        client.get(url, secure=True)  # warm-up: templates, plans, matplotlib's import
        for _ in range(runs):
            if clear:
                cache.clear()
            started = time.perf_counter()
            response = client.get(url, secure=True)
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        lines.append(f"  {label:<40} {statistics.median(seconds) * 1000:9.0f} {max(seconds) * 1000:9.0f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
