"""What publication waits for: no identity in what would go out that the chair has not overridden
(docs/SECURITY.md, "Identity-leak check"). For the publication step to name in its conditions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from workflows.conditions import condition

if TYPE_CHECKING:
    from reviews.models import Review


def leak_refusal(review: Review, texts: Mapping[str, str] | None = None) -> str | None:
    """None if ``texts`` (every outgoing text of the review if not given) hold no identity that the
    chair has not overridden; else why the review's texts may not go out yet."""
    from reviews.selectors.leaks import unresolved_hits

    hits = unresolved_hits(review, texts)
    if not hits:
        return None
    count = f"{len(hits)} identit{'y' if len(hits) == 1 else 'ies'}"
    return (
        f"{count} found in the outgoing texts of {review} {'is' if len(hits) == 1 else 'are'} not overridden: "
        "write the pseudonym, or ask the chair to override (Identities in outgoing texts)."
    )


@condition
def no_identity_leaks(review: Review) -> str | None:
    return leak_refusal(review)
