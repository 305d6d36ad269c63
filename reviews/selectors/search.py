"""One search box across everything a user may read: review titles, findings, learning, themes,
recommendations, actions and the text of published reports.

Each kind of text is one branch of a UNION, filtered in SQL to what the user's roles read on each
review (the same rules as the pages that show the text), so a page of results costs the same three
queries however many there are: the COUNT, the page, and the page's reviews.

- A review's title: every review the user may see (``reviews_for_user``); titles carry pseudonyms only.
- Findings, learning, themes and recommendations: case detail (``CASE_DETAIL``), never the read-only
  scrutineer.
- Actions: the review's coordinator every one; an agency lead their own agency's only.
- A published report's text: once publication is recorded, its final version's sections, to the
  report's readers (``REPORT_READERS``).

On PostgreSQL the match is full-text search (English stemming: "neglected" finds "neglect"), ranked
by ``ts_rank``; on SQLite (development only) a plain case-insensitive substring match, unranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db.models import CharField, Exists, F, FloatField, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat

from reviews.models import AgencyContribution, Review, ReviewRole, Role
from reviews.models.actions import Action
from reviews.models.findings import Findings, Recommendation
from reviews.models.publication import PublicationState
from reviews.models.report import ReportSection, SectionKind
from reviews.permissions import CASE_DETAIL, COORDINATE, REPORT_READERS, reviews_for_user, reviews_holding
from reviews.selectors.annual_report import FinancialYear
from workflows.types import AnyUser, User

# The search configuration: English stemming and stop words.
CONFIG = "english"


def full_text() -> bool:
    """PostgreSQL full-text search, or the SQLite fallback (settings DATABASES engine)."""
    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")


class What:
    REVIEW = "review"
    FINDINGS = "findings"
    LEARNING = "learning"
    THEMES = "themes"
    RECOMMENDATION = "recommendation"
    ACTION = "action"
    REPORT = "report"


LABELS = {
    What.REVIEW: "Review",
    What.FINDINGS: "Findings",
    What.LEARNING: "Learning",
    What.THEMES: "Themes",
    What.RECOMMENDATION: "Recommendation",
    What.ACTION: "Action",
    What.REPORT: "Published report",
}


@dataclass(frozen=True)
class SearchFilters:
    words: str = ""
    kind: str = ""
    theme: str = ""
    year: int | None = None  # a financial year, by its first calendar year
    agency_id: int | None = None


@dataclass(frozen=True)
class Branch:
    """One kind of text: its rows, the path from them to their review, and its columns."""

    what: str
    rows: QuerySet[Any]
    review: str  # the lookup path to the review ("" for a review itself)
    heading: Any
    fields: tuple[str, ...]  # the text columns searched
    vector: str  # on PostgreSQL, the stored vector of those columns (migrations/0030_search_vectors.py)
    agency: str = ""  # the owning agency's column, if the text belongs to one agency

    def stored_vector(self) -> RawSQL:
        """The vector PostgreSQL keeps for this branch's text, generated on every write and indexed:
        working it out for every row a search reads took seconds for a coordinator's 20,000 actions."""
        table = self.rows.model._meta.db_table
        # Names from this module (a model's table, a column of the migration), never from input.
        return RawSQL(f'"{table}"."{self.vector}"', [], output_field=SearchVectorField())  # noqa: S611


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


def _filtered(branch: Branch, filters: SearchFilters) -> QuerySet[Any]:
    rows = branch.rows
    p = _prefix(branch.review)
    if filters.kind:
        rows = rows.filter(**{f"{p}kind": filters.kind})
    if filters.year is not None:
        year = FinancialYear(filters.year)
        rows = rows.filter(**{f"{p}created_at__date__range": year.dates()})
    if filters.theme:
        if full_text():
            rows = rows.filter(**{f"{p}findings__themes__contains": [filters.theme]})
        else:
            rows = rows.annotate(s_themes=Cast(f"{p}findings__themes", TextField())).filter(
                s_themes__contains=f'"{filters.theme}"'
            )
    if filters.agency_id is not None:
        if branch.agency:
            rows = rows.filter(**{branch.agency: filters.agency_id})
        else:
            review_id = f"{p}pk" if p else "pk"
            rows = rows.filter(
                Exists(AgencyContribution.objects.filter(review_id=OuterRef(review_id), agency_id=filters.agency_id))
            )
    return rows


