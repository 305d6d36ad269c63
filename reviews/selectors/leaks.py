"""The identity-leak check: every text of a review that leaves it (panel papers, the findings and
recommendations as they go to the panel, the national export, and, registered by their features,
the report versions and the published report), searched for the review's restricted identities
with the one matcher of the free-text check (reviews/selectors/subjects.py).

Each hit says where it is, what it is, the pseudonym to write instead, and its context with every
identity in it masked, so the list can be shown to people who may not read identities. A hit is
named by its fingerprint, a keyed hash that never holds the identity, by which the chair's
overrides (reviews/models/leaks.py) are recorded. Pure reads: nothing here writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.crypto import salted_hmac

from reviews.models import (
    Findings,
    LeakOverride,
    Recommendation,
    Review,
    ReviewKind,
)
from reviews.models.contributions import REPORT_SECTIONS
from reviews.selectors.subjects import IdentityMatch, IdentityMatcher

# Characters of context shown either side of a hit.
CONTEXT = 40
# How a masked identity reads in context: what it is, never what it says.
MASKS = {
    "NHS number": "[NHS number]",
    "date of birth": "[date of birth]",
    "address": "[address]",
    "postcode": "[postcode]",
    "setting's real name": "[setting]",
}
FINGERPRINT_SALT = "reviews.leaks.fingerprint"


@dataclass(frozen=True)
class LeakHit:
    source: str  # which outgoing text, e.g. "report v3 §2 Background", "panel papers", "NCMD export"
    what: str  # "real name", "first name", "NHS number", "date of birth", "address", "postcode", ...
    pseudonym: str  # what to write instead
    context: str  # ~40 characters either side, every identity in it masked ("…seen by [name] at…")
    start: int
    end: int
    fingerprint: str  # keyed hash of (source, what, pseudonym, the matched words normalised)

    @property
    def message(self) -> str:
        return f"The {self.what} of {self.pseudonym}: write “{self.pseudonym}” instead."


def _mask(what: str) -> str:
    return MASKS.get(what, "[name]")


def _normalised(words: str) -> str:
    # The same identity written with another case, spacing or dashes is the same hit.
    return re.sub(r"[\W_]+", "", words.casefold())


def fingerprint(source: str, what: str, pseudonym: str, matched: str) -> str:
    """HMAC-SHA256 keyed with the project's secret: the identity cannot be read back from it, nor
    guessed and checked without the key."""
    value = "\x1f".join((source, what, pseudonym, _normalised(matched)))
    return salted_hmac(FINGERPRINT_SALT, value, algorithm="sha256").hexdigest()


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def masked_context(text: str, start: int, end: int, matches: list[IdentityMatch]) -> str:
    """``text`` from ``CONTEXT`` characters before ``start`` to as many after ``end``, with every
    identity that reaches into that window masked, the hit's own included."""
    left, right = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    # Widen the window to whole identities at its edges, so no fragment of one is left unmasked.
    for match in matches:
        if match.start < left < match.end:
            left = match.start
        if match.start < right < match.end:
            right = match.end
    pieces, at = [], left
    for match in matches:
        if match.end <= left or match.start >= right:
            continue
        pieces.append(_one_line(text[at : match.start]))
        pieces.append(_mask(match.pattern.what))
        at = match.end
    pieces.append(_one_line(text[at:right]))
    return ("…" if left > 0 else "") + "".join(pieces).strip() + ("…" if right < len(text) else "")


def revealed_context(text: str, start: int, end: int) -> str:
    """The same window unmasked, for those who may read identities (the coordinator)."""
    left, right = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    return ("…" if left > 0 else "") + _one_line(text[left:right]).strip() + ("…" if right < len(text) else "")


