"""What publication prints: the final version of the overview report, as a PDF with pseudonyms
only, refused while the report has no final version or holds an identity the chair has not
overridden (reviews/selectors/leaks.py)."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.models import Publication, Review
from reviews.models.notices import NoticeKind
from reviews.selectors.leaks import unresolved_hits
from reviews.selectors.report import final_report_texts
from reviews.services.leaks import leak_override
from reviews.services.notices import NoticeData, notice_record
from reviews.services.publication import PublicationData, publication_record
from tests.reviews.publication.conftest import IDENTITY_STRINGS, final_report

FULL = PublicationData(
    decision="full",
    publish_on=date(2027, 1, 6),
    family_told_on=date(2026, 12, 21),
    public_url="https://northbridge.example.org/reviews/child-f",
)


def with_advance_copy(review: Review, actor, today) -> None:
    today.set(date(2026, 12, 23))
    notice_record(
        actor=actor, review_id=review.pk, kind=NoticeKind.ADVANCE_COPY, data=NoticeData(sent_on=date(2026, 12, 23))
    )


def pdf_text(path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_published_pdf_is_the_final_version_with_no_identity(cspr, coordinator, today, documents_storage):
    with_advance_copy(cspr, coordinator, today)
    publication = publication_record(actor=coordinator, review_id=cspr.pk, data=FULL)
    stored = documents_storage / publication.pdf_name
    assert stored.exists() and "Child F" not in publication.pdf_name  # a random name
    text = pdf_text(stored)
    assert "Child F was known to four agencies." in text
    assert "Agencies did not share what they knew." in text  # the linked, signed findings
    for identity in IDENTITY_STRINGS:
        assert identity.lower() not in text.lower()
    assert publication.report_version.number == 1


def test_without_a_final_version_nothing_is_published(cspr_unreported, coordinator, today, documents_storage):
    with_advance_copy(cspr_unreported, coordinator, today)
    with pytest.raises(ValidationError) as refused:
        publication_record(actor=coordinator, review_id=cspr_unreported.pk, data=FULL)
    assert refused.value.message_dict["decision"] == [
        "Mark a version of the overview report final first: publication prints the final version."
    ]
    assert not Publication.objects.exists()
    assert list(documents_storage.iterdir()) == []


def test_an_identity_in_the_final_report_blocks_publication_until_the_chair_overrides(
    cspr_unreported, coordinator, chair, today, documents_storage
):
    final_report(cspr_unreported, chair, body="Rosalind was seen at\nNB5 3XY by the health visitor.")
    with_advance_copy(cspr_unreported, coordinator, today)
    hits = unresolved_hits(cspr_unreported, final_report_texts(cspr_unreported))
    assert sorted(hit.what for hit in hits) == ["first name", "postcode"]
    with pytest.raises(ValidationError) as refused:
        publication_record(actor=coordinator, review_id=cspr_unreported.pk, data=FULL)
    assert refused.value.message_dict["decision"] == [
        f"2 identities found in the outgoing texts of {cspr_unreported} are not overridden: write the pseudonym, "
        "or ask the chair to override (Identities in outgoing texts)."
    ]
    assert not Publication.objects.exists() and list(documents_storage.iterdir()) == []

    for hit in hits:
        leak_override(
            actor=chair,
            review_id=cspr_unreported.pk,
            fingerprint=hit.fingerprint,
            reason="Agreed with the family: the name and area are already public through the inquest.",
        )
    assert publication_record(actor=coordinator, review_id=cspr_unreported.pk, data=FULL).state == "scheduled"


def test_the_pdf_is_an_attachment_for_the_review_but_not_agency_leads(
    client, cspr, coordinator, chair, scrutineer, police_lead, outsider, today, documents_storage
):
    url = reverse("reviews:publication_pdf", args=[cspr.reference])
    client.force_login(coordinator)
    assert client.get(url).status_code == 404  # nothing published yet
    with_advance_copy(cspr, coordinator, today)
    publication_record(actor=coordinator, review_id=cspr.pk, data=FULL)
    for user, status in ((coordinator, 200), (chair, 200), (scrutineer, 200), (police_lead, 403), (outsider, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Disposition"].startswith("attachment")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "no-store" in response["Cache-Control"]
            assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_identity_in_the_title_is_overridden_once_for_the_papers_and_the_publication(
    cspr, coordinator, chair, today, documents_storage
):
    """The title goes out with the panel papers and the published report: the chair's one override,
    made on the leaks page, lets both go."""
    Review.objects.filter(pk=cspr.pk).update(title="Rosalind (aged 6)")
    cspr.refresh_from_db()
    with_advance_copy(cspr, coordinator, today)
    with pytest.raises(ValidationError):
        publication_record(actor=coordinator, review_id=cspr.pk, data=FULL)
    (hit,) = [hit for hit in unresolved_hits(cspr) if "title" in hit.source]
    leak_override(actor=chair, review_id=cspr.pk, fingerprint=hit.fingerprint, reason="The family chose the title.")
    assert publication_record(actor=coordinator, review_id=cspr.pk, data=FULL).state == "scheduled"
