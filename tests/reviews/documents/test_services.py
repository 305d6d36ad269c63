"""Uploading documents: refused by content whatever the name (nothing stored), a version uploaded
twice recognised, a new version superseding the last and keeping it, random storage names, and the
virus-scan hook."""

from __future__ import annotations

import re
import socket

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reviews.models import Document, DocumentKind, DocumentVersion
from reviews.services.documents import DocumentData, document_add_version, document_upload
from reviews.services.review import review_advance
from tests.reviews.documents.conftest import docx, pdf, stored_files
from workflows.models import AuditEvent
from workflows.runner import TransitionRefused

TERMS = DocumentData(kind=DocumentKind.TERMS_OF_REFERENCE, title="Terms of reference")


def upload(review, coordinator, file, data=TERMS):
    return document_upload(actor=coordinator, review_id=review.pk, data=data, upload=file)


def refused(review, coordinator, file) -> str:
    with pytest.raises(ValidationError) as caught:
        upload(review, coordinator, file)
    return caught.value.message_dict["file"][0]


# A Windows program starts "MZ"; filetype reads its PE header.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("report.pdf", EXE, "is a Windows program (executable)"),
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "is a web page (HTML)"),
        (
            "chart.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
            "is an SVG image",
        ),
        ("notes.pdf", b"Just some notes typed into a text file.\n", "is plain text"),
    ],
)
def test_a_file_is_refused_by_its_content_whatever_its_name_and_nothing_is_stored(
    review, coordinator, store, name, content, what
):
    message = refused(review, coordinator, SimpleUploadedFile(name, content, content_type="application/pdf"))

    assert message.startswith(f"{name} {what}")
    assert "not a PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT or ODS), PNG or JPEG file" in message
    assert (Document.objects.count(), DocumentVersion.objects.count()) == (0, 0)
    assert stored_files(store) == []
    assert not AuditEvent.objects.filter(verb="document.uploaded").exists()


def test_a_file_over_the_limit_is_refused_naming_its_size_and_the_limit(review, coordinator, store, settings):
    settings.DOCUMENT_MAX_BYTES = 2 * 1_048_576  # 2,097,152 bytes
    big = pdf("big.pdf", b"x" * (2 * 1_048_576))  # 9 + 2,097,152 + 7 = 2,097,168 bytes

    message = refused(review, coordinator, big)

    assert message == ("big.pdf is 2,097,168 bytes (2.0 MB): a document may be at most 2,097,152 bytes (2.0 MB).")
    assert Document.objects.count() == 0 and stored_files(store) == []


def test_the_default_limit_is_20_mb_and_the_request_body_allows_it(settings):
    from django.conf import settings as live

    assert live.DOCUMENT_MAX_BYTES == 20 * 1024 * 1024
    # An accepted document stays in memory (never a temporary file) like every other upload.
    assert live.FILE_UPLOAD_MAX_MEMORY_SIZE >= live.DOCUMENT_MAX_BYTES


def test_allowed_types_are_stored_with_the_type_read_from_the_content(review, coordinator, store):
    document = upload(review, coordinator, docx("minutes.pdf"))  # a Word document wrongly named .pdf

    version = document.versions.get()
    assert version.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert version.original_name == "minutes.pdf"


def test_the_file_is_stored_under_a_random_name_in_the_documents_storage(review, coordinator, store):
    document = upload(review, coordinator, pdf("Child A post-mortem.pdf"))

    version = document.versions.get()
    assert re.fullmatch(rf"{review.pk}/[0-9a-f]{{32}}", version.blob)
    assert stored_files(store) == [store / version.blob]
    assert (store / version.blob).read_bytes().startswith(b"%PDF-1.7")
    assert version.original_name == "Child A post-mortem.pdf"  # kept as data only
    assert "post-mortem" not in version.blob


def test_a_new_version_supersedes_the_last_and_keeps_it(review, coordinator, store):
    document = upload(review, coordinator, pdf("terms-v1.pdf", b"first"))
    second = document_add_version(actor=coordinator, document_id=document.pk, upload=pdf("terms-v2.pdf", b"second"))

    versions = list(document.versions.order_by("number"))
    assert [(v.number, v.original_name) for v in versions] == [(1, "terms-v1.pdf"), (2, "terms-v2.pdf")]
    assert second.number == 2
    assert [(store / v.blob).read_bytes() for v in versions] == [
        b"%PDF-1.7\nfirst\n%%EOF\n",
        b"%PDF-1.7\nsecond\n%%EOF\n",
    ]
    assert AuditEvent.objects.filter(verb="document.version_added", detail__supersedes=1).count() == 1


