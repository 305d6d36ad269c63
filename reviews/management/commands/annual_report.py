"""`manage.py annual_report --partnership CODE --year 2026 --format csv|xlsx|html|pdf --out FILE`:
the partnership's annual report for the financial year 1 April 2026 to 31 March 2027, built from the
data (docs/DOMAIN.md, "Reporting"). Always under disclosure control, unless ``--exact`` asks for the
exact figures, which then say "NOT FOR PUBLICATION" on every table."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from project.db_router import reading_from_replica
from reviews.models import Partnership
from reviews.selectors.annual_report import FinancialYear, annual_report
from reviews.selectors.annual_report_files import FORMATS, report_file


class Command(BaseCommand):
    help = "Write a partnership's annual report for a financial year (docs/DOMAIN.md, Reporting)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partnership", required=True, help="The partnership's code, e.g. NSCP.")
        parser.add_argument(
            "--year",
            required=True,
            type=int,
            help="The year it starts: 2026 = 1 April 2026 to 31 March 2027.",
        )
        parser.add_argument("--format", required=True, choices=FORMATS, help="csv, xlsx, html or pdf.")
        parser.add_argument("--out", required=True, help="The file to write (replaced when complete).")
        parser.add_argument(
            "--exact",
            action="store_true",
            help="Exact figures with no disclosure control, marked NOT FOR PUBLICATION on every table.",
        )
        parser.add_argument(
            "--as-of", help="Read clocks and overdue actions as of this date (YYYY-MM-DD; default today)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        partnership = Partnership.objects.filter(code=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"--partnership: there is no partnership with the code {options['partnership']!r}.")
        if not 2000 <= options["year"] <= 2100:
            raise CommandError(f"--year: {options['year']} is not a year, e.g. 2026 for 2026 to 2027.")
        as_of = None
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(f"--as-of: {options['as_of']!r} is not a date written YYYY-MM-DD.") from None
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {str(out.parent)!r} does not exist.")
        year = FinancialYear(options["year"])
        with reading_from_replica():  # the replica when there is one (project/db_router.py)
            report = annual_report(partnership, year, as_of)
            if not options["exact"]:
                report = report.disclosed()
            content = report_file(report, options["format"])
        # Written beside the target and moved over it: a reader never sees half a report.
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=".annual_report_")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        control = "exact figures, NOT FOR PUBLICATION" if options["exact"] else "under disclosure control"
        self.stdout.write(
            f"Wrote the {year.label} annual report of {partnership.code} to {out} "
            f"({len(report.tables())} tables, {control})."
        )
