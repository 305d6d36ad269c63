"""The documents pages: who sees which document (per role and agency), downloads as attachments
(headers, one access-log row each), the list's constant query count, the upload form."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as live_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews.models import Document, DocumentKind
from reviews.services.documents import DocumentData, Readers, document_set_readers, document_upload
from tests.reviews.documents.conftest import pdf, stored_files
from workflows.models import AuditEvent


def police_only(review, coordinator, police) -> Document:
    """Police records opened to the police's lead only (the chair taken off): the focused case."""
    document = document_upload(
        actor=coordinator,
        review_id=review.pk,
        data=DocumentData(kind=DocumentKind.AGENCY_RECORDS, title="Custody records", agency=police),
        upload=pdf("custody.pdf"),
    )
    return document_set_readers(
        actor=coordinator,
        document_id=document.pk,
        readers=Readers(chair=False, panel=False, scrutineers=False, agencies=[police]),
    )


def page(review, document) -> str:
    return reverse("reviews:document", args=[review.reference, document.pk])


def download(review, document, number=1) -> str:
    return reverse("reviews:document_download", args=[review.reference, document.pk, number])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("police_lead", 200),
        # Holds a role on the review, but the document is not opened to them: it does not exist for them.
        ("gp_lead", 404),
        ("chair", 404),
        ("panel_member", 404),
        ("scrutineer", 404),
        ("outsider", 404),
    ],
)
def test_a_document_opened_to_the_police_lead_only(client, review, coordinator, police, store, request, role, status):
    document = police_only(review, coordinator, police)
    client.force_login(request.getfixturevalue(role))

    assert client.get(page(review, document)).status_code == status
    assert client.get(download(review, document)).status_code == status
    listed = client.get(reverse("reviews:documents", args=[review.reference]))
    if role == "outsider":
        assert listed.status_code == 404
    else:
        assert ("Custody records" in listed.content.decode()) is (status == 200)


def test_the_police_lead_may_read_but_not_choose_the_readers(client, review, coordinator, police, police_lead, store):
    document = police_only(review, coordinator, police)
    client.force_login(police_lead)

    response = client.post(
        reverse("reviews:document_readers", args=[review.reference, document.pk]), {"chair": "on", "panel": "on"}
    )

    assert response.status_code == 403
    assert f"You need the review coordinator's role on {review} to choose who may read a document." in html.unescape(
        response.content.decode()
    )
    document.refresh_from_db()
    assert (document.chair_may_read, document.panel_may_read) == (False, False)


def test_the_coordinator_opens_a_document_to_scrutineers(client, review, coordinator, scrutineer, police, store):
    document = police_only(review, coordinator, police)
    client.force_login(coordinator)

    response = client.post(
        reverse("reviews:document_readers", args=[review.reference, document.pk]),
        {"scrutineers": "on", "agencies": [str(police.pk)]},
    )

    assert response.status_code == 302
    client.force_login(scrutineer)
    assert client.get(page(review, document)).status_code == 200
    event = AuditEvent.objects.get(verb="document.readers_set", detail__after__scrutineers=True)
    assert event.detail["before"]["scrutineers"] is False


def test_a_download_is_an_attachment_with_safe_headers_and_one_log_row(client, review, coordinator, store):
    document = document_upload(
        actor=coordinator,
        review_id=review.pk,
        data=DocumentData(kind=DocumentKind.MINUTES, title="Minutes"),
        upload=pdf('Minutes "draft" <1>.html', b"minutes"),  # a PDF named .html
    )
    client.force_login(coordinator)
    before = AuditEvent.objects.filter(verb="access.document_download").count()

    response = client.get(download(review, document))
    body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert body == b"%PDF-1.7\nminutes\n%%EOF\n"
    assert response["Content-Type"] == "application/pdf"
    # Quotes and angle brackets replaced; the extension is the one the content really has.
    assert response["Content-Disposition"] == 'attachment; filename="Minutes _draft_ _1_.html.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    rows = AuditEvent.objects.filter(verb="access.document_download")
    assert rows.count() == before + 1
    assert rows.latest("id").detail == {
        "page": download(review, document),
        "document": document.pk,
        "version": 1,
    }
    client.get(download(review, document))
    assert rows.count() == before + 2  # one row per download


