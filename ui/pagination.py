"""One page of a long list, with how many there are in all and links to the pages either side.

Every list page uses it (issue 12: a coordinator of 2,000 reviews had every row on one page). A
queryset costs two queries, a COUNT and the page's slice, however many rows there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict

T = TypeVar("T")

PAGE_SIZE = 50


@dataclass(frozen=True)
class Pages(Generic[T]):
    page: Page[T]
    params: QueryDict
    singular: str
    plural: str

    @property
    def rows(self) -> list[T]:
        return list(self.page.object_list)

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def summary(self) -> str:
        """E.g. "1,234 actions, showing 51 to 100"."""
        count = self.count
        text = f"{count:,} {self.singular if count == 1 else self.plural}"
        if self.page.paginator.num_pages > 1:
            text += f", showing {self.page.start_index():,} to {self.page.end_index():,}"
        return text

    def _query(self, number: int) -> str:
        query = self.params.copy()
        query["page"] = str(number)
        return query.urlencode()

    @property
    def previous_query(self) -> str:
        return self._query(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_query(self) -> str:
        return self._query(self.page.next_page_number()) if self.page.has_next() else ""


def paginate(
    items: QuerySet[Any] | Sequence[T],
    params: QueryDict,
    *,
    singular: str,
    plural: str,
    per_page: int = PAGE_SIZE,
    count: int | None = None,
) -> Pages[Any]:
    """The page ``params["page"]`` names (the first if it is missing or unreadable, the last if past
    the end); the other parameters (the filters) are kept in the links to the other pages.

    ``count``: the number of ``items`` when the caller has counted them already (a page that shows
    the count anyway), which saves counting them again.
    """
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached_property
    page = paginator.get_page(params.get("page"))
    return Pages(page=page, params=params, singular=singular, plural=plural)
