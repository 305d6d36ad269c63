"""A review whose subjects and restricted names are known, for the identity-leak check.

The review fixture's Child A (born 5 January 2024, no identity recorded) and Child K, with every
kind of identity; the setting (Nursery Z) and an alleged perpetrator (K) with their real names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from reviews.selectors import leaks
from reviews.services.subjects import SubjectData, restricted_name_add, subject_add

FULL_NAME = "Oliver Bramwell-Tate"
NHS_NUMBER = "943 476 5919"
ADDRESS = "Flat 3, 27 Tanners Yard\nMillbrook, Northbridge NB7 5LD"
SETTING = "Little Acorns Day Nursery"
PERPETRATOR = "Kevin Marsh"


@pytest.fixture
def identified(review, coordinator):
    subject_add(
        actor=coordinator,
        review_id=review.pk,
        data=SubjectData(
            pseudonym="Child K",
            date_of_birth=date(2023, 11, 21),
            full_name=FULL_NAME,
            nhs_number=NHS_NUMBER,
            address=ADDRESS,
        ),
    )
    restricted_name_add(
        actor=coordinator, review_id=review.pk, pseudonym="Nursery Z", real_name=SETTING, what="setting"
    )
    restricted_name_add(
        actor=coordinator, review_id=review.pk, pseudonym="K", real_name=PERPETRATOR, what="perpetrator"
    )
    return review


@pytest.fixture
def report_texts() -> Iterator[dict[str, str]]:
    """Texts a registered reader hands the check as the review's report (as the report versions
    will be registered): the test fills them in."""
    texts: dict[str, str] = {}

    def report(review):
        return dict(texts)

    leaks.register_outgoing(report)
    try:
        yield texts
    finally:
        leaks._REGISTERED.remove(report)
