"""The chair's override of one hit of the identity-leak check (reviews/selectors/leaks.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import Truncator

from reviews.models import LeakOverride, Review
from reviews.models.leaks import SOURCE_LENGTH
from reviews.permissions import CHAIR, require_review_perm
from reviews.selectors.leaks import leak_hits, outgoing_texts
from reviews.selectors.subjects import IdentityMatcher
from workflows.audit import audit_record
from workflows.types import User

MESSAGES = {
    "reason": "Give the reason this is not an identity, or why it may go out as it is.",
    "reason_identity": "The reason holds a restricted identity: write the pseudonym instead.",
    "gone": "This is no longer in any outgoing text: reload the page to see what is left.",
    "done": "This has already been overridden.",
}


def leak_override(*, actor: User, review_id: int, fingerprint: str, reason: str) -> LeakOverride:
    """Let one hit go out as it is, on the chair's word and with a reason; audited (where, what and
    whose, never the words matched). Every outgoing text is read and searched before the review is
    locked (a long chronology takes a while); under the lock only the chair and an earlier override
    are checked again, and the unique constraint is the backstop."""
    reason = reason.strip()
    review = Review.objects.select_related("partnership").get(pk=review_id)
    require_review_perm(actor, CHAIR, review, "override an identity found in an outgoing text")
    errors: dict[str, list[str]] = {}
    matcher = IdentityMatcher([review.pk])
    if not reason:
        errors["reason"] = [MESSAGES["reason"]]
    elif matcher.matches(reason):
        # The override and its audit row are read by people who may not read identities.
        errors["reason"] = [MESSAGES["reason_identity"]]
    hits = leak_hits(review, outgoing_texts(review), matcher=matcher)
    hit = next((hit for hit in hits if hit.fingerprint == fingerprint), None)
    if hit is None:
        errors["fingerprint"] = [MESSAGES["gone"]]
    if errors or hit is None:
        raise ValidationError(errors)
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        require_review_perm(actor, CHAIR, review, "override an identity found in an outgoing text")
        if LeakOverride.objects.filter(review=review, fingerprint=fingerprint).exists():
            raise ValidationError({"fingerprint": [MESSAGES["done"]]})
        override = LeakOverride.objects.create(
            review=review,
            fingerprint=fingerprint,
            # Kept to say what was overridden; a long section heading is cut to the column.
            source=Truncator(hit.source).chars(SOURCE_LENGTH),
            what=hit.what,
            pseudonym=hit.pseudonym,
            reason=reason,
            chair=actor,
        )
        audit_record(
            actor=actor,
            verb="leak.overridden",
            target=review,
            source=hit.source,
            what=hit.what,
            pseudonym=hit.pseudonym,
            fingerprint=fingerprint,
            reason=reason,
        )
    return override
