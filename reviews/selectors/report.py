"""Readers of the overview report: its versions, a version's sections with the linked findings
rendered from their latest signed version, why a version can no longer be changed, the diff between
two versions, and the report as one standalone HTML document (for publication)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone

from reviews.models import (
    AccuracyRound,
    Findings,
    OverviewReport,
    ReportSection,
    ReportVersion,
    Review,
    SignedFindings,
)
from reviews.models.findings import FindingsState
from reviews.models.report import SectionKind


def report_for(review: Review) -> OverviewReport | None:
    return OverviewReport.objects.filter(review=review).first()


def report_versions(report: OverviewReport | None) -> list[ReportVersion]:
    """Newest first, each with ``section_count`` and ``round_count``: one query."""
    if report is None:
        return []
    return list(
        report.versions.select_related("created_by", "finalised_by")
        .annotate(section_count=Count("sections", distinct=True), round_count=Count("accuracy_rounds", distinct=True))
        .order_by("-number")
    )


def version_get(review: Review, number: int) -> ReportVersion | None:
    return (
        ReportVersion.objects.select_related("report__review", "created_by", "finalised_by")
        .filter(report__review=review, number=number)
        .first()
    )


def final_version(review: Review) -> ReportVersion | None:
    """The version marked final: what publication reads."""
    return ReportVersion.objects.select_related("report__review").filter(report__review=review, state="final").first()


# --- why a version can no longer be changed -------------------------------------------------------


def frozen_reason(version: ReportVersion) -> str:
    """Empty while the version may be changed; else why not, as the page and the service say it.
    Two queries at most."""
    if version.is_final:
        return f"Version {version.number} is final and can no longer be changed."
    newest = ReportVersion.objects.filter(report_id=version.report_id).aggregate(newest=Max("number"))["newest"]
    if newest is not None and newest > version.number:
        return f"Version {version.number} is not the newest: changes go into version {newest}."
    sent = AccuracyRound.objects.filter(version=version).order_by("sent_at").first()
    if sent is not None:
        return (
            f"Version {version.number} was sent for factual accuracy on {timezone.localtime(sent.sent_at):%-d %B %Y}: "
            "start a new version to change the report."
        )
    return ""


# --- the linked findings --------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedFindings:
    """The findings as a linked section shows them: the latest signed version's content, and a
    warning when the findings were reopened since (the text shown is no longer what stands)."""

    signed: SignedFindings | None
    reopened: bool
    reopen_reason: str

    @property
    def content(self) -> dict[str, Any]:
        return self.signed.content if self.signed is not None else {}

    @property
    def warning(self) -> str:
        if self.signed is None:
            return "The findings have not been signed off: this section will show them once the chair signs them."
        if self.reopened:
            reason = self.reopen_reason.strip().rstrip(".")
            return (
                f"The findings were reopened after version {self.signed.version} was signed"
                f"{': ' + reason if reason else ''}. This section shows signed version "
                f"{self.signed.version} until the chair signs them again, and then shows the new signed text."
            )
        return ""


def linked_findings(findings: Findings | None) -> LinkedFindings:
    """One query: the latest signed version (``findings`` already read)."""
    if findings is None:
        return LinkedFindings(signed=None, reopened=False, reopen_reason="")
    signed = SignedFindings.objects.filter(findings=findings).select_related("signed_by").order_by("-version").first()
    return LinkedFindings(
        signed=signed,
        reopened=signed is not None and findings.state != FindingsState.SIGNED_OFF,
        reopen_reason=findings.reopen_reason,
    )


@dataclass(frozen=True)
class ShownSection:
    section: ReportSection
    linked: LinkedFindings | None = None

    @property
    def text(self) -> str:
        """The section's words as plain text (the diff compares these)."""
        section = self.section
        if not section.is_linked or self.linked is None:
            return section.body
        content = self.linked.content
        if section.kind == SectionKind.FINDINGS:
            return "\n\n".join(part for part in (content.get("findings", ""), content.get("learning", "")) if part)
        return "\n".join(
            f"R{r['number']}. {r['what']} Owner: {r['owner_agency']['name']}; by {r['due_by']}; "
            f"measured by: {r['success_measure']}"
            for r in content.get("recommendations", [])
        )


def shown_sections(version: ReportVersion) -> list[ShownSection]:
    """The version's sections in order, linked ones with the findings' latest signed version.
    Three queries at most, however many sections."""
    sections = list(version.sections.order_by("position"))
    findings_ids = {s.findings_id for s in sections if s.findings_id is not None}
    linked: dict[int, LinkedFindings] = {}
    if findings_ids:
        for findings in Findings.objects.filter(pk__in=findings_ids):
            linked[findings.pk] = linked_findings(findings)
    return [
        ShownSection(section=s, linked=linked.get(s.findings_id) if s.findings_id is not None else None)
        for s in sections
    ]


# --- the diff between two versions ----------------------------------------------------------------

_WORD = re.compile(r"(\S+)(\s*)")


