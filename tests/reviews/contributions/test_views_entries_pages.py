"""The agency's own contribution page lists its entries a page at a time, as the merged chronology
does: after a large import it stays small and its queries do not grow with the entries."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models.chronology import ChronologyEntry
from reviews.selectors.chronology import CHRONOLOGY_PAGE_SIZE
from tests.reviews.builders import add_entry
from tests.reviews.pages import url


def _entries(contribution, count: int) -> None:
    first = add_entry(contribution, contribution.lead, event_date=date(2020, 1, 1), what_happened="Entry 0")
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            contribution=contribution,
            review_id=contribution.review_id,
            event_date=date(2020, 1, 1) + timedelta(days=n),
            source_record=f"Log {n}",
            what_happened=f"Entry {n}",
            professional_role="Officer",
        )
        for n in range(1, count)
    )
    assert first.pk


def _queries(client, address: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_contribution_page_shows_one_page_of_entries(client, police_lead, police_contribution):
    _entries(police_contribution, 2 * CHRONOLOGY_PAGE_SIZE + 50)
    client.force_login(police_lead)
    page = url("contribution", police_contribution)
    html = client.get(page).content.decode()
    assert html.count('id="entry-') == CHRONOLOGY_PAGE_SIZE
    assert f"{2 * CHRONOLOGY_PAGE_SIZE + 50} entries, oldest first: 1 to {CHRONOLOGY_PAGE_SIZE}" in html
    assert "Page 1 of 3" in html and 'href="?page=2" rel="next"' in html
    assert ">Entry 0<" in html and f">Entry {CHRONOLOGY_PAGE_SIZE}<" not in html

    last = client.get(page, {"page": 3}).content.decode()
    assert last.count('id="entry-') == 50
    assert 'href="?page=2" rel="prev"' in last and 'rel="next"' not in last
    assert f">Entry {2 * CHRONOLOGY_PAGE_SIZE + 49}<" in last
    # An unreadable page number shows the first page, as the merged chronology does.
    assert client.get(page, {"page": "x"}).content.decode().count('id="entry-') == CHRONOLOGY_PAGE_SIZE


def test_the_contribution_pages_queries_do_not_grow_with_its_entries(client, police_lead, police_contribution):
    _entries(police_contribution, 5)
    client.force_login(police_lead)
    few, _ = _queries(client, url("contribution", police_contribution))
    _entries(police_contribution, 3 * CHRONOLOGY_PAGE_SIZE)
    many, html = _queries(client, url("contribution", police_contribution))
    assert many == few
    assert len(html) < 400_000