def leak_hits(review: Review, texts: Mapping[str, str], *, matcher: IdentityMatcher | None = None) -> list[LeakHit]:
    """Every identity of ``review`` in ``texts`` (source label -> text), in the order of the texts
    and then of where each is. Two queries (the review's identities), none if ``matcher`` is given."""
    matcher = matcher or IdentityMatcher([review.pk])
    hits: list[LeakHit] = []
    for source, text in texts.items():
        matches = matcher.matches(text)
        for match in matches:
            pattern = match.pattern
            hits.append(
                LeakHit(
                    source=source,
                    what=pattern.what,
                    pseudonym=pattern.pseudonym,
                    context=masked_context(text, match.start, match.end, matches),
                    start=match.start,
                    end=match.end,
                    fingerprint=fingerprint(source, pattern.what, pattern.pseudonym, text[match.start : match.end]),
                )
            )
    return hits


# --- what leaves a review -------------------------------------------------------------------------

OutgoingTexts = Callable[[Review], Mapping[str, str]]
_REGISTERED: list[OutgoingTexts] = []


def register_outgoing(fn: OutgoingTexts) -> OutgoingTexts:
    """Add a reader of more outgoing texts (a feature's report versions, the published report):
    ``fn(review)`` returns source label -> text, a label saying which text and where in it
    ("report v3 §2 Background"). Usable as a decorator; registering the same reader twice adds it once."""
    if fn not in _REGISTERED:
        _REGISTERED.append(fn)
    return fn


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# The findings' free text as it goes to the panel, with the names the findings page gives it.
FINDINGS_TEXT = (
    ("findings", "What the review found"),
    ("learning", "Learning"),
    ("factors_child", "Factors intrinsic to the child"),
    ("factors_family", "Social environment, including family and parenting capacity"),
    ("factors_physical", "Physical environment"),
    ("factors_services", "Service provision"),
    ("category_rationale", "Why this category of death"),
)


# The review's title goes out with every paper and with the published report: one label, so the
# chair's override of a hit in it holds wherever publication checks it (reviews/selectors/report.py).
TITLE_SOURCE = "panel papers: the review's title"


def _panel_papers(review: Review) -> dict[str, str]:
    """What the panel reads, through the readers the panel papers page uses: the merged chronology
    and the agency reports, the findings and recommendations. Five queries."""
    from reviews.selectors.chronology import ChronologyScope, merged_entries
    from reviews.selectors.panels import submitted_reports
    from reviews.services.chronology import ENTRY_TEXT_FIELDS

    texts: dict[str, str] = {}
    if review.title:
        texts[TITLE_SOURCE] = review.title
    for entry in merged_entries(review, ChronologyScope(all_agencies=True, agency_ids=frozenset())):
        # The entry's own date is a column, not free text: a birth on the date of birth is a fact of
        # the chronology, and its text is what a writer might have copied an identity into.
        label = f"panel papers: {entry.contribution.agency} chronology, entry of {_day(entry.event_date)} (#{entry.pk})"
        texts[label] = "\n".join(part for part in (getattr(entry, name) for name in ENTRY_TEXT_FIELDS) if part)
    for report in submitted_reports(review):
        for name, label in REPORT_SECTIONS:
            value = getattr(report, name)
            if isinstance(value, str) and value:
                texts[f"panel papers: {report.contribution.agency} agency report, {label}"] = value
    findings = Findings.objects.filter(review=review).first()
    if findings is not None:
        for name, label in FINDINGS_TEXT:
            value = getattr(findings, name)
            if value:
                texts[f"findings: {label}"] = value
        for recommendation in Recommendation.objects.filter(findings=findings).order_by("number"):
            texts[f"findings: recommendation {recommendation.number}"] = "\n".join(
                (recommendation.what, recommendation.success_measure)
            )
    return texts


