"""Readers of findings, recommendations, signed versions and the chair's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from reviews.models import Findings, Recommendation, Review, ReviewRole, ReviewState, Role, SignedFindings
from reviews.models.actions import Action


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


def chair_items(user: Any) -> list[ChairItem]:
    """Every review the user chairs, with its findings and signed versions. Three queries."""
    if not (user and user.is_authenticated):
        return []
    chaired = ReviewRole.objects.filter(user=user, role=Role.CHAIR).values("review_id")
    reviews = list(
        Review.objects.filter(pk__in=chaired)
        .select_related("findings")
        .prefetch_related(
            Prefetch(
                "findings__signed_versions",
                queryset=SignedFindings.objects.select_related("signed_by").order_by("-version"),
            )
        )
        .order_by("reference")
    )
    items = []
    for review in reviews:
        findings = getattr(review, "findings", None)
        versions = list(findings.signed_versions.all()) if findings is not None else []
        items.append(ChairItem(review=review, findings=findings, versions=versions))
    return sorted(items, key=lambda item: not item.awaits_sign_off)


def chairs_anything(user: Any) -> bool:
    return bool(user and user.is_authenticated and ReviewRole.objects.filter(user=user, role=Role.CHAIR).exists())
