"""A theme followed across a partnership's reviews: the reviews that found it, their
recommendations, their actions and how many were implemented (verified) — only reviews whose
findings the user reads (case detail: ``reviews_holding(user, CASE_DETAIL)``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce

from reviews.models import Partnership, Review, Theme
from reviews.models.actions import Action, ActionState
from reviews.models.findings import Recommendation
from reviews.permissions import CASE_DETAIL, reviews_holding
from reviews.selectors.search import full_text
from workflows.types import AnyUser


def _count(rows: QuerySet[Any], review: str) -> Any:
    """How many of ``rows`` belong to the outer review, as a subquery (0 for none)."""
    counted = rows.filter(**{review: OuterRef("pk")}).order_by().values(review).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), Value(0), output_field=IntegerField())


def with_theme(reviews: QuerySet[Review], name: str) -> QuerySet[Review]:
    if full_text():
        return reviews.filter(findings__themes__contains=[name])
    return reviews.annotate(s_themes=Cast("findings__themes", TextField())).filter(s_themes__contains=f'"{name}"')


def _tagged(user: AnyUser, theme: Theme) -> QuerySet[Review]:
    readable = reviews_holding(user, CASE_DETAIL).values("pk")
    return with_theme(Review.objects.filter(partnership_id=theme.partnership_id, pk__in=readable), theme.name)


def theme_reviews(user: AnyUser, theme: Theme) -> QuerySet[Review]:
    """The partnership's reviews tagged with the theme whose findings the user reads, each with
    ``recommendation_count``, ``action_count`` and ``implemented_count`` (actions verified), newest first."""
    return (
        _tagged(user, theme)
        .annotate(
            recommendation_count=_count(Recommendation.objects.all(), "findings__review_id"),
            action_count=_count(Action.objects.all(), "review_id"),
            implemented_count=_count(Action.objects.filter(state=ActionState.VERIFIED), "review_id"),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ThemeTotals:
    reviews: int
    recommendations: int
    actions: int
    implemented: int


def theme_totals(user: AnyUser, theme: Theme) -> ThemeTotals:
    """The totals across every such review (not only the page shown): three queries."""
    reviews = _tagged(user, theme).values("pk")
    actions = Action.objects.filter(review_id__in=reviews).aggregate(
        actions=Count("pk"), implemented=Count("pk", filter=Q(state=ActionState.VERIFIED))
    )
    return ThemeTotals(
        reviews=Review.objects.filter(pk__in=reviews).count(),
        recommendations=Recommendation.objects.filter(findings__review_id__in=reviews).count(),
        actions=actions["actions"],
        implemented=actions["implemented"],
    )


def themes_of(partnership: Partnership) -> list[Theme]:
    return list(Theme.objects.filter(partnership=partnership))
