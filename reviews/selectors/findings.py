"""Readers of findings, recommendations, signed versions and the chair's page; the partnership's
themes; and the signed content with its hash, which the sign-off stores and every page checks."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Prefetch, Q, Value, When, prefetch_related_objects
from django.http import QueryDict
from django.utils import timezone

from reviews.models import Findings, Partnership, Recommendation, Review, ReviewRole, ReviewState, Role, SignedFindings
from reviews.models.actions import Action
from reviews.models.findings import ANALYSIS_DOMAINS, DEFAULT_THEMES, FindingsState, Theme, relevance_field
from ui.pagination import Pages, paginate
from workflows.types import AnyUser


def findings_for(review: Review) -> Findings | None:
    return Findings.objects.filter(review=review).select_related("signed_by", "updated_by").first()


def recommendations_for(findings: Findings | None) -> list[Recommendation]:
    if findings is None:
        return []
    return list(
        findings.recommendations.select_related("owner_agency")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.select_related("owner_agency")))
        .order_by("number")
    )


def signed_versions(findings: Findings | None) -> list[SignedFindings]:
    if findings is None:
        return []
    return list(findings.signed_versions.select_related("signed_by").order_by("-version"))


# --- themes, and what the page says of signed findings --------------------------------------------


def partnership_themes(partnership: Partnership) -> list[str]:
    """The partnership's own theme list, or the docs/DOMAIN.md defaults if it has none."""
    own = [theme.name for theme in Theme.objects.filter(partnership=partnership)]
    return own or list(DEFAULT_THEMES)


def frozen_message(findings: Findings) -> str:
    signer = (
        (findings.signed_by.get_full_name() or findings.signed_by.get_username()) if findings.signed_by else "the chair"
    )
    when = timezone.localtime(findings.signed_at) if findings.signed_at else None
    on = f" on {when:%-d %B %Y}" if when else ""
    return (
        f"The findings of {findings.review} were signed off by {signer}{on} (version {findings.version}) "
        "and can no longer be changed. Only the chair can reopen them, giving a reason."
    )


# --- the signed content and its hash --------------------------------------------------------------


def signed_content(findings: Findings) -> dict[str, Any]:
    """What the chair signs: everything a reader of the findings relies on, in a fixed shape."""
    review = findings.review
    content: dict[str, Any] = {
        "review": review.reference,
        "kind": review.kind,
        "findings": findings.findings,
        "learning": findings.learning,
        "themes": list(findings.themes),
        "recommendations": [
            {
                "number": r.number,
                "what": r.what,
                "owner_agency": {"id": r.owner_agency_id, "name": r.owner_agency.name},
                "due_by": r.due_by.isoformat(),
                "success_measure": r.success_measure,
            }
            for r in findings.recommendations.select_related("owner_agency").order_by("number")
        ],
    }
    if findings.needs_analysis:
        content["cdr_analysis"] = {
            **{name: getattr(findings, name) for name, _ in ANALYSIS_DOMAINS},
            "category_of_death": findings.category_of_death,
            "modifiable_factors": findings.modifiable_factors,
            **_completed_analysis(findings),
        }
    return content


def _completed_analysis(findings: Findings) -> dict[str, Any]:
    """The parts of the CDR analysis added in issue 13 (levels of relevance, the category's rationale),
    only once written: findings signed before they existed still hash to what their chair signed."""
    parts: dict[str, Any] = {
        relevance_field(name): getattr(findings, relevance_field(name)) for name, _ in ANALYSIS_DOMAINS
    }
    parts["category_rationale"] = findings.category_rationale
    return {key: value for key, value in parts.items() if value not in (None, "")}


def canonical_json(content: dict[str, Any]) -> bytes:
    """One byte string for one content: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def draft_content(findings: Findings) -> dict[str, Any]:
    """What the findings form edits: the version it carries, so a save over someone else's is refused."""
    content: dict[str, Any] = {"findings": findings.findings, "learning": findings.learning, "themes": findings.themes}
    if findings.needs_analysis:
        content.update({name: getattr(findings, name) for name, _ in ANALYSIS_DOMAINS})
        content.update(category_of_death=findings.category_of_death, modifiable_factors=findings.modifiable_factors)
        content.update(_completed_analysis(findings))
    return content


def draft_hash(findings: Findings) -> str:
    return content_hash(draft_content(findings))