def _words(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The spaces ``text`` starts with, and each word with the spaces after it."""
    lead = text[: len(text) - len(text.lstrip())]
    return lead, [(m.group(1), m.group(2)) for m in _WORD.finditer(text, len(lead))]


@dataclass(frozen=True)
class Piece:
    """A run of text: ``op`` is "same", "ins" or "del". Rendered escaped, never marked safe."""

    op: str
    text: str


@dataclass
class SectionDiff:
    heading: str
    status: str  # "same", "changed", "added", "removed", "moved"
    heading_before: str = ""
    pieces: list[Piece] = field(default_factory=list)
    linked: bool = False


def text_diff(before: str, after: str) -> list[Piece]:
    """Word by word: difflib's SequenceMatcher over the words alone (a space as a token would match
    half the other text, and a long section took seconds to compare), the spaces between them put
    back as they were, so the pieces still spell out both texts."""
    old_lead, old = _words(before)
    new_lead, new = _words(after)
    pieces: list[Piece] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1].op == op:
            pieces[-1] = Piece(op, pieces[-1].text + text)
        else:
            pieces.append(Piece(op, text))

    def spaces(old_gap: str, new_gap: str) -> None:
        if old_gap == new_gap:
            add("same", old_gap)
        else:
            add("del", old_gap)
            add("ins", new_gap)

    def run(words: list[tuple[str, str]]) -> tuple[str, str]:
        """A changed run of words with the spaces inside it, and the spaces after its last word."""
        text = "".join(word + gap for word, gap in words[:-1]) + words[-1][0]
        return text, words[-1][1]

    spaces(old_lead, new_lead)
    matcher = difflib.SequenceMatcher(a=[w for w, _ in old], b=[w for w, _ in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for (word, old_gap), (_, new_gap) in zip(old[i1:i2], new[j1:j2], strict=True):
                add("same", word)
                spaces(old_gap, new_gap)
            continue
        old_text, old_gap = run(old[i1:i2]) if i2 > i1 else ("", "")
        new_text, new_gap = run(new[j1:j2]) if j2 > j1 else ("", "")
        add("del", old_text)
        add("ins", new_text)
        spaces(old_gap, new_gap)
    return pieces


def version_diff(before: ReportVersion, after: ReportVersion) -> list[SectionDiff]:
    """Per section, paired across the versions by lineage: in ``after``'s order, then the sections
    ``after`` no longer has. A linked section's text is the findings' as signed now, the same on
    both sides: only its heading can differ."""
    old = {shown.section.lineage: shown for shown in shown_sections(before)}
    new = shown_sections(after)
    # The sections both versions have, in each version's order: a section whose place among them
    # differs has moved.
    kept_after = [shown.section.lineage for shown in new if shown.section.lineage in old]
    kept_set = set(kept_after)
    kept_before = [lineage for lineage in old if lineage in kept_set]
    diffs: list[SectionDiff] = []
    for shown in new:
        section = shown.section
        was = old.get(section.lineage)
        if was is None:
            diffs.append(
                SectionDiff(
                    heading=section.heading,
                    status="added",
                    pieces=[Piece("ins", shown.text)] if shown.text else [],
                    linked=section.is_linked,
                )
            )
            continue
        pieces = text_diff(was.text, shown.text)
        changed = any(p.op != "same" for p in pieces) or was.section.heading != section.heading
        moved = kept_before.index(section.lineage) != kept_after.index(section.lineage)
        diffs.append(
            SectionDiff(
                heading=section.heading,
                status="changed" if changed else "moved" if moved else "same",
                heading_before=was.section.heading if was.section.heading != section.heading else "",
                pieces=pieces,
                linked=section.is_linked,
            )
        )
    new_lineages = {shown.section.lineage for shown in new}
    for lineage, shown in old.items():
        if lineage not in new_lineages:
            diffs.append(
                SectionDiff(
                    heading=shown.section.heading,
                    status="removed",
                    pieces=[Piece("del", shown.text)] if shown.text else [],
                    linked=shown.section.is_linked,
                )
            )
    return diffs


# --- the report as one document -------------------------------------------------------------------


def report_html(version: ReportVersion) -> str:
    """The version as a full standalone HTML document (its styles inline, no external resource),
    for WeasyPrint and for reading offline. Pseudonyms only: the review's title, the reviewer's
    sections and the signed findings, all of which are written under the identity check; no
    subject's identity is read here."""
    review = version.report.review
    return render_to_string(
        "reviews/report/document.html",
        {"review": review, "partnership": review.partnership, "version": version, "sections": shown_sections(version)},
    )


# --- what of the report leaves the building (the identity-leak check, reviews/selectors/leaks.py) ---


def version_texts(version: ReportVersion) -> dict[str, str]:
    """Each section of ``version`` as it would go out, heading and words, labelled "report v3 §2
    Background". Linked sections read the signed findings, which the leak check also reads alone."""
    return {
        f"report v{version.number} §{position} {shown.section.heading}": f"{shown.section.heading}\n{shown.text}"
        for position, shown in enumerate(shown_sections(version), start=1)
    }


def final_report_texts(review: Review, version: ReportVersion | None = None) -> dict[str, str]:
    """What publication prints: the review's title and the final version's sections ({} if none).
    ``version``: the final version, when the caller read it already."""
    version = version or final_version(review)
    if version is None:
        return {}
    from reviews.selectors.leaks import TITLE_SOURCE

    return {TITLE_SOURCE: review.title, **version_texts(version)}


def report_outgoing_texts(review: Review) -> dict[str, str]:
    """Every version of the report: drafts go out to agencies for factual accuracy, the final one
    is published. A query per version; a report has a handful."""
    texts: dict[str, str] = {}
    for version in ReportVersion.objects.filter(report__review=review).order_by("number"):
        texts.update(version_texts(version))
    return texts
