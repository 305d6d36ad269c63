"""Hostile files sent to the import page: a clear 400 within seconds, a page of a few KB, nothing saved."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviews.imports.chronology import HEADERS
from reviews.models.chronology import ChronologyEntry
from tests.reviews.chronology import hostile
from tests.reviews.pages import once, url


def _post(client, contribution, name: str, data: bytes):
    started = time.monotonic()
    response = client.post(url("chronology_import", contribution), {"file": SimpleUploadedFile(name, data), **once()})
    return response, time.monotonic() - started


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("police.csv", lambda: hostile.csv_of_tiny_rows(1_000_000), "The file has more than 20,000 rows"),
        ("police.xlsx", hostile.far_last_row, "The file has more than 20,000 rows"),
        ("police.xlsx", lambda: hostile.unzipping_to(30), "This Excel file unzips to 30 MB"),
        ("police.csv", hostile.csv_with_nul, "Line 3000 holds a NUL character"),
        ("police.csv", hostile.csv_with_long_field, "Line 102: a cell is longer than 131,072 characters"),
    ],
    ids=["million-csv-rows", "far-xlsx-row", "unzips-too-big", "nul", "long-field"],
)
def test_a_hostile_file_is_refused_quickly_with_a_small_page(
    client, police_lead, police_contribution, name, make, message
):
    client.force_login(police_lead)
    response, elapsed = _post(client, police_contribution, name, make())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert elapsed < 5, f"took {elapsed:.1f} s"
    assert len(response.content) < 60_000
    assert not ChronologyEntry.objects.exists()


def test_twenty_thousand_bad_rows_list_the_first_hundred_and_count_the_rest(client, police_lead, police_contribution):
    client.force_login(police_lead)
    bad = "31/02/2025,,,Log,Visit,Officer,,perhaps"  # two problems a row
    data = (",".join(HEADERS) + "\n" + "\n".join([bad] * 20_000) + "\n").encode()
    response, elapsed = _post(client, police_contribution, "police.csv", data)
    html = response.content.decode()
    assert response.status_code == 400
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert summary.count("<li>") == 101
    assert "… and 39,900 more problems not listed here" in summary
    assert "fix the 40000 problems found (the first ones are listed)" in html
    assert elapsed < 30, f"took {elapsed:.1f} s"
    assert len(response.content) < 100_000
    assert not ChronologyEntry.objects.exists()
