"""Importing an agency's chronology file: all rows or none, every problem reported at once."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from reviews.imports.chronology import HEADERS, ImportRejected
from reviews.models import ReviewState
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import Ask
from reviews.services.chronology import entries_import
from reviews.services.contributions import contribution_request
from tests.factories import advance_to

HEADER_LINE = ",".join(HEADERS)


@pytest.fixture
def contribution(review, coordinator, police, police_lead):
    scoping = advance_to(review, ReviewState.SCOPING, coordinator)
    return contribution_request(
        actor=coordinator, review_id=scoping.pk, agency=police, lead=police_lead, asks=[Ask.CHRONOLOGY]
    )


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join([HEADER_LINE, *lines]) + "\n").encode(encoding)


def test_good_csv_imports_every_row(contribution, police_lead):
    data = csv_bytes(
        "14/03/2025,,09:30,Custody record 2231,Arrest at the family home,Response officer,Child present,yes",
        "03/2025,,,Intelligence log 88,Neighbour reported shouting,Call handler,,no",
        "2024-12-01,approximate,,PNC,Previous caution,Analyst,,",
    )
    assert entries_import(actor=police_lead, contribution_id=contribution.pk, filename="police.csv", data=data) == 3
    entries = list(ChronologyEntry.objects.order_by("event_date"))
    assert [(e.event_date, e.date_precision) for e in entries] == [
        (date(2024, 12, 1), "approximate"),
        (date(2025, 3, 1), "month"),
        (date(2025, 3, 14), "exact"),
    ]
    assert entries[2].significant and entries[2].event_time.hour == 9
    contribution.refresh_from_db()
    assert contribution.state == "in_progress"


def test_three_different_bad_rows_are_all_reported_and_nothing_is_saved(contribution, police_lead):
    data = csv_bytes(
        "14/03/2025,,,Custody record 2231,Arrest,Response officer,,yes",
        "31/02/2025,,,Log 1,Call,Call handler,,no",  # row 3: no such date
        "15/03/2025,,,Log 2,,Call handler,,no",  # row 4: nothing said about what happened
        "16/03/2025,,25:00,Log 3,Visit,Officer,,perhaps",  # row 5: bad time and bad yes/no
    )
    with pytest.raises(ImportRejected) as refused:
        entries_import(actor=police_lead, contribution_id=contribution.pk, filename="police.csv", data=data)
    messages = [str(error) for error in refused.value.errors]
    assert messages == [
        "Row 3, Date: '31/02/2025' is not a date: use 14/03/2026, or 03/2026 for a month only.",
        "Row 4, What happened: Say what happened.",
        "Row 5, Time: '25:00' is not a time: use the 24-hour clock, e.g. 09:30.",
        "Row 5, Significant: 'perhaps' is not yes or no.",
    ]
    assert not ChronologyEntry.objects.exists()
    contribution.refresh_from_db()
    assert contribution.state == "requested"


def test_future_date_row_is_reported_with_its_number(contribution, police_lead):
    data = csv_bytes("14/03/2025,,,Log,Visit,Officer,,", "14/03/2099,,,Log,Visit,Officer,,")
    with pytest.raises(ImportRejected) as refused:
        entries_import(actor=police_lead, contribution_id=contribution.pk, filename="police.csv", data=data)
    assert [str(e) for e in refused.value.errors] == ["Row 3, Date: The date is in the future."]
    assert not ChronologyEntry.objects.exists()


def test_windows_1252_file_imports_with_its_characters(contribution, police_lead):
    data = csv_bytes("14/03/2025,,,Log 5,Mother’s partner – £20 dispute,Officer,,no", encoding="cp1252")
    entries_import(actor=police_lead, contribution_id=contribution.pk, filename="police.csv", data=data)
    assert ChronologyEntry.objects.get().what_happened == "Mother’s partner – £20 dispute"


def test_xlsx_file_imports(contribution, police_lead):
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append([date(2025, 3, 14), None, "10:15", "Custody record 2231", "Arrest", "Officer", None, "yes"])
    buffer = io.BytesIO()
    book.save(buffer)
    entries_import(actor=police_lead, contribution_id=contribution.pk, filename="police.xlsx", data=buffer.getvalue())
    assert ChronologyEntry.objects.get().event_date == date(2025, 3, 14)


def test_oversize_file_is_refused_and_nothing_saved(contribution, police_lead, settings):
    settings.CHRONOLOGY_IMPORT_MAX_BYTES = 200
    data = csv_bytes(*["14/03/2025,,,Log,Visit,Officer,,"] * 20)
    with pytest.raises(ImportRejected, match="the most that can be imported"):
        entries_import(actor=police_lead, contribution_id=contribution.pk, filename="police.csv", data=data)
    assert not ChronologyEntry.objects.exists()


def test_another_agencys_lead_cannot_import(contribution, gp_lead):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        entries_import(actor=gp_lead, contribution_id=contribution.pk, filename="x.csv", data=csv_bytes())


def test_month_only_precision_column_stores_the_first_of_the_month(contribution, police_lead):
    data = csv_bytes("14/03/2025,month,,Log 9,Visit,Officer,,no")
    entries_import(actor=police_lead, contribution_id=contribution.pk, filename="police.csv", data=data)
    entry = ChronologyEntry.objects.get()
    assert (entry.event_date, entry.date_precision) == (date(2025, 3, 1), "month")


def test_a_submitted_contribution_refuses_an_import_before_reading_the_file(contribution, police_lead):
    from reviews.services.contributions import contribution_advance
    from workflows.runner import TransitionRefused

    entries_import(
        actor=police_lead, contribution_id=contribution.pk, filename="p.csv", data=csv_bytes("14/03/2025,,,L,V,O,,")
    )
    contribution_advance(actor=police_lead, contribution_id=contribution.pk, transition="submit")
    with pytest.raises(TransitionRefused, match="can no longer be changed"):
        entries_import(actor=police_lead, contribution_id=contribution.pk, filename="notes.pdf", data=b"%PDF")
    assert ChronologyEntry.objects.count() == 1
