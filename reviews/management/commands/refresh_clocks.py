"""`manage.py refresh_clocks`: recompute every review's clocks from its key dates and settings.

A release that adds a clock (the onward notices' clocks, reviews/models/clocks.py) or changes how
one is counted gives existing reviews the new rows only at their next change; run this once after
deploying it so every review, its timeliness record and its reminders agree at once. Safe to run
again: a refresh writes only the clocks whose values changed, and a clock already stopped keeps its
stop date. Each review is refreshed in its own transaction, under its row lock, as a service would.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from reviews.models import Review, ReviewClock
from reviews.services.clocks import review_clocks_refresh


class Command(BaseCommand):
    help = "Recompute the clocks of every review (or one partnership's) from their key dates and settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partnership", help="Only this partnership's reviews (its code).")

    def handle(self, *args: Any, **options: Any) -> None:
        reviews = Review.objects.order_by("pk")
        if options["partnership"]:
            reviews = reviews.filter(partnership__code=options["partnership"])
        before = ReviewClock.objects.filter(review__in=reviews).count()
        done = 0
        for pk in reviews.values_list("pk", flat=True).iterator(chunk_size=500):
            with transaction.atomic():
                review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=pk)
                review_clocks_refresh(review=review)
            done += 1
        after = ReviewClock.objects.filter(review__in=reviews).count()
        self.stdout.write(f"Refreshed the clocks of {done} reviews: {after - before:+d} clocks.")
