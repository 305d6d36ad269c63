"""Restricted identities typed into free text: the one check every free-text save runs.

Panel papers, chronologies, findings and published reports use pseudonyms ("Child A"); a real
name, NHS number or address typed into any of them would travel wherever the text goes. Each
save of free text asks ``identity_hits`` about the texts it is about to save; a hit is a warning
naming the field and the pseudonym to use, never the identity itself (the writer may not be
allowed to read it). The writer can save anyway, which is audited by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reviews.models import SubjectIdentity

# Name parts shorter than this match too much ordinary text ("Al", "Jo") to be worth a warning.
SHORTEST_NAME_PART = 3
# An address is recognised by its numbered lines and by its postcode.
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


@dataclass(frozen=True)
class IdentityHit:
    field: str
    pseudonym: str
    what: str  # "real name", "NHS number", "address"

    @property
    def message(self) -> str:
        return f"This looks like the {self.what} of {self.pseudonym}: use “{self.pseudonym}” instead."


@dataclass(frozen=True)
class _Pattern:
    pseudonym: str
    what: str
    regex: re.Pattern[str]


def _words(text: str) -> re.Pattern[str]:
    """``text`` as whole words, any case, any run of spaces between its words."""
    parts = [re.escape(part) for part in text.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _nhs_number(digits: str) -> re.Pattern[str]:
    # Written as 9434765919, 943 476 5919 or 943-476-5919.
    groups = (digits[:3], digits[3:6], digits[6:])
    return re.compile(r"(?<!\d)" + r"[\s-]?".join(groups) + r"(?!\d)")


def _patterns(identities: Iterable[SubjectIdentity]) -> list[_Pattern]:
    patterns = []
    for identity in identities:
        pseudonym = identity.subject.pseudonym
        name_parts = [part for part in re.split(r"[\s,]+", identity.full_name) if len(part) >= SHORTEST_NAME_PART]
        # The whole name, and each part of it on its own ("Lily-Mae", "Orchard").
        for part in ([identity.full_name] if identity.full_name.strip() else []) + name_parts:
            patterns.append(_Pattern(pseudonym, "real name", _words(part)))
        if identity.nhs_number:
            patterns.append(_Pattern(pseudonym, "NHS number", _nhs_number(identity.nhs_number)))
        # The lines with a number in them ("Flat 3", "27 Tanners Yard"): a town alone is not an address.
        for line in re.split(r"[\n,]", identity.address):
            if any(char.isdigit() for char in line):
                patterns.append(_Pattern(pseudonym, "address", _words(line.strip())))
        for postcode in POSTCODE.findall(identity.address):
            patterns.append(_Pattern(pseudonym, "address", _words(postcode)))
    return patterns


def review_identities(review_ids: Iterable[int]) -> list[SubjectIdentity]:
    """The restricted identities of the reviews' subjects: one query."""
    return list(SubjectIdentity.objects.filter(subject__review_id__in=list(review_ids)).select_related("subject"))


class IdentityMatcher:
    """The identities of some reviews' subjects, read and compiled once, to check many texts (an
    import's rows) without a query or a compilation each."""

    def __init__(self, review_ids: Iterable[int]) -> None:
        self.patterns = _patterns(review_identities(review_ids))

    def hits(self, texts: Mapping[str, str]) -> list[IdentityHit]:
        found: list[IdentityHit] = []
        for field, text in texts.items():
            if not text:
                continue
            for pattern in self.patterns:
                hit = IdentityHit(field=field, pseudonym=pattern.pseudonym, what=pattern.what)
                if hit not in found and pattern.regex.search(text):
                    found.append(hit)
        return found


def identity_hits(texts: Mapping[str, str], *, review_ids: Iterable[int]) -> list[IdentityHit]:
    """Each field of ``texts`` (field name -> text about to be saved) that holds a real name, NHS
    number or address of a subject of these reviews (the review written about, or every review on
    a panel's agenda), once per field, subject and kind of identity."""
    return IdentityMatcher(review_ids).hits(texts)
