"""The merged chronology page: who reads what, filters, colours, paging, export, print, release."""

from __future__ import annotations

import csv
import io
from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import Review
from reviews.models.chronology import ChronologyEntry
from reviews.selectors.chronology import CHRONOLOGY_PAGE_SIZE
from tests.reviews.builders import add_entry, submit
from ui.csv import neutralise
from workflows.models import AuditEvent


def chronology_url(review: Review, name: str = "chronology") -> str:
    return reverse(f"reviews:{name}", args=[review.reference])


@pytest.fixture
def submitted(police_contribution, gp_contribution, police_lead, gp_lead):
    police, gp = police_contribution, gp_contribution
    gp.asks = ["chronology"]
    gp.save(update_fields=["asks"])
    add_entry(
        police,
        police_lead,
        event_date=date(2025, 3, 14),
        event_time=time(22, 10),
        what_happened="Police: arrest",
        significant=True,
    )
    add_entry(
        police, police_lead, event_date=date(2025, 3, 17), date_precision="month", what_happened="Police: month only"
    )
    add_entry(
        police, police_lead, event_date=date(2025, 2, 10), date_precision="approximate", what_happened="Police: about"
    )
    add_entry(gp, gp_lead, event_date=date(2025, 3, 14), event_time=time(9, 0), what_happened="GP: appointment")
    add_entry(gp, gp_lead, event_date=date(2025, 2, 10), what_happened="GP: exact 10 Feb")
    submit(police, police_lead)
    submit(gp, gp_lead)
    return police, gp


def test_the_coordinator_reads_every_agency_interleaved_and_marked(client, coordinator, scoping, submitted):
    client.force_login(coordinator)
    html = client.get(chronology_url(scoping)).content.decode()
    order = [
        html.index(text)
        for text in ("GP: exact 10 Feb", "Police: about", "Police: month only", "GP: appointment", "Police: arrest")
    ]
    assert order == sorted(order)
    assert "about 10 February 2025" in html
    assert "March 2025 (month only)" in html
    assert "reviews-approximate" in html
    assert "5 entries" in html
    # Each agency in its own colour, by class (no inline style).
    assert "reviews-agency--0" in html and "reviews-agency--1" in html
    assert "style=" not in html


@pytest.mark.parametrize("who", ["chair", "panel_member"])
def test_the_chair_and_panel_read_it(client, request, scoping, submitted, who):
    client.force_login(request.getfixturevalue(who))
    html = client.get(chronology_url(scoping)).content.decode()
    assert "Police: arrest" in html and "GP: appointment" in html
    assert 'id="release"' not in html


def test_a_scrutineer_is_refused(client, scrutineer, scoping, submitted):
    client.force_login(scrutineer)
    for name in ("chronology", "chronology_print", "chronology_export"):
        response = client.get(chronology_url(scoping, name))
        assert response.status_code == 403
        assert b"Police: arrest" not in response.content


def test_drafts_stay_out_of_the_merged_chronology(client, coordinator, police_lead, scoping, police_contribution):
    add_entry(police_contribution, police_lead, what_happened="Police: draft")
    client.force_login(coordinator)
    assert "Police: draft" not in client.get(chronology_url(scoping)).content.decode()


def test_an_agency_lead_reads_only_their_own_until_released(
    client, coordinator, police_lead, gp_lead, scoping, submitted
):
    client.force_login(police_lead)
    html = client.get(chronology_url(scoping)).content.decode()
    assert "Police: arrest" in html
    assert "GP: appointment" not in html
    assert "Northbridge GP Federation" not in html and ">GP<" not in html
    # Asking for the GP's entries by filter changes nothing.
    gp_id = submitted[1].agency_id
    html = client.get(chronology_url(scoping) + f"?agency={gp_id}").content.decode()
    assert "GP: appointment" not in html
    export = b"".join(client.get(chronology_url(scoping, "chronology_export")).streaming_content).decode()
    assert "Police: arrest" in export and "GP: appointment" not in export
    # The lead cannot release it themselves.
    assert client.post(chronology_url(scoping, "chronology_release")).status_code == 403

    client.force_login(coordinator)
    response = client.post(chronology_url(scoping, "chronology_release"), follow=True)
    assert "now visible to every agency lead" in response.content.decode()
    assert AuditEvent.objects.filter(verb="chronology.released", actor=coordinator).exists()
    assert Review.objects.get(pk=scoping.pk).chronology_released_at is not None
    assert 'id="release"' not in response.content.decode()

    client.force_login(police_lead)
    html = client.get(chronology_url(scoping)).content.decode()
    assert "GP: appointment" in html and "Police: arrest" in html


def test_releasing_twice_says_so(client, coordinator, scoping, submitted):
    client.force_login(coordinator)
    client.post(chronology_url(scoping, "chronology_release"))
    response = client.post(chronology_url(scoping, "chronology_release"), follow=True)
    assert "already released" in response.content.decode()
    assert AuditEvent.objects.filter(verb="chronology.released").count() == 1
    assert client.get(chronology_url(scoping, "chronology_release")).status_code == 405


