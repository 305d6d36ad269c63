"""Adding subjects: pseudonyms everywhere, identity apart, bad input refused with nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviews.models import Subject, SubjectIdentity
from reviews.services.subjects import SubjectData, subject_add
from workflows.models import AuditEvent


def counts() -> tuple[int, int, int]:
    return Subject.objects.count(), SubjectIdentity.objects.count(), AuditEvent.objects.count()


def add(review, actor, **data):
    data.setdefault("pseudonym", "Child B")
    return subject_add(actor=actor, review_id=review.pk, data=SubjectData(**data))


def test_a_subject_with_a_valid_nhs_number_written_with_spaces(review, coordinator):
    subject = add(review, coordinator, full_name="Bobby Example", nhs_number="943 476 5919", sex="male")

    identity = SubjectIdentity.objects.get(subject=subject)
    assert identity.nhs_number == "9434765919"
    assert identity.full_name == "Bobby Example"
    event = AuditEvent.objects.get(verb="subject.added")
    # The audit trail names the pseudonym only, never the real name.
    assert event.detail == {"pseudonym": "Child B"}
    assert "Bobby" not in str(event.detail)


def test_an_nhs_number_written_with_hyphens_is_stored_as_digits(review, coordinator):
    subject = add(review, coordinator, nhs_number="943-476-5919")
    assert SubjectIdentity.objects.get(subject=subject).nhs_number == "9434765919"


def test_a_subject_without_identifying_details_has_no_identity_row(review, coordinator):
    subject = add(review, coordinator)
    assert not SubjectIdentity.objects.filter(subject=subject).exists()


@pytest.mark.parametrize(
    ("nhs_number", "message"),
    [
        ("1234567890", "This is not a valid NHS number: its check digit does not match."),
        ("943 476 5918", "This is not a valid NHS number: its check digit does not match."),
        ("94347659", "An NHS number is 10 digits, e.g. 943 476 5919."),
        ("943 476 591X", "An NHS number is 10 digits, e.g. 943 476 5919."),
    ],
)
def test_an_invalid_nhs_number_is_refused_and_nothing_saved(nhs_number, message, review, coordinator):
    before = counts()
    with pytest.raises(ValidationError) as error:
        add(review, coordinator, full_name="Bobby Example", nhs_number=nhs_number)
    assert error.value.message_dict == {"nhs_number": [message]}
    assert counts() == before


def test_a_death_before_birth_is_refused_and_nothing_saved(review, coordinator):
    before = counts()
    with pytest.raises(ValidationError) as error:
        add(review, coordinator, date_of_birth=date(2024, 5, 1), date_of_death_or_incident=date(2024, 4, 30))
    assert error.value.message_dict == {
        "date_of_death_or_incident": ["The date of death or incident cannot be before the date of birth."]
    }
    assert counts() == before


def test_a_death_on_the_day_of_birth_is_accepted(review, coordinator):
    subject = add(review, coordinator, date_of_birth=date(2024, 5, 1), date_of_death_or_incident=date(2024, 5, 1))
    assert subject.pk


@pytest.mark.parametrize("field", ["date_of_birth", "date_of_death_or_incident"])
def test_a_future_date_is_refused(field, review, coordinator):
    before = counts()
    with pytest.raises(ValidationError) as error:
        add(review, coordinator, **{field: timezone.localdate() + timedelta(days=1)})
    assert error.value.message_dict == {field: ["This date is in the future."]}
    assert counts() == before


def test_the_same_pseudonym_twice_on_one_review_is_refused(review, coordinator):
    before = counts()
    with pytest.raises(ValidationError) as error:
        add(review, coordinator, pseudonym="child a")
    assert error.value.message_dict == {"pseudonym": ["child a is already a subject of this review."]}
    assert counts() == before


def test_every_mistake_is_reported_at_once(review, coordinator):
    with pytest.raises(ValidationError) as error:
        add(
            review,
            coordinator,
            date_of_birth=date(2024, 5, 1),
            date_of_death_or_incident=date(2024, 4, 30),
            nhs_number="1234567890",
        )
    assert set(error.value.message_dict) == {"date_of_death_or_incident", "nhs_number"}


@pytest.mark.parametrize("who", ["chair", "police_lead", "scrutineer", "outsider"])
def test_only_the_review_s_coordinator_adds_subjects(who, review, request):
    before = counts()
    with pytest.raises(PermissionDenied):
        add(review, request.getfixturevalue(who))
    assert counts() == before
