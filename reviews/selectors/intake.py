"""Reading the intake queue, and matching a notification against what the partnership already
holds (docs/DOMAIN.md "Intake").

Within a partnership a notification is compared with the subjects of its reviews (their restricted
identities) and with its other notifications still in the queue: the same NHS number is a strong
match; the same name, date of birth and sex a likely one. Nothing less matches: a name spelt
differently, another date of birth or another sex is a different child as far as this goes (the
coordinator reads the queue too). Across partnerships only the keyed hash of the NHS number is
compared, and what comes back is the other partnership's name and intake contact, nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, Value, When

from reviews.models import IntakeContact, IntakeItem, IntakeStatus, Partnership, SubjectIdentity
from reviews.models.intake import PostcodeArea, postcode_prefixes

STRONG = "Strong: the same NHS number"
LIKELY = "Likely: the same name, date of birth and sex"


@dataclass(frozen=True)
class Match:
    strength: str
    what: str  # "Review NSCP-CDR-2026-004 (Child D)" or "Notification CDN-..."
    review_reference: str = ""
    intake_reference: str = ""


@dataclass(frozen=True)
class ElsewhereMatch:
    """Another partnership holds a notification for the same NHS number: whom to contact, only."""

    partnership: str
    email: str
    phone: str


def partnership_for_postcode(postcode: str) -> Partnership | None:
    """The partnership whose longest postcode prefix covers ``postcode`` (a district before its area)."""
    prefixes = postcode_prefixes(postcode)
    areas = {
        area.prefix: area for area in PostcodeArea.objects.filter(prefix__in=prefixes).select_related("partnership")
    }
    return next((areas[prefix].partnership for prefix in prefixes if prefix in areas), None)


def intake_queue(partnerships: Iterable[Partnership]) -> QuerySet[IntakeItem]:
    """The notifications of these partnerships, new ones first, then the most recent: one query."""
    return (
        IntakeItem.objects.filter(partnership__in=list(partnerships))
        .select_related("partnership", "review", "linked_to")
        .order_by(Case(When(status=IntakeStatus.NEW, then=Value(0)), default=Value(1)), "-received_at", "-id")
    )


def _same_name(name: str) -> Q:
    return Q(full_name__iexact=" ".join(name.split()))


def matches_for(item: IntakeItem) -> list[Match]:
    """What ``item`` may be the same child as, in its own partnership, strongest first: two queries."""
    found: dict[tuple[str, str], Match] = {}
    identities = SubjectIdentity.objects.filter(subject__review__partnership_id=item.partnership_id).select_related(
        "subject__review"
    )
    by_name = _same_name(item.child_name) & Q(subject__date_of_birth=item.date_of_birth, subject__sex=item.sex)
    wanted = by_name | Q(nhs_number=item.nhs_number) if item.nhs_number else by_name
    for identity in identities.filter(wanted):
        review = identity.subject.review
        strength = STRONG if item.nhs_number and identity.nhs_number == item.nhs_number else LIKELY
        key = ("review", review.reference)
        if key not in found or strength == STRONG:
            found[key] = Match(strength, f"Review {review.reference} ({identity.subject.pseudonym})", review.reference)
    others = IntakeItem.objects.filter(partnership_id=item.partnership_id, status=IntakeStatus.NEW).exclude(pk=item.pk)
    by_name = Q(child_name__iexact=item.child_name, date_of_birth=item.date_of_birth, sex=item.sex)
    wanted = by_name | Q(nhs_number=item.nhs_number) if item.nhs_number else by_name
    for other in others.filter(wanted):
        strength = STRONG if item.nhs_number and other.nhs_number == item.nhs_number else LIKELY
        found[("intake", other.reference)] = Match(
            strength, f"Notification {other.reference} (received {other.received_at:%d %B %Y})", "", other.reference
        )
    return sorted(found.values(), key=lambda match: (match.strength != STRONG, match.what))


def elsewhere_for(item: IntakeItem) -> list[ElsewhereMatch]:
    """Other partnerships with a notification of the same NHS number (keyed hash only): their
    name and intake contact, nothing of what they hold. One query."""
    if not item.nhs_number_hash:
        return []
    partnership_ids = (
        IntakeItem.objects.filter(nhs_number_hash=item.nhs_number_hash)
        .exclude(partnership_id=item.partnership_id)
        .values("partnership_id")
    )
    partnerships = Partnership.objects.filter(pk__in=partnership_ids).select_related("intake_contact")
    return [_elsewhere(partnership) for partnership in partnerships.order_by("name")]


def _elsewhere(partnership: Partnership) -> ElsewhereMatch:
    contact: IntakeContact | None = getattr(partnership, "intake_contact", None)
    return ElsewhereMatch(
        partnership=partnership.name,
        email=contact.email if contact else "",
        phone=contact.phone if contact else "",
    )
