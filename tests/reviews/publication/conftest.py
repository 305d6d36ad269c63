"""A CSPR ready to publish but for the advance copy: findings signed off, an overview report whose
version 1 is final, and a subject whose restricted identity the published PDF must never carry."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.models import Review, ReviewKind, ReviewState, Role
from reviews.services.report import SectionData, report_section_save, report_version_finalise, report_version_new
from reviews.services.subjects import SubjectData
from tests.factories import advance_to, make_review

FULL_NAME = "Rosalind Pemberton-Quayle"
NHS_NUMBER = "9434765919"
POSTCODE = "NB5 3XY"
IDENTITY_STRINGS = (FULL_NAME, "Rosalind", "Pemberton-Quayle", NHS_NUMBER, "943 476 5919", POSTCODE)


def final_report(review: Review, chair, body: str = "Child F was known to four agencies.") -> None:
    report_version_new(actor=chair, review_id=review.pk)
    report_section_save(actor=chair, review_id=review.pk, number=1, data=SectionData(heading="Background", body=body))
    report_section_save(
        actor=chair, review_id=review.pk, number=1, data=SectionData(heading="Findings", kind="findings")
    )
    report_version_finalise(actor=chair, review_id=review.pk, number=1)


@pytest.fixture
def documents_storage(settings, tmp_path):
    """The documents storage in a temporary folder (the published PDF is kept there)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def cspr_unreported(partnership, coordinator, chair, scrutineer, police_lead, police, today, documents_storage):
    """Findings signed off (advance_to) on Thu 10 December 2026; no overview report yet."""
    today.set(date(2026, 12, 10))
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CSPR,
        title="Child F (aged 6)",
        key_dates={"became_aware_on": date(2026, 5, 11), "decision_on": date(2026, 6, 1)},
        subject=SubjectData(
            pseudonym="Child F",
            date_of_birth=date(2020, 2, 14),
            full_name=FULL_NAME,
            nhs_number=NHS_NUMBER,
            address=f"3 Quarry Lane\nNorthbridge {POSTCODE}",
        ),
        roles=[(chair, Role.CHAIR, None), (scrutineer, Role.SCRUTINEER, None), (police_lead, Role.AGENCY_LEAD, police)],
    )
    return advance_to(review, ReviewState.ACTION_TRACKING, coordinator)


@pytest.fixture
def cspr(cspr_unreported, chair) -> Review:
    final_report(cspr_unreported, chair)
    return cspr_unreported
