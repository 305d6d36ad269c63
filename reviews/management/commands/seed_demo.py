"""`manage.py seed_demo`: the fictional Northbridge partnership, its people and reviews.

Idempotent: run it as often as you like (`make run` runs it on every start). The data and the
rules for not duplicating it live in reviews/demo.py; this command only runs it and prints.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from reviews.demo import logins_table, seed_demo
from reviews.models import Review


class Command(BaseCommand):
    help = "Create (or complete) the fictional demo partnership, users and reviews. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_demo()
        out = self.stdout

        if result.created_reviews or result.years_written:
            out.write(f"Created {len(result.created_reviews)} demo reviews: {', '.join(result.created_reviews)}")
        else:
            out.write("Demo data already present; nothing new created (passwords reset).")

        if result.years_written:
            out.write(f"Wrote the demo's volume for the financial years {' and '.join(result.years_written)}.")

        for warning in result.warnings:
            out.write(self.style.WARNING(f"Warning: {warning}"))

        out.write("")
        out.write(f"Demo reviews in {result.partnership} ({result.partnership.code}):")
        # The showcase reviews; the year's volume is counted, not listed.
        reviews = sorted(result.reviews.values(), key=lambda review: review.reference)
        ref_width = max(len(review.reference) for review in reviews)
        for review in reviews:
            out.write(f"  {review.reference:<{ref_width}}  {review.get_state_display():<19}  {review.title}")
        others = Review.objects.filter(partnership=result.partnership).count() - len(reviews)
        if others:
            out.write(f"  ... and {others} more reviews of this year and the last (see the annual report).")

        rows = logins_table(result)
        headers = ("username", "role", "can see")
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(2)]
        out.write("")
        out.write("Demo logins:")
        out.write(f"  {headers[0]:<{widths[0]}}  {headers[1]:<{widths[1]}}  {headers[2]}")
        out.write(f"  {'-' * widths[0]}  {'-' * widths[1]}  {'-' * len(headers[2])}")
        for username, role, sees in rows:
            out.write(f"  {username:<{widths[0]}}  {role:<{widths[1]}}  {sees}")
        out.write("")
        # Printed on purpose: these are throwaway demo accounts on a local, fictional data set.
        out.write(self.style.SUCCESS(f"Password for every demo login: {settings.DEMO_PASSWORD}"))
