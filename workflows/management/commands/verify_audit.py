"""`manage.py verify_audit`: walk every audit chain (workflows.chain) and say, per chained table,
"OK: N rows" or where the chain first breaks, why, and the last row it can still vouch for.
Exits non-zero when any chain is broken, so a scheduled run can alert."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from workflows.chain import chained_models, verify_chain


class Command(BaseCommand):
    help = "Verify the audit chains (transition log, audit events, signed findings); exit 1 if one is broken."

    def handle(self, *args: Any, **options: Any) -> None:
        reports = [verify_chain(model) for model in sorted(chained_models(), key=lambda m: m._meta.db_table)]
        for report in reports:
            self.stdout.write(report.describe())
        broken = [report.chain for report in reports if not report.ok]
        if broken:
            raise CommandError(f"The audit chain is broken in {', '.join(broken)}: see above.")
