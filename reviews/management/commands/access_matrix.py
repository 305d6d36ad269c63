"""`manage.py access_matrix > docs/ACCESS.md`: the access matrix of reviews/access.py as a table."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reviews.access import markdown


class Command(BaseCommand):
    help = "Print the access matrix (reviews/access.py) as Markdown, for docs/ACCESS.md."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(markdown(), ending="")
