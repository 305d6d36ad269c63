"""Subjects and their identities: constraints in the database and the NHS number check."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reviews.models import Subject, SubjectIdentity
from reviews.models.subjects import validate_nhs_number


def test_the_database_refuses_a_death_before_birth(review):
    with pytest.raises(IntegrityError, match="subject_incident_not_before_birth"), transaction.atomic():
        Subject.objects.create(
            review=review,
            pseudonym="Child B",
            date_of_birth=date(2024, 5, 1),
            date_of_death_or_incident=date(2024, 4, 1),
        )
    assert not Subject.objects.filter(pseudonym="Child B").exists()


def test_the_database_refuses_a_pseudonym_twice_on_one_review(review):
    with (
        pytest.raises(IntegrityError, match="subject_unique_pseudonym|UNIQUE constraint failed: reviews_subject"),
        transaction.atomic(),
    ):
        Subject.objects.create(review=review, pseudonym="Child A")


def test_the_model_explains_a_death_before_birth():
    subject = Subject(pseudonym="Child B", date_of_birth=date(2024, 5, 1), date_of_death_or_incident=date(2024, 4, 1))
    with pytest.raises(ValidationError) as error:
        subject.clean()
    assert error.value.message_dict == {
        "date_of_death_or_incident": ["The date of death or incident cannot be before the date of birth."]
    }


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "943-476-5919", "4010232137"])
def test_valid_nhs_numbers_pass(value):
    validate_nhs_number(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1234567890", "check digit does not match"),
        ("9434765918", "check digit does not match"),
        ("943476591", "An NHS number is 10 digits"),
        ("94347659190", "An NHS number is 10 digits"),
        ("ABCDEFGHIJ", "An NHS number is 10 digits"),
    ],
)
def test_invalid_nhs_numbers_are_refused_with_the_reason(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_nhs_number(value)


def test_an_identity_is_stored_with_digits_only(review):
    identity = SubjectIdentity.objects.create(subject=review.subjects.get(), nhs_number="943 476 5919")
    assert SubjectIdentity.objects.get(pk=identity.pk).nhs_number == "9434765919"
