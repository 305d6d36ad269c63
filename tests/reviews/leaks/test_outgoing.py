"""What leaves a review: the panel papers (agency chronologies and reports as submitted), the
findings and recommendations, the CDOP's papers and the national export of a child death review,
and whatever a feature registers (the report versions)."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.models import ReviewKind
from reviews.selectors.leaks import leak_hits, outgoing_texts, unresolved_hits
from reviews.services.child_death import DatasetData, child_death_dataset_record
from reviews.services.subjects import SubjectData
from tests.factories import make_review
from tests.reviews.builders import add_entry, add_recommendation, submit, write_findings

pytestmark = pytest.mark.django_db


def _hits(review):
    return [(hit.source, hit.what, hit.pseudonym) for hit in leak_hits(review, outgoing_texts(review))]


def test_findings_and_recommendations_are_checked(identified, drafting, coordinator, police):
    write_findings(drafting, coordinator, learning="Little Acorns did not refer.")
    add_recommendation(drafting, coordinator, police, success_measure="Audit of Kevin Marsh's rota.")
    assert _hits(drafting) == [
        ("findings: Learning", "setting's real name", "Nursery Z"),
        ("findings: recommendation 1", "perpetrator's real name", "K"),
    ]


def test_a_submitted_chronology_entry_is_checked_and_a_draft_is_not(identified, police_contribution, police_lead):
    entry = add_entry(police_contribution, police_lead, what_happened="Officers spoke to Oliver at NB7 5LD.")
    assert _hits(identified) == []  # still the agency's draft: it has not left the agency
    submit(police_contribution, police_lead)
    source = f"panel papers: Police chronology, entry of {entry.event_date.day} {entry.event_date:%B %Y} (#{entry.pk})"
    assert _hits(identified) == [(source, "first name", "Child K"), (source, "postcode", "Child K")]


def test_registered_texts_are_checked(identified, report_texts):
    report_texts["report v2 §1 Introduction"] = "Child K (9434765919) lived at 27 Tanners Yard."
    assert _hits(identified) == [
        ("report v2 §1 Introduction", "NHS number", "Child K"),
        ("report v2 §1 Introduction", "address", "Child K"),
    ]


def test_the_national_export_is_checked_except_for_what_it_sends_by_design(partnership, coordinator):
    """The national database matches deaths on the NHS number and date of birth: those two fields
    carry them by design. The rest of the record, and the CDOP's papers, must not."""
    cdr = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        title="Child E (aged 3 months)",
        key_dates={"incident_on": date(2026, 3, 6), "became_aware_on": date(2026, 3, 6)},
        subject=SubjectData(
            pseudonym="Child E",
            date_of_birth=date(2025, 12, 1),
            full_name="Ezra Quill",
            nhs_number="4010232137",
            address="14 Larkspur Close\nNorthbridge NB3 7QT",
        ),
    )
    child_death_dataset_record(
        actor=coordinator,
        review_id=cdr.pk,
        data=DatasetData(
            died_on=date(2026, 3, 6),
            became_aware_on=date(2026, 3, 6),
            became_aware_at=None,
            unexpected=True,
            place_of_death="home",
            ethnicity="not_known",
            looked_after=False,
            disability="not_known",
            home_local_authority="Northbridge NB3 7QT",
            notifier_name="Dr N. Example",
            notifier_role="Emergency department consultant",
        ),
    )
    texts = outgoing_texts(cdr)
    assert '"4010232137"' not in texts["NCMD export"] and "child.nhs_number" not in texts["NCMD export"]
    assert "child.pseudonym: Child E" in texts["NCMD export"]
    assert [(hit.source, hit.what) for hit in unresolved_hits(cdr, texts)] == [
        ("CDOP papers: home local authority", "postcode"),
        ("NCMD export", "postcode"),
    ]
