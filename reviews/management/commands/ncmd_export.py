"""`manage.py ncmd_export --partnership CODE --since YYYY-MM-DD --out FILE`: the partnership's child
death reviews as JSON for the National Child Mortality Database (docs/NCMD_EXPORT.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviews.models import Partnership
from reviews.services.national_export import national_export_write


class Command(BaseCommand):
    help = "Write a partnership's child death reviews as JSON for the national database (docs/NCMD_EXPORT.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partnership", required=True, help="The partnership's code, e.g. NSCP.")
        parser.add_argument("--since", required=True, help="Reviews opened on or after this date (YYYY-MM-DD).")
        parser.add_argument("--out", required=True, help="The file to write (replaced when complete).")

    def handle(self, *args: Any, **options: Any) -> None:
        partnership = Partnership.objects.filter(code=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"--partnership: there is no partnership with the code {options['partnership']!r}.")
        try:
            since = date.fromisoformat(options["since"])
        except ValueError:
            raise CommandError(f"--since: {options['since']!r} is not a date written YYYY-MM-DD.") from None
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {str(out.parent)!r} does not exist.")
        result = national_export_write(partnership=partnership, since=since, out=out)
        self.stdout.write(
            f"Wrote {result.reviews} child death reviews to {out} "
            f"({result.changed_since_last} changed since they were last exported)."
        )