def _text(fields: tuple[str, ...]) -> Any:
    if len(fields) == 1:
        return Cast(fields[0], TextField())
    parts: list[Any] = []
    for field in fields:
        if parts:
            parts.append(Value("\n"))
        parts.append(Cast(field, TextField()))
    return Concat(*parts, output_field=TextField())


def _matched(branch: Branch, filters: SearchFilters, *, ranked: bool = True) -> QuerySet[Any]:
    """The branch's matches, as rows of the UNION; unless ``ranked``, only what tells them apart
    (for counting them without ranking each)."""
    rows = _filtered(branch, filters)
    p = _prefix(branch.review)
    if full_text():
        vector = branch.stored_vector()
        query = SearchQuery(filters.words, config=CONFIG, search_type="websearch")
        rows = rows.annotate(s_vector=vector).filter(s_vector=query)
        rank: Any = SearchRank(vector, query)
    else:
        match = Q()
        for field in branch.fields:
            match |= Q(**{f"{field}__icontains": filters.words})
        rows = rows.filter(match)
        rank = Value(0.0, output_field=FloatField())
    if not ranked:
        counted: QuerySet[Any] = rows.annotate(s_what=Value(branch.what, output_field=CharField()), s_object=F("pk"))
        return counted.values("s_what", "s_object").order_by()
    found: QuerySet[Any] = rows.annotate(
        s_what=Value(branch.what, output_field=CharField()),
        s_review=F(f"{p}pk" if p else "pk"),
        s_object=F("pk"),
        s_heading=Cast(branch.heading, TextField()),
        s_body=_text(branch.fields),
        s_rank=rank,
    ).values("s_what", "s_review", "s_object", "s_heading", "s_body", "s_rank")
    # No ordering of its own (a model's default one): the UNION is ordered as a whole, and SQLite
    # refuses an ORDER BY inside a compound statement.
    return found.order_by()


def _branches(user: User) -> list[Branch]:
    visible = reviews_for_user(user).values("pk")
    case_detail = reviews_holding(user, CASE_DETAIL).values("pk")
    coordinated = reviews_holding(user, COORDINATE).values("pk")
    report_readers = reviews_holding(user, REPORT_READERS).values("pk")
    led = ReviewRole.objects.filter(user_id=user.pk, role=Role.AGENCY_LEAD)
    own_agency = led.filter(review_id=OuterRef("review_id"), agency_id=OuterRef("owner_agency_id"))
    coordinates = ReviewRole.objects.filter(user_id=user.pk, role=Role.COORDINATOR, review_id=OuterRef("review_id"))
    findings = Findings.objects.filter(review_id__in=case_detail)
    return [
        Branch(What.REVIEW, Review.objects.filter(pk__in=visible), "", F("title"), ("title",), "search_title"),
        Branch(
            What.FINDINGS, findings.exclude(findings=""), "review", Value("Findings"), ("findings",), "search_findings"
        ),
        Branch(
            What.LEARNING, findings.exclude(learning=""), "review", Value("Learning"), ("learning",), "search_learning"
        ),
        Branch(What.THEMES, findings.exclude(themes=[]), "review", Value("Themes"), ("themes",), "search_themes"),
        Branch(
            What.RECOMMENDATION,
            Recommendation.objects.filter(findings__review_id__in=case_detail),
            "findings__review",
            Concat(Value("Recommendation "), Cast("number", CharField()), output_field=CharField()),
            ("what", "success_measure"),
            "search_text",
            agency="owner_agency_id",
        ),
        # Actions in two branches, not one with an OR: the coordinator's by their reviews, an agency
        # lead's by their roles. An OR of the two kept PostgreSQL from using either index, and it read
        # every action in the country (seconds at national scale).
        _action_branch(Action.objects.filter(review_id__in=coordinated)),
        # The reviews the user leads an agency on first (by index), then their own agency's actions
        # there: matched against every action of the country, PostgreSQL read them all.
        _action_branch(Action.objects.filter(Exists(own_agency)).exclude(Exists(coordinates))),
        Branch(
            What.REPORT,
            ReportSection.objects.filter(
                kind=SectionKind.TEXT,
                version__report__review_id__in=report_readers,
                version__report__review__publication__state=PublicationState.PUBLISHED,
                version__report__review__publication__report_version=F("version_id"),
            ),
            "version__report__review",
            F("heading"),
            ("heading", "body"),
            "search_text",
        ),
    ]


