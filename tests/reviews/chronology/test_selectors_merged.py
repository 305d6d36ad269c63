"""The merged multi-agency chronology: ordering, who sees what, filters, export."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.models import ReviewState
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import Ask
from reviews.selectors.chronology import chronology_scope, csv_rows, merged_entries
from reviews.services.chronology import EntryData, entry_save
from reviews.services.contributions import contribution_advance, contribution_request
from tests.factories import advance_to


@pytest.fixture
def contributions(review, coordinator, police, gp, police_lead, gp_lead):
    scoping = advance_to(review, ReviewState.SCOPING, coordinator)
    return {
        "police": contribution_request(
            actor=coordinator, review_id=scoping.pk, agency=police, lead=police_lead, asks=[Ask.CHRONOLOGY]
        ),
        "gp": contribution_request(
            actor=coordinator, review_id=scoping.pk, agency=gp, lead=gp_lead, asks=[Ask.CHRONOLOGY]
        ),
    }


def add(contribution, lead, when: date, what: str, precision: str = "exact", at: time | None = None, significant=False):
    return entry_save(
        actor=lead,
        contribution_id=contribution.pk,
        data=EntryData(
            event_date=when,
            date_precision=precision,
            event_time=at,
            source_record="Record",
            what_happened=what,
            professional_role="Practitioner",
            significant=significant,
        ),
    )


def submit(contribution, lead):
    contribution_advance(actor=lead, contribution_id=contribution.pk, transition="submit")


@pytest.fixture
def submitted(contributions, police_lead, gp_lead):
    police, gp = contributions["police"], contributions["gp"]
    add(police, police_lead, date(2025, 3, 14), "Police: arrest", at=time(22, 10), significant=True)
    add(police, police_lead, date(2025, 3, 17), "Police: month only", precision="month")
    add(police, police_lead, date(2025, 2, 10), "Police: about 10 Feb", precision="approximate")
    add(gp, gp_lead, date(2025, 3, 14), "GP: appointment", at=time(9, 0))
    add(gp, gp_lead, date(2025, 3, 1), "GP: exact 1 March")
    add(gp, gp_lead, date(2025, 2, 10), "GP: exact 10 Feb")
    submit(police, police_lead)
    submit(gp, gp_lead)
    return contributions


def test_entries_interleave_by_date_with_approximate_dates_placed_and_marked(review, coordinator, submitted):
    entries = list(merged_entries(review, chronology_scope(coordinator, review)))
    assert [e.what_happened for e in entries] == [
        "GP: exact 10 Feb",
        "Police: about 10 Feb",  # approximate after the exact entries of its day
        "GP: exact 1 March",
        "Police: month only",  # month only: at the start of March, after exact 1 March entries
        "GP: appointment",  # same day: by time
        "Police: arrest",
    ]
    assert entries[1].date_display == "about 10 February 2025"
    assert entries[3].date_display == "March 2025 (month only)"


def test_filters_by_agency_and_significance(review, coordinator, submitted, police):
    scope = chronology_scope(coordinator, review)
    assert {e.contribution.agency_id for e in merged_entries(review, scope, agency_ids=[police.pk])} == {police.pk}
    assert [e.what_happened for e in merged_entries(review, scope, significant_only=True)] == ["Police: arrest"]


def test_agency_lead_sees_only_own_agency_until_released(review, coordinator, police_lead, submitted):
    scope = chronology_scope(police_lead, review)
    assert {e.what_happened.split(":")[0] for e in merged_entries(review, scope)} == {"Police"}
    review.chronology_released_at = timezone.now()
    review.save(update_fields=["chronology_released_at"])
    scope = chronology_scope(police_lead, review)
    assert {e.what_happened.split(":")[0] for e in merged_entries(review, scope)} == {"Police", "GP"}


def test_panel_sees_only_submitted_contributions(review, coordinator, contributions, police_lead):
    add(contributions["police"], police_lead, date(2025, 3, 14), "Police: draft")
    assert list(merged_entries(review, chronology_scope(coordinator, review))) == []
    # ...while the police lead sees their own draft.
    assert len(merged_entries(review, chronology_scope(police_lead, review))) == 1


def test_scrutineer_sees_no_entries(review, scrutineer, submitted):
    assert not chronology_scope(scrutineer, review).sees_anything


def test_query_count_is_constant_in_the_number_of_entries(review, coordinator, submitted, police_lead, gp_lead):
    scope = chronology_scope(coordinator, review)

    def queries_to_read() -> int:
        with CaptureQueriesContext(connection) as captured:
            for entry in merged_entries(review, scope):
                str(entry.contribution.agency)
        return len(captured)

    few = queries_to_read()
    police = submitted["police"]
    ChronologyEntry.objects.bulk_create(
        [
            ChronologyEntry(
                contribution=police,
                review=review,
                event_date=date(2024, 1, 1 + i % 28),
                source_record="R",
                what_happened=f"Bulk {i}",
                professional_role="Officer",
            )
            for i in range(60)
        ]
    )
    assert queries_to_read() == few == 1


def test_csv_export_streams_rows_and_defuses_formulas(review, coordinator, contributions, police_lead):
    add(contributions["police"], police_lead, date(2025, 3, 14), '=HYPERLINK("http://x")')
    submit(contributions["police"], police_lead)
    lines = "".join(csv_rows(merged_entries(review, chronology_scope(coordinator, review)))).splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Date,Date precision,Time,Agency")
    assert "'=HYPERLINK" in lines[1]
    assert "Police" in lines[1]
