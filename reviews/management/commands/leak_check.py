"""`manage.py leak_check REFERENCE`: the identity-leak check of one review, from a terminal or a
script (before sending papers, or in a publication pipeline).

Prints one line per identity found in the review's outgoing texts that the chair has not
overridden: where it is, what it is, its context with every identity masked, and the pseudonym to
write instead. Exits 1 if there is any, 0 if none, 2 for a reference that names no review. The
lines never hold an identity, so the output can go to a log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviews.models import Review
from reviews.selectors.leaks import outgoing_texts, overrides_of, unresolved_hits


class Command(BaseCommand):
    help = "List the restricted identities found in a review's outgoing texts; exit 1 if any is not overridden."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The review's reference, e.g. NSCP-RR-2026-001.")

    def handle(self, *args: Any, **options: Any) -> None:
        reference = options["reference"]
        review = Review.objects.select_related("partnership").filter(reference=reference).first()
        if review is None:
            raise CommandError(f"No review with the reference {reference}.", returncode=2)
        texts = outgoing_texts(review)
        hits = unresolved_hits(review, texts)
        for hit in hits:
            self.stdout.write(f"{hit.source} | {hit.what} of {hit.pseudonym} | {hit.context} | write “{hit.pseudonym}”")
        if hits:
            raise CommandError(
                f"{len(hits)} identit{'y' if len(hits) == 1 else 'ies'} found in {len(texts)} outgoing "
                f"text{'' if len(texts) == 1 else 's'} of {review.reference}: write the pseudonym, "
                "or ask the chair to override.",
                returncode=1,
            )
        overridden = len(overrides_of(review))
        note = f" ({overridden} overridden by the chair)" if overridden else ""
        self.stdout.write(f"No identity found in {len(texts)} outgoing text{'' if len(texts) == 1 else 's'}.{note}")