# The sections of the signed content, as a change to each is told to the chair.
_SECTIONS = {"findings": "The findings", "learning": "The learning", "themes": "The themes"}
_RECOMMENDATION_PARTS = {
    "what": "what is to change",
    "owner_agency": "the owner",
    "due_by": "by when",
    "success_measure": "how success is measured",
}


def content_changes(read: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What changed between the content the chair read and the content now, one line a section."""
    changes = [f"{label} changed." for key, label in _SECTIONS.items() if read.get(key) != now.get(key)]
    labels = (
        dict(ANALYSIS_DOMAINS)
        | {relevance_field(name): f"{label}: level of relevance" for name, label in ANALYSIS_DOMAINS}
        | {
            "category_of_death": "The category of death",
            "category_rationale": "Why the category of death was chosen",
            "modifiable_factors": "Modifiable factors",
        }
    )
    read_analysis, now_analysis = read.get("cdr_analysis") or {}, now.get("cdr_analysis") or {}
    changes += [f"{label} changed." for key, label in labels.items() if read_analysis.get(key) != now_analysis.get(key)]
    before = {r["number"]: r for r in read.get("recommendations", [])}
    after = {r["number"]: r for r in now.get("recommendations", [])}
    for number in sorted(set(before) | set(after)):
        if number not in before:
            changes.append(f"Recommendation R{number} was added: {after[number]['what']}")
        elif number not in after:
            changes.append(f"Recommendation R{number} was removed: {before[number]['what']}")
        else:
            parts = [label for key, label in _RECOMMENDATION_PARTS.items() if before[number][key] != after[number][key]]
            if parts:
                changes.append(f"Recommendation R{number}: {', '.join(parts)} changed.")
    return changes


def signed_version_verifies(version: SignedFindings) -> bool:
    """The stored content of a signed version still hashes to the hash recorded at sign-off."""
    return content_hash(version.content) == version.content_hash


def findings_match_signed(findings: Findings) -> bool:
    """The live findings are still exactly what the chair signed last."""
    return bool(findings.content_hash) and content_hash(signed_content(findings)) == findings.content_hash


# --- the chair's page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChairItem:
    review: Review
    findings: Findings | None
    versions: list[SignedFindings]

    @property
    def awaits_sign_off(self) -> bool:
        return (
            self.review.state == ReviewState.FINDINGS
            and self.findings is not None
            and not self.findings.is_signed_off
            and bool(self.findings.findings)
        )


# ChairItem.awaits_sign_off, as a filter: at findings, with findings written and not signed off.
AWAITS_SIGN_OFF = (
    Q(state=ReviewState.FINDINGS)
    & Q(findings__isnull=False)
    & ~Q(findings__state=FindingsState.SIGNED_OFF)
    & ~Q(findings__findings="")
)


@dataclass(frozen=True)
class ChairPage:
    awaiting: list[Review]
    pages: Pages[Review]
    items: list[ChairItem]


def chair_items(user: AnyUser, params: QueryDict | None = None) -> ChairPage:
    """The reviews the user chairs, those awaiting their sign-off first, a page at a time, each with
    its findings and signed versions; and every review awaiting their sign-off, for the list at the
    top. Five queries however many reviews: the awaiting ones, the count, the page, its findings'
    signed versions (the findings come with the page)."""
    params = params if params is not None else QueryDict()
    if not (user and user.is_authenticated):
        return ChairPage(awaiting=[], pages=paginate([], params, singular="review", plural="reviews"), items=[])
    chaired = Review.objects.filter(pk__in=ReviewRole.objects.filter(user=user, role=Role.CHAIR).values("review_id"))
    awaiting = list(chaired.filter(AWAITS_SIGN_OFF).order_by("reference"))
    ordered = (
        chaired.select_related("findings")
        .annotate(later=Case(When(AWAITS_SIGN_OFF, then=Value(0)), default=Value(1)))
        .order_by("later", "reference")
    )
    pages = paginate(ordered, params, singular="review", plural="reviews")
    reviews = pages.rows
    prefetch_related_objects(
        reviews,
        Prefetch(
            "findings__signed_versions",
            queryset=SignedFindings.objects.select_related("signed_by").order_by("-version"),
        ),
    )
    items = []
    for review in reviews:
        findings = getattr(review, "findings", None)
        versions = list(findings.signed_versions.all()) if findings is not None else []
        items.append(ChairItem(review=review, findings=findings, versions=versions))
    return ChairPage(awaiting=awaiting, pages=pages, items=items)