def test_filters_by_agency_and_significance(client, coordinator, scoping, submitted):
    police, gp = submitted
    client.force_login(coordinator)
    html = client.get(chronology_url(scoping) + f"?agency={gp.agency_id}").content.decode()
    assert "GP: appointment" in html and "Police: arrest" not in html
    assert f'value="{gp.agency_id}" checked' in html
    html = client.get(chronology_url(scoping) + "?significant=1").content.decode()
    assert "Police: arrest" in html and "GP: appointment" not in html and "Police: about" not in html
    # Unreadable filter values are ignored, not an error.
    assert client.get(chronology_url(scoping) + "?agency=x&agency=99999").status_code == 200
    # The export and the printable page carry the same filters.
    assert chronology_url(scoping, "chronology_export") + "?significant=1" in html
    assert chronology_url(scoping, "chronology_print") + "?significant=1" in html


def test_the_export_streams_the_filtered_csv_named_by_reference(client, coordinator, scoping, submitted):
    police, _gp = submitted
    client.force_login(coordinator)
    response = client.get(chronology_url(scoping, "chronology_export") + f"?agency={police.agency_id}")
    assert response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="{scoping.reference}-chronology.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Date", "Date precision", "Time", "Agency"]
    assert [r[5] for r in rows[1:]] == ["Police: about", "Police: month only", "Police: arrest"]
    assert AuditEvent.objects.get(verb="access.chronology_export").actor == coordinator


def export_rows(client, review: Review) -> list[list[str]]:
    response = client.get(chronology_url(review, "chronology_export"))
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_every_cell_of_the_export_goes_through_the_one_csv_rule(client, coordinator, scoping, submitted, monkeypatch):
    monkeypatch.setattr("ui.csv.neutralise", lambda value: "checked")
    client.force_login(coordinator)
    rows = export_rows(client, scoping)
    assert len(rows) == 6  # the headers and five entries
    assert {cell for row in rows for cell in row} == {"checked"}


def test_the_export_neutralises_formulas_even_behind_a_tab_or_return(client, coordinator, scoping, submitted):
    # The services strip what is typed; an entry imported or written before then may still hold these.
    ChronologyEntry.objects.filter(what_happened="Police: arrest").update(
        what_happened="\t=1+2", source_record="-2+3", professional_role="+44 call", agency_comment="\r@SUM(A1)"
    )
    client.force_login(coordinator)
    [row] = [row for row in export_rows(client, scoping) if row[5].endswith("=1+2")]
    assert row[4:8] == ["'-2+3", "'\t=1+2", "'+44 call", "'\r@SUM(A1)"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_the_one_csv_rule(value, cell):
    assert neutralise(value) == cell


def test_the_printable_page_has_every_entry_and_no_paging(client, coordinator, scoping, submitted, settings):
    client.force_login(coordinator)
    html = client.get(chronology_url(scoping, "chronology_print") + "?significant=1").content.decode()
    assert "Police: arrest" in html and "GP: appointment" not in html
    assert "significant events only" in html
    assert "govuk-pagination" not in html


def _bulk_entries(contribution, count: int, start: date) -> None:
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            contribution=contribution,
            review_id=contribution.review_id,
            event_date=start + timedelta(days=i % 300),
            source_record=f"Bulk {i}",
            what_happened=f"Bulk event {i}",
            professional_role="Officer",
        )
        for i in range(count)
    )


def test_pages_of_200_with_filters_kept(client, coordinator, scoping, submitted):
    police, _gp = submitted
    _bulk_entries(police, CHRONOLOGY_PAGE_SIZE + 10, date(2024, 1, 1))
    client.force_login(coordinator)
    html = client.get(chronology_url(scoping) + f"?agency={police.agency_id}").content.decode()
    assert html.count("reviews-agency-row") == CHRONOLOGY_PAGE_SIZE
    assert "Page 1 of 2" in html
    assert f"?agency={police.agency_id}&amp;page=2" in html
    html = client.get(chronology_url(scoping) + f"?agency={police.agency_id}&page=2").content.decode()
    assert html.count("reviews-agency-row") == 13  # 210 bulk + 3 police entries
    everything = client.get(chronology_url(scoping, "chronology_print")).content.decode()
    assert everything.count("reviews-agency-row") == CHRONOLOGY_PAGE_SIZE + 10 + 5


def page_queries(client, review) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(chronology_url(review))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["coordinator", "police_lead"])
def test_the_page_costs_the_same_queries_for_5_and_100_entries(client, request, scoping, submitted, who):
    police, gp = submitted
    client.force_login(request.getfixturevalue(who))
    few = page_queries(client, scoping)
    _bulk_entries(police, 50, date(2024, 1, 1))
    _bulk_entries(gp, 45, date(2024, 6, 1))
    html = client.get(chronology_url(scoping)).content.decode()
    assert html.count("reviews-agency-row") == (100 if who == "coordinator" else 53)
    assert page_queries(client, scoping) == few > 0


def test_the_printable_page_prints_a_long_chronology_in_parts(client, coordinator, scoping, submitted):
    """Issue 12: a long chronology made one page of several megabytes."""
    from reviews.selectors.chronology import PRINT_PART_SIZE

    police, _gp = submitted
    _bulk_entries(police, PRINT_PART_SIZE + 10, date(2024, 1, 1))
    client.force_login(coordinator)
    url = chronology_url(scoping, "chronology_print")
    html = client.get(url).content.decode()
    total = PRINT_PART_SIZE + 10 + 5
    assert html.count("reviews-agency-row") == PRINT_PART_SIZE
    assert f"{total} entries, showing 1 to {PRINT_PART_SIZE} (part 1 of 2: print each part)" in html
    html = client.get(url + f"?agency={police.agency_id}&page=2").content.decode()
    assert html.count("reviews-agency-row") == 13  # 510 bulk + 3 police entries
