"""Run the deadline sweep now, or with --dry-run list what it would send and to whom."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notifications import sweep


class Command(BaseCommand):
    help = "Write today's reminder notifications (the periodic task does this); --dry-run only lists them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent and to whom; write nothing."
        )
        parser.add_argument("--date", type=date.fromisoformat, help="Sweep as if today were this day (YYYY-MM-DD).")

    def handle(self, *args: Any, dry_run: bool = False, date: date | None = None, **options: Any) -> None:
        if dry_run:
            planned = sweep.deadlines_sweep_preview(today=date)
            if not planned:
                self.stdout.write("Nothing to send.")
                return
            for item in planned:
                label = "ESCALATION " if item.escalation else ""
                self.stdout.write(
                    f"{label}{item.reference}: {item.what}, due {item.due_date:%d %b %Y} ({item.step_label})"
                )
                for person in item.to:
                    self.stdout.write(f"    to {person}")
            self.stdout.write(f"{len(planned)} reminder(s) would be sent. Nothing was written (dry run).")
            return
        # Claim and expand here and now, so the operator sees what was written.
        result = sweep.reminders_sweep_and_expand(today=date)
        if result.skipped:
            self.stdout.write(result.skipped)
            return
        self.stdout.write(
            f"{result.deadlines} deadline(s) due; {result.written} notification(s) written; "
            f"{result.enqueued} e-mail(s) queued; {result.digests} digest(s)."
        )
