"""Matching a notification against what its partnership holds, and across partnerships by the keyed
hash of the NHS number only (reviews/selectors/intake.py)."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.models import IntakeItem, ReviewKind
from reviews.models.intake import nhs_number_hash
from reviews.selectors.intake import LIKELY, STRONG, elsewhere_for, matches_for
from reviews.services.review import review_open
from reviews.services.subjects import SubjectData
from tests.reviews.builders import notify_death

pytestmark = pytest.mark.django_db


def _review_with_child(coordinator, partnership, **identity):
    values = {
        "pseudonym": "Child K",
        "date_of_birth": date(2023, 5, 17),
        "sex": "female",
        "full_name": "Poppy Ashcombe-Lindqvist",
        "nhs_number": "",
    }
    values.update(identity)
    return review_open(
        actor=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        title="Child K",
        subject=SubjectData(**values),
    )


def test_the_same_nhs_number_is_a_strong_match_with_an_existing_review(areas, coordinator):
    review = _review_with_child(coordinator, areas[0], full_name="P. Lindqvist", nhs_number="943 476 5919")
    [match] = matches_for(notify_death())
    assert match.strength == STRONG
    assert match.review_reference == review.reference
    assert "Child K" in match.what and "Lindqvist" not in match.what


def test_name_date_of_birth_and_sex_is_a_likely_match(areas, coordinator):
    review = _review_with_child(coordinator, areas[0], full_name="  poppy ashcombe-lindqvist ")
    [match] = matches_for(notify_death(nhs_number=""))
    assert (match.strength, match.review_reference) == (LIKELY, review.reference)


@pytest.mark.parametrize(
    "near_miss",
    [
        {"full_name": "Poppy Ashcombe-Lindquist"},  # one letter
        {"date_of_birth": date(2023, 5, 18)},  # a day out
        {"sex": "male"},
    ],
)
def test_a_near_miss_does_not_match(areas, coordinator, near_miss):
    _review_with_child(coordinator, areas[0], **near_miss)
    assert matches_for(notify_death(nhs_number="")) == []


def test_open_notifications_in_the_queue_are_matched_too(areas):
    first = notify_death()
    by_name = notify_death(nhs_number="", notifier_email="school@example.org")
    by_number = notify_death(child_name="Poppy Lindqvist", notifier_email="gp@example.org")
    found = {match.intake_reference: match.strength for match in matches_for(by_number)}
    assert found == {first.reference: STRONG}
    found = {match.intake_reference: match.strength for match in matches_for(by_name)}
    assert found == {first.reference: LIKELY}


def test_another_partnerships_data_never_matches_by_name(areas, outsider):
    _review_with_child(outsider, areas[1])  # Southmere holds the same child by name, no NHS number
    assert matches_for(notify_death(nhs_number="")) == []


def test_across_partnerships_only_the_contact_comes_back(areas, coordinator, outsider):
    here = notify_death()
    there = notify_death(postcode="SM1 2AB", child_name="P Lindqvist", notifier_email="ed@southmere.example.org")
    [elsewhere] = elsewhere_for(here)
    assert elsewhere.partnership == "Southmere Safeguarding Children Partnership"
    assert (elsewhere.email, elsewhere.phone) == ("cdop@southmere.example.org", "")
    assert set(vars(elsewhere)) == {"partnership", "email", "phone"}
    # And the other way round, with Northbridge's contact.
    [back] = elsewhere_for(there)
    assert (back.partnership, back.email, back.phone) == (
        "Northbridge Safeguarding Children Partnership",
        "cdop@northbridge.example.org",
        "01632 960 000",
    )
    # Matched on the keyed hash, not the number: a name alone never crosses.
    assert matches_for(here) == []  # the Southmere item is not in Northbridge's matches
    no_number = notify_death(nhs_number="", notifier_email="x@example.org")
    assert elsewhere_for(no_number) == []


def test_the_hash_is_keyed(settings):
    plain = nhs_number_hash("9434765919")
    assert plain and plain != nhs_number_hash("9434765900")
    settings.INTAKE_MATCH_KEY = "another-key-that-is-long-enough-0123456789"
    assert nhs_number_hash("9434765919") != plain
    assert IntakeItem._meta.get_field("nhs_number_hash").max_length == 64