def _cdop_papers(review: Review) -> dict[str, str]:
    """The free text of the CDOP's anonymised papers, read as their page reads them
    (reviews/selectors/child_death.py cdop_papers): the dataset, the meeting, the CDOP's notes, and
    who took part in each step of the joint agency response. Three queries."""
    from reviews.selectors.child_death import cdop_papers

    papers = cdop_papers(review)
    texts: dict[str, str] = {}
    record = papers.record
    if record is not None:
        fields = {
            "home local authority": record.home_local_authority,
            "child death review meeting notes": record.meeting_notes,
            "CDOP's notes": record.cdop_notes,
        }
        texts.update({f"CDOP papers: {label}": value for label, value in fields.items() if value})
    for item in papers.jar:
        text = "\n".join(part for part in (item.done_by, item.note) if part)
        if text:
            texts[f"CDOP papers: {item.get_item_display().lower()}"] = text
    return texts


# Fields of the national export that carry an identity by design: the national database matches
# deaths on them (docs/NCMD_EXPORT.md). Everything else in it must be free of identities.
EXPORTED_BY_DESIGN = {("child", "nhs_number"), ("child", "date_of_birth")}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ].*)?$")


def _export_lines(value: Any, path: tuple[str, ...]) -> list[str]:
    if isinstance(value, dict):
        return [line for key, inner in value.items() for line in _export_lines(inner, (*path, str(key)))]
    if isinstance(value, list):
        return [line for index, inner in enumerate(value) for line in _export_lines(inner, (*path, str(index)))]
    if path[-2:] in EXPORTED_BY_DESIGN or value is None or isinstance(value, bool | int | float):
        return []
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    # A recorded date is a column the national database asks for, not text someone typed.
    if ISO_DATE.match(text):
        return []
    return [f"{'.'.join(path)}: {text}"]


def _ncmd_export(review: Review) -> dict[str, str]:
    """The review's record as the national export writes it (reviews/selectors/national_export.py):
    its text, one line per field, without the fields that carry an identity by design."""
    if review.kind != ReviewKind.CHILD_DEATH:
        return {}
    from reviews.selectors.national_export import export_record, export_reviews

    exported = export_reviews(review.partnership, date.min).filter(pk=review.pk).first()
    if exported is None:
        return {}
    return {"NCMD export": "\n".join(_export_lines(export_record(exported), ()))}


def outgoing_texts(review: Review) -> dict[str, str]:
    """Every text of ``review`` that leaves it, as it would go today: source label -> text."""
    texts = _panel_papers(review)
    if review.kind == ReviewKind.CHILD_DEATH:
        texts.update(_cdop_papers(review))
        texts.update(_ncmd_export(review))
    for reader in _REGISTERED:
        texts.update(reader(review))
    return {source: text for source, text in texts.items() if text}


def overrides_of(review: Review) -> dict[str, LeakOverride]:
    """The chair's overrides of the review, by fingerprint: one query."""
    return {row.fingerprint: row for row in LeakOverride.objects.filter(review=review).select_related("chair")}


def unresolved_hits(review: Review, texts: Mapping[str, str] | None = None) -> list[LeakHit]:
    """The hits in ``texts`` (every outgoing text of the review if not given) that the chair has
    not overridden."""
    if texts is None:
        texts = outgoing_texts(review)
    overridden = overrides_of(review)
    return [hit for hit in leak_hits(review, texts) if hit.fingerprint not in overridden]


# --- the page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeakRow:
    hit: LeakHit
    # The context as this reader may see it: masked, or (for those who may read identities) as written.
    context: str
    override: LeakOverride | None


def leak_rows(review: Review, *, reveal: bool) -> tuple[list[LeakRow], int]:
    """Every hit in the review's outgoing texts with the chair's override if any, and how many
    texts were read. A fixed number of queries however many hits."""
    texts = outgoing_texts(review)
    overridden = overrides_of(review)
    rows = [
        LeakRow(
            hit=hit,
            context=revealed_context(texts[hit.source], hit.start, hit.end) if reveal else hit.context,
            override=overridden.get(hit.fingerprint),
        )
        for hit in leak_hits(review, texts)
    ]
    return rows, len(texts)
