"""`manage.py ncmd_export`: what it writes validates against docs/ncmd_export.schema.json, carries
no name or address, is recorded per review, and marks a review that changed since it went."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from reviews.models import NationalExport, ReviewState
from reviews.services.child_death import DatasetData, JarItemData, child_death_dataset_record, jar_item_record
from reviews.services.review import review_record_key_dates
from tests.factories import advance_to, sign_off_findings
from tests.reviews.child_death.conftest import FULL_NAME, NHS_NUMBER, cdr  # noqa: F401 -- the fixture

SCHEMA = json.loads((Path(settings.BASE_DIR) / "docs" / "ncmd_export.schema.json").read_text())


def export(tmp_path: Path, name: str = "ncmd.json") -> dict:
    out = tmp_path / name
    call_command("ncmd_export", "--partnership", "NSCP", "--since", "2026-01-01", "--out", str(out))
    document = json.loads(out.read_text())
    jsonschema.validate(document, SCHEMA)  # raises, naming the path, if it does not
    return document


@pytest.fixture
def reviewed(cdr, coordinator, today):  # noqa: F811 -- cdr is the imported fixture
    """Child D's review with its dataset, a home visit, and the CDOP's analysis signed off."""
    today.set(date(2026, 3, 20))
    child_death_dataset_record(
        actor=coordinator,
        review_id=cdr.pk,
        data=DatasetData(
            died_on=date(2026, 3, 6),
            became_aware_on=date(2026, 3, 6),
            became_aware_at=time(14, 30),
            unexpected=True,
            place_of_death="home",
            ethnicity="not_known",
            looked_after=False,
            disability="not_known",
            home_local_authority="Northbridge",
            notifier_name="Dr Example Notifier",
            notifier_role="Consultant paediatrician, Northbridge General",
        ),
    )
    jar_item_record(
        actor=coordinator,
        review_id=cdr.pk,
        item="home_visit",
        data=JarItemData(done_on=date(2026, 3, 7), done_at=time(10, 0), done_by="DS, police; paediatrician"),
    )
    review_record_key_dates(actor=coordinator, review_id=cdr.pk, key_dates={"notified_on": date(2026, 3, 7)})
    advance_to(cdr, ReviewState.FINDINGS, coordinator)
    sign_off_findings(cdr, coordinator)
    return cdr


def test_the_export_validates_and_holds_what_the_national_database_needs_and_no_more(reviewed, tmp_path):
    document = export(tmp_path)

    (record,) = document["reviews"]
    assert record["reference"] == reviewed.reference
    assert record["child"]["nhs_number"] == NHS_NUMBER
    assert record["child"]["date_of_birth"] == "2025-01-05"
    assert record["death"] == {"date": "2026-03-06", "place": "home", "unexpected": True}
    assert record["notification"]["became_aware_at"] == "14:30:00"
    assert [item["item"] for item in record["joint_agency_response"]] == ["home_visit"]
    assert record["analysis"]["category_of_death"] == 5
    assert record["analysis"]["domains"]["services"]["relevance"] == 2
    text = json.dumps(document)
    assert FULL_NAME not in text and "Example Row" not in text and "Dr Example Notifier" not in text
    assert record["changed_since_last_export"] is False and record["previously_exported_at"] is None
    assert NationalExport.objects.get(review=reviewed).file_name == "ncmd.json"


def test_a_review_changed_since_it_went_is_marked_for_re_export(reviewed, coordinator, tmp_path):
    export(tmp_path)
    (unchanged,) = export(tmp_path, "again.json")["reviews"]
    assert unchanged["changed_since_last_export"] is False
    assert unchanged["previously_exported_at"] is not None

    review_record_key_dates(actor=coordinator, review_id=reviewed.pk, key_dates={"notified_on": date(2026, 3, 8)})
    (changed,) = export(tmp_path, "third.json")["reviews"]
    assert changed["changed_since_last_export"] is True
    assert NationalExport.objects.filter(review=reviewed).count() == 3


def test_a_draft_analysis_is_not_exported(cdr, tmp_path):  # noqa: F811
    (record,) = export(tmp_path)["reviews"]
    assert record["analysis"] is None
    assert record["agency_forms"] == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--partnership", "NOPE", "--since", "2026-01-01"],
            "--partnership: there is no partnership with the code 'NOPE'",
        ),
        (["--partnership", "NSCP", "--since", "01/01/2026"], "--since: '01/01/2026' is not a date written YYYY-MM-DD"),
    ],
)
def test_bad_arguments_are_named_and_nothing_is_written(partnership, tmp_path, arguments, message):
    out = tmp_path / "x.json"
    with pytest.raises(CommandError, match=message):
        call_command("ncmd_export", *arguments, "--out", str(out))
    assert not out.exists() and not NationalExport.objects.exists()
