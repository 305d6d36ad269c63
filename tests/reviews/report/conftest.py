"""The fixture review at findings with its findings signed off (version 1, one police
recommendation), and the overview report's version 1 drafted by the chair: an introduction of the
chair's own text, the findings and the recommendations, both linked."""

from __future__ import annotations

import pytest

from reviews.models import Recommendation, ReportVersion, Review
from reviews.services.report import SectionData, report_section_save, report_version_new
from tests.reviews.builders import signed_with_recommendation

INTRODUCTION = "This review looked at the help given to Child A and their family."


@pytest.fixture
def signed(drafting, coordinator, chair, police) -> Review:
    signed_with_recommendation(drafting, coordinator, chair, police)
    return drafting


@pytest.fixture
def recommendation(signed) -> Recommendation:
    return Recommendation.objects.get(findings__review=signed)


@pytest.fixture
def drafted(signed, chair) -> ReportVersion:
    version = report_version_new(actor=chair, review_id=signed.pk)
    for data in (
        SectionData(heading="Introduction", body=INTRODUCTION),
        SectionData(heading="What the review found", kind="findings"),
        SectionData(heading="Recommendations", kind="recommendations"),
    ):
        report_section_save(actor=chair, review_id=signed.pk, number=version.number, data=data)
    return version