def test_a_refused_download_writes_no_log_row(client, review, coordinator, gp_lead, police, store):
    document = police_only(review, coordinator, police)
    client.force_login(gp_lead)
    assert client.get(download(review, document)).status_code == 404
    assert not AuditEvent.objects.filter(verb="access.document_download").exists()


def test_the_document_page_shows_every_version_and_is_logged(client, review, coordinator, store):
    from reviews.services.documents import document_add_version

    document = document_upload(
        actor=coordinator,
        review_id=review.pk,
        data=DocumentData(kind="draft_report", title="Draft report"),
        upload=pdf(),
    )
    document_add_version(actor=coordinator, document_id=document.pk, upload=pdf("v2.pdf", b"two"))
    client.force_login(coordinator)

    html = client.get(page(review, document)).content.decode()

    assert 'id="version-2"' in html and 'id="version-1"' in html
    assert "Superseded" in html.split('id="version-1"')[1].split("</tr>")[0]
    assert download(review, document, 1) in html and download(review, document, 2) in html
    assert AuditEvent.objects.filter(verb="access.document", detail__document=document.pk).count() == 1


def _many(review, coordinator, count):
    for number in range(count):
        document_upload(
            actor=coordinator,
            review_id=review.pk,
            data=DocumentData(kind=DocumentKind.OTHER, title=f"Paper {number}"),
            upload=pdf(f"paper-{number}.pdf", str(number).encode()),
        )


@pytest.mark.parametrize("role", ["coordinator", "chair", "police_lead"])
def test_the_list_costs_the_same_queries_for_3_or_30_documents(
    client, review, coordinator, store, request, role, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(role))
    url = reverse("reviews:documents", args=[review.reference])
    _many(review, coordinator, 3)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    _many(review, coordinator, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    if role != "police_lead":
        assert "30 documents" in html


def test_the_upload_form_keeps_what_was_typed_and_names_the_refused_file(client, review, coordinator, store):
    client.force_login(coordinator)
    form = client.get(reverse("reviews:document_upload", args=[review.reference]))
    token = form.context["form"]["submission"].value()

    response = client.post(
        reverse("reviews:document_upload", args=[review.reference]),
        {
            "submission": token,
            "kind": "panel_papers",
            "title": "Panel pack",
            "file": SimpleUploadedFile("pack.pdf", b"hi"),
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "pack.pdf is plain text, not a PDF" in html
    assert 'value="Panel pack"' in html and '<option value="panel_papers" selected>' in html
    assert Document.objects.count() == 0 and stored_files(store) == []

    done = client.post(
        reverse("reviews:document_upload", args=[review.reference]),
        {"submission": token, "kind": "panel_papers", "title": "Panel pack", "file": pdf("pack.pdf")},
    )
    document = Document.objects.get()
    assert done.status_code == 302 and done["Location"] == page(review, document)


def test_the_documents_storage_switches_to_s3_by_environment():
    """No code changes: DOCUMENTS_STORAGE=s3 and the bucket's variables give django-storages' S3Storage."""
    script = (
        "import json, django; django.setup();"
        "from django.core.files.storage import storages; s = storages['documents'];"
        "print(json.dumps([type(s).__module__ + '.' + type(s).__name__, s.bucket_name, s.endpoint_url,"
        " s.file_overwrite, s.default_acl]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DOCUMENTS_STORAGE": "s3",
        "DOCUMENTS_S3_BUCKET": "review-documents",
        "DOCUMENTS_S3_ENDPOINT_URL": "https://objects.example.org",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=live_settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [
        "storages.backends.s3.S3Storage",
        "review-documents",
        "https://objects.example.org",
        False,
        None,
    ]
