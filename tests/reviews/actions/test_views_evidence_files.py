"""Evidence files on actions: only the owning agency's lead attaches, only allowed types and sizes,
and only those who may see the action can download (through the checked view, never a URL)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.models import ActionEvidenceFile
from reviews.services.review import review_advance
from tests.reviews.builders import add_action, signed_with_recommendation
from workflows.models import AuditEvent

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def action(drafting, coordinator, chair, police):
    recommendation = signed_with_recommendation(drafting, coordinator, chair, police)
    review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    return add_action(recommendation, coordinator)


def upload_url(action) -> str:
    return reverse("reviews:action_evidence_upload", args=[action.review.reference, action.pk])


def upload(client, user, action, name: str, content: bytes):
    client.force_login(user)
    return client.post(upload_url(action), {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_owner_lead_attaches_a_pdf_and_the_coordinator_downloads_it(client, action, police_lead, coordinator):
    response = upload(client, police_lead, action, "training-register.pdf", PDF)
    assert "training-register.pdf is attached as evidence." in response.content.decode()
    attached = ActionEvidenceFile.objects.get()
    assert attached.content_type == "application/pdf"
    assert "training-register" not in attached.file.name  # stored under a random name

    client.force_login(coordinator)
    page = client.get(reverse("reviews:action", args=[action.review.reference, action.pk])).content.decode()
    assert "training-register.pdf" in page
    download = client.get(
        reverse("reviews:action_evidence_download", args=[action.review.reference, action.pk, attached.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert 'attachment; filename="training-register.pdf"' in download["Content-Disposition"]
    assert AuditEvent.objects.filter(verb="access.evidence_file", actor=coordinator).count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run-me.exe", b"MZ\x90\x00", "Attach a PDF, Word, Excel, PNG, JPEG, text or CSV file."),
        ("report.pdf", b"MZ\x90\x00 not a pdf", "report.pdf is named .pdf but its content is not."),
        ("notes.txt", b"\x00\x01\x02binary", "notes.txt is named .txt but is not text."),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_wrong_files_are_refused_with_a_reason_and_nothing_is_kept(client, action, police_lead, name, content, message):
    response = upload(client, police_lead, action, name, content)
    assert message in response.content.decode()
    assert not ActionEvidenceFile.objects.exists()


def test_oversize_file_is_refused(client, action, police_lead, settings):
    settings.ACTION_EVIDENCE_MAX_BYTES = 1024
    response = upload(client, police_lead, action, "big.pdf", PDF + b"0" * 2048)
    assert "the most allowed is" in response.content.decode()
    assert not ActionEvidenceFile.objects.exists()


def test_coordinator_and_other_agency_cannot_attach(client, action, coordinator, gp_lead):
    assert upload(client, coordinator, action, "a.pdf", PDF).status_code == 403
    client.force_login(gp_lead)
    assert client.post(upload_url(action), {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert not ActionEvidenceFile.objects.exists()


def test_download_is_404_for_other_agency_and_outsider(client, action, police_lead, gp_lead, outsider):
    upload(client, police_lead, action, "register.pdf", PDF)
    url = reverse(
        "reviews:action_evidence_download",
        args=[action.review.reference, action.pk, ActionEvidenceFile.objects.get().pk],
    )
    for user in (gp_lead, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_a_refused_attachment_leaves_no_file_on_disk(client, action, police_lead, coordinator, settings):
    from reviews.services.actions import action_advance

    upload(client, police_lead, action, "first.pdf", PDF)
    action_advance(actor=police_lead, action_id=action.pk, transition="complete", evidence="Training done")
    response = upload(client, police_lead, action, "second.pdf", PDF)
    assert "evidence can no longer be added" in response.content.decode()
    assert ActionEvidenceFile.objects.count() == 1
    stored = [p for p in (settings.MEDIA_ROOT / "action-evidence").rglob("*") if p.is_file()]
    assert len(stored) == 1