def _action_branch(actions: QuerySet[Action]) -> Branch:
    heading = Concat(
        Value("Action R"),
        Cast("recommendation__number", CharField()),
        Value("."),
        Cast("number", CharField()),
        output_field=CharField(),
    )
    fields = ("description", "success_measure")
    return Branch(What.ACTION, actions, "review", heading, fields, "search_text", agency="owner_agency_id")


def search(user: AnyUser, filters: SearchFilters) -> QuerySet[Any]:
    """Every match the user may read, best first: rows of ``s_what``, ``s_review``, ``s_object``,
    ``s_heading``, ``s_body`` and ``s_rank``. Nothing for an empty search."""
    if not filters.words.strip() or not (user and user.is_authenticated):
        return Review.objects.none().values("pk")
    branches = [_matched(branch, filters) for branch in _branches(user)]
    first, *rest = branches
    return first.union(*rest, all=True).order_by("-s_rank", "-s_review", "s_what", "s_object")


class SearchResults(Sequence[dict[str, Any]]):
    """What the paginator reads: the matches counted without ranking them (ranking 20,000 actions
    to count them cost as much again as the page itself), and the ranked page sliced from
    ``search``."""

    ordered = True  # search() orders its rows

    def __init__(self, user: AnyUser, filters: SearchFilters) -> None:
        self.ranked = search(user, filters)
        self.user, self.filters = user, filters

    def count(self) -> int:  # type: ignore[override]  # the paginator asks count() with no value
        if not self.filters.words.strip() or not (self.user and self.user.is_authenticated):
            return 0
        first, *rest = [_matched(branch, self.filters, ranked=False) for branch in _branches(self.user)]
        return first.union(*rest, all=True).count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        return self.ranked[index]


@dataclass(frozen=True)
class Result:
    what: str
    label: str
    heading: str
    excerpt: str
    rank: float
    review: Review
    object_id: int


EXCERPT = 240


def excerpt(text: str, words: str, size: int = EXCERPT) -> str:
    """Up to ``size`` characters of ``text`` around the first word searched for found in it."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    lowered = text.lower()
    found = [lowered.find(word[:5].lower()) for word in words.split() if len(word) > 2]
    at = min((i for i in found if i >= 0), default=0)
    start = max(0, at - size // 3)
    end = start + size
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def results(rows: list[dict[str, Any]], words: str) -> list[Result]:
    """A page of rows with their reviews: one query."""
    reviews = Review.objects.select_related("partnership").in_bulk({row["s_review"] for row in rows})
    return [
        Result(
            what=row["s_what"],
            label=LABELS[row["s_what"]],
            heading=row["s_heading"],
            excerpt="" if row["s_what"] == What.REVIEW else excerpt(_plain(row), words),
            rank=float(row["s_rank"] or 0),
            review=reviews[row["s_review"]],
            object_id=row["s_object"],
        )
        for row in rows
    ]


def _plain(row: dict[str, Any]) -> str:
    body = str(row["s_body"] or "")
    if row["s_what"] == What.THEMES:
        # The JSON list as stored: shown as words.
        return body.strip("[]").replace('"', "")
    return body