def test_the_same_file_again_is_recognised_naming_the_earlier_version(review, coordinator, store):
    document = upload(review, coordinator, pdf("terms-v1.pdf", b"first"))
    document_add_version(actor=coordinator, document_id=document.pk, upload=pdf("terms-v2.pdf", b"second"))
    before = stored_files(store)

    # The first version's content again, under another name.
    with pytest.raises(ValidationError) as caught:
        document_add_version(actor=coordinator, document_id=document.pk, upload=pdf("terms-final.pdf", b"first"))

    first = document.versions.get(number=1)
    uploaded = f"{timezone.localtime(first.uploaded_at):%-d %B %Y}"  # e.g. "1 December 2026"
    assert caught.value.message_dict["file"] == [
        f"This file is the same as version 1 of Terms of reference (terms-v1.pdf, uploaded on {uploaded}): "
        "nothing was added."
    ]
    assert document.versions.count() == 2
    assert stored_files(store) == before


def test_an_agency_lead_uploads_only_their_own_agencys_records(review, police_lead, police, gp, store):
    with pytest.raises(ValidationError) as caught:
        upload(review, police_lead, pdf(), TERMS)
    assert caught.value.message_dict["kind"] == [
        "As an agency lead you can upload your own agency's records only: choose Agency records."
    ]
    with pytest.raises(ValidationError) as caught:
        upload(review, police_lead, pdf(), DocumentData(kind=DocumentKind.AGENCY_RECORDS, title="GP notes", agency=gp))
    assert caught.value.message_dict["agency"] == [
        f"You do not lead GP on {review}: you can upload your own agency's records only."
    ]
    assert Document.objects.count() == 0 and stored_files(store) == []

    own = upload(
        review, police_lead, pdf(), DocumentData(kind=DocumentKind.AGENCY_RECORDS, title="Police log", agency=police)
    )
    # Readable by the coordinator, the chair and the police lead: the strictest, plus the uploader's agency.
    assert (own.chair_may_read, own.panel_may_read, own.scrutineers_may_read) == (True, False, False)
    assert list(own.reader_agencies.all()) == [police]


@pytest.mark.parametrize("role", ["chair", "panel_member", "scrutineer"])
def test_roles_that_do_not_upload_are_refused(review, request, store, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        upload(review, user, pdf())
    assert stored_files(store) == []


# --- the virus-scan hook -----------------------------------------------------------------------------


def test_with_clamd_set_a_clean_file_is_streamed_to_it_and_stored(review, coordinator, store, clamd_clean):
    file = pdf("clean.pdf", b"y" * 200_000)  # more than one 64 KB chunk

    upload(review, coordinator, file)

    assert clamd_clean.commands == [b"zINSTREAM\0"]
    assert clamd_clean.received == [b"%PDF-1.7\n" + b"y" * 200_000 + b"\n%%EOF\n"]
    assert len(stored_files(store)) == 1


def test_an_infected_file_is_refused_naming_the_signature_and_nothing_is_stored(
    review, coordinator, store, clamd_infected
):
    message = refused(review, coordinator, pdf("eicar.pdf"))

    assert message == "eicar.pdf was not stored: the virus scanner found Eicar-Test-Signature in it."
    assert Document.objects.count() == 0 and stored_files(store) == []


def test_an_unreachable_scanner_refuses_the_upload(review, coordinator, store, settings):
    # A port nobody listens on: bound and closed again.
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    settings.CLAMAV_ADDRESS = f"127.0.0.1:{port}"

    message = refused(review, coordinator, pdf("report.pdf"))

    assert message.startswith(f"report.pdf was not stored: the virus scanner at 127.0.0.1:{port} could not be reached")
    assert message.endswith(
        "Documents cannot be uploaded until the scanner answers: try again later, or tell the service's administrator."
    )
    assert Document.objects.count() == 0 and stored_files(store) == []


def test_a_withdrawn_reviews_documents_stand_as_they_were(review, coordinator, store):
    """Nothing is added to, or changed on, a review that is no longer open; nothing is stored."""
    document = document_upload(
        actor=coordinator, review_id=review.pk, data=DocumentData(kind="terms_of_reference", title="ToR"), upload=pdf()
    )
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="Not proceeding")
    before = stored_files(store)
    with pytest.raises(TransitionRefused, match=r"withdrawn \(not proceeding\): no document can be added or changed"):
        document_upload(
            actor=coordinator, review_id=review.pk, data=DocumentData(kind="other", title="Late"), upload=docx()
        )
    with pytest.raises(TransitionRefused, match="is withdrawn"):
        document_add_version(actor=coordinator, document_id=document.pk, upload=pdf(body=b"second"))
    assert (Document.objects.count(), DocumentVersion.objects.count()) == (1, 1)
    assert stored_files(store) == before
