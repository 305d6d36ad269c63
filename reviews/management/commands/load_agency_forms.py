"""`manage.py load_agency_forms`: store the agency forms shipped in reviews/agency_forms/.

Safe to run again: a form already stored is kept as the administrators have it; ``--update``
stores a shipped form that differs as its next version (answers keep the version they were on).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from reviews.services.agencyforms import agency_forms_load_defaults


class Command(BaseCommand):
    help = "Store the shipped agency form definitions (CDR reporting form, supplementary forms, rapid review summary)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--update", action="store_true", help="Store a shipped form that differs as a new version.")

    def handle(self, *args: Any, **options: Any) -> None:
        for key, what in agency_forms_load_defaults(update=options["update"]).items():
            self.stdout.write(f"{key}: {what}")
