"""Adding a subject through its form: with an identity kept apart, and bad input refused field by field."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from reviews.models import SubjectIdentity
from tests.reviews.pages import date_parts


def test_adding_a_subject_with_identity(client, review, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:subject_add", args=[review.reference]),
        {"pseudonym": "Sibling D", "sex": "male", "full_name": "Sam Example", "nhs_number": "9434765919"},
        follow=True,
    )
    assert "Sibling D added." in response.content.decode()
    subject = review.subjects.get(pseudonym="Sibling D")
    assert subject.identity.full_name == "Sam Example"


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        ({"pseudonym": "Sibling D", "nhs_number": "1234567890"}, "This is not a valid NHS number", "nhs_number"),
        (
            {
                "pseudonym": "Sibling D",
                **date_parts("date_of_birth", date(2024, 5, 1)),
                **date_parts("date_of_death_or_incident", date(2024, 4, 1)),
            },
            "cannot be before the date of birth",
            "date_of_death_or_incident",
        ),
        ({"pseudonym": "child a"}, "is already a subject of this review", "pseudonym"),
        ({"pseudonym": ""}, "Enter a pseudonym, for example Child A", "pseudonym"),
    ],
)
def test_bad_subjects_get_field_errors(client, review, coordinator, data, message, field):
    client.force_login(coordinator)
    response = client.post(reverse("reviews:subject_add", args=[review.reference]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}-error"' in html
    assert review.subjects.count() == 1
    assert not SubjectIdentity.objects.exists()
