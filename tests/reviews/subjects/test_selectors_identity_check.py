"""The free-text identity check: a subject's real name, NHS number or address typed into free text."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.selectors.subjects import IdentityHit, identity_hits
from reviews.services.subjects import SubjectData, subject_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_identity(review, coordinator):
    subject_add(
        actor=coordinator,
        review_id=review.pk,
        data=SubjectData(
            pseudonym="Child K",
            date_of_birth=date(2023, 5, 1),
            full_name="Lily-Mae Orchard",
            nhs_number="943 476 5919",
            address="Flat 3, 27 Tanners Yard\nMillbrook, Northbridge NB7 5LD",
        ),
    )
    return review


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Lily-Mae Orchard attended the walk-in centre.", "real name"),
        ("Seen with her mother; lily-mae was quiet.", "real name"),
        ("The ORCHARD family moved.", "real name"),
        ("NHS no. 943 476 5919 on the referral", "NHS number"),
        ("ref 943-476-5919", "NHS number"),
        ("9434765919", "NHS number"),
        ("Home visit to Flat 3.", "address"),
        ("Visit at nb7 5ld", "address"),
        ("Seen at 27  Tanners Yard", "address"),
    ],
)
def test_each_kind_of_identity_is_found_and_named_with_the_pseudonym(with_identity, text, what):
    hits = identity_hits({"description": text}, review_ids=[with_identity.pk])
    assert IdentityHit(field="description", pseudonym="Child K", what=what) in hits
    assert any("use “Child K” instead" in hit.message for hit in hits)


@pytest.mark.parametrize(
    "text",
    [
        "Child K attended the walk-in centre.",
        "An orchardist visited.",  # a name part inside a longer word is not the name
        "Reference 94347659190 is a longer number",
        "She lives in Millbrook.",  # a town alone is not the address
        "",
    ],
)
def test_pseudonymised_text_passes(with_identity, text):
    assert identity_hits({"description": text}, review_ids=[with_identity.pk]) == []


def test_another_review_s_identities_are_not_checked(with_identity, partnership, coordinator):
    from tests.factories import make_review

    other = make_review(coordinator=coordinator, partnership=partnership, title="Child Z (aged 5)")
    assert identity_hits({"description": "Lily-Mae Orchard"}, review_ids=[other.pk]) == []


def test_one_hit_per_field_subject_and_kind(with_identity):
    hits = identity_hits(
        {"summary": "Lily-Mae Orchard (Lily-Mae) at 27 Tanners Yard", "analysis": "943 476 5919"},
        review_ids=[with_identity.pk],
    )
    assert [(hit.field, hit.what) for hit in hits] == [
        ("summary", "real name"),
        ("summary", "address"),
        ("analysis", "NHS number"),
    ]
