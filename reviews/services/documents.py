"""Writers of a review's documents: the first upload, a new version (which supersedes the last and
keeps it), and who may read a document.

An upload is checked on its content, never its name: its type is read from its first bytes
(``filetype``) against an allow-list, its size against DOCUMENT_MAX_BYTES, its SHA-256 against the
document's earlier versions, and, when CLAMAV_ADDRESS is set, clamd scans it. Only then is it
written to the "documents" storage under a random name, before the review's row is locked (a large
file never holds the lock); the rows are written under the lock after the permission and the
input are checked again, and the file is removed if they are not.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from reviews.models import Agency, Document, DocumentKind, DocumentVersion, Review
from reviews.models.documents import ACCEPTED, ALLOWED_TYPES
from reviews.permissions import (
    COORDINATE,
    DOCUMENT_UPLOADERS,
    LEAD_AGENCY,
    can_read_document,
    document_version_refusal,
    held_review_perms,
    lead_agency_ids,
    may_add_document_version,
    refusal,
    require_review_perm,
)
from reviews.services.documents_clamd import ClamdUnavailable, clamd_scan
from workflows.audit import audit_record
from workflows.runner import TransitionRefused
from workflows.types import User

STORAGE = "documents"

# filetype reads no more than this of a file to recognise it.
HEAD_BYTES = 8192


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class DocumentData:
    kind: str
    title: str
    agency: Agency | None = None


def upload_name(upload: UploadedFile) -> str:
    """The name the file was uploaded with, without any folder a browser sent: data, never a path."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in name if ch.isprintable())[:255] or "document"


def _bytes_text(size: int) -> str:
    return f"{size:,} bytes ({size / 1_048_576:.1f} MB)" if size >= 1_048_576 else f"{size:,} bytes"


def _what_it_is(head: bytes) -> str:
    """What a refused file really is, as the refusal says it."""
    kind = filetype.guess(head)
    if kind is not None:
        if kind.extension == "exe":
            return "a Windows program (executable)"
        return f"a {kind.extension.upper()} file ({kind.mime})"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    if b"<svg" in head[:HEAD_BYTES].lower() and start.startswith((b"<svg", b"<?xml", b"<!doctype svg")):
        return "an SVG image, which can carry script"
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or b"<html" in start:
        return "a web page (HTML), which can carry script"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "of a kind that could not be recognised"
    return "plain text"


def _chunks(upload: UploadedFile) -> Iterator[bytes]:
    upload.seek(0)
    yield from upload.chunks()


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """The upload's type, size and hash, from its content; ValidationError on "file" naming the file
    and why it is refused (empty, too large, a type not allowed, or what the virus scanner said)."""
    name = upload_name(upload)
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": f"{name} is empty: choose the document itself."})
    limit: int = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {"file": f"{name} is {_bytes_text(size)}: a document may be at most {_bytes_text(limit)}."}
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            {"file": f"{name} is {_what_it_is(head)}, not {ACCEPTED}, whatever its name says: it was not stored."}
        )
    digest = hashlib.sha256()
    for chunk in _chunks(upload):
        digest.update(chunk)
    _scan(upload, name)
    return CheckedUpload(original_name=name, content_type=kind.mime, size=size, sha256=digest.hexdigest())


def _scan(upload: UploadedFile, name: str) -> None:
    address: str = settings.CLAMAV_ADDRESS
    if not address:
        return
    try:
        signature = clamd_scan(_chunks(upload), address=address, timeout=settings.CLAMAV_TIMEOUT)
    except ClamdUnavailable as error:
        # Fail closed: a document nobody could scan is not stored.
        raise ValidationError(
            {
                "file": f"{name} was not stored: {error}. Documents cannot be uploaded until the scanner "
                "answers: try again later, or tell the service's administrator."
            }
        ) from error
    if signature is not None:
        raise ValidationError({"file": f"{name} was not stored: the virus scanner found {signature} in it."})


def _store(review_id: int, upload: UploadedFile) -> str:
    upload.seek(0)
    return storages[STORAGE].save(f"{review_id}/{uuid.uuid4().hex}", upload)


def _forget(blob: str) -> None:
    storages[STORAGE].delete(blob)


def _uploader(actor: User, review: Review) -> tuple[frozenset[str], frozenset[int]]:
    perms = held_review_perms(actor, review, DOCUMENT_UPLOADERS)
    if not perms:
        raise PermissionDenied(refusal(review, DOCUMENT_UPLOADERS, "upload documents"))
    leads = lead_agency_ids(actor, review) if COORDINATE not in perms else frozenset()
    return perms, leads


def _document_errors(
    review: Review, perms: frozenset[str], leads: frozenset[int], data: DocumentData
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.kind not in DocumentKind.values:
        errors["kind"] = "Choose what kind of document this is."
    if not data.title.strip():
        errors["title"] = "Give the document a title, e.g. Terms of reference."
    records = data.kind == DocumentKind.AGENCY_RECORDS
    if records and data.agency is None:
        errors["agency"] = "Choose the agency whose records these are."
    elif not records and data.agency is not None:
        errors["agency"] = "Only agency records belong to an agency: leave the agency empty."
    elif data.agency is not None and not review.partnership.agencies.filter(pk=data.agency.pk).exists():
        errors["agency"] = f"{data.agency} is not an agency of {review.partnership}."
    if COORDINATE not in perms and LEAD_AGENCY in perms:
        if not records:
            errors["kind"] = "As an agency lead you can upload your own agency's records only: choose Agency records."
        elif data.agency is not None and data.agency.pk not in leads:
            errors["agency"] = (
                f"You do not lead {data.agency} on {review}: you can upload your own agency's records only."
            )
    return errors


@dataclass(frozen=True)
class StagedUpload:
    """A file checked and stored, waiting for its rows (``document_record``)."""

    blob: str
    checked: CheckedUpload


def document_stage(*, actor: User, review_id: int, data: DocumentData, upload: UploadedFile) -> StagedUpload:
    """Check everything and store the file, outside any transaction: reading, scanning (clamd) and
    writing (possibly to S3) take seconds and must not hold a lock. ValidationError keyed by the
    form's fields, nothing stored, on bad input. The caller records it (``document_record``) or
    throws it away (``document_discard``)."""
    review = Review.objects.select_related("partnership").get(pk=review_id)
    perms, leads = _uploader(actor, review)
    errors: dict[str, list[str]] = {
        key: [message] for key, message in _document_errors(review, perms, leads, data).items()
    }
    try:
        checked = check_upload(upload)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    _refuse_closed(review)
    return StagedUpload(blob=_store(review.pk, upload), checked=checked)


def document_discard(staged: StagedUpload) -> None:
    """A staged file whose rows were never written (refused, failed, or a repeated form): removed."""
    _forget(staged.blob)


def document_record(*, actor: User, review_id: int, data: DocumentData, staged: StagedUpload) -> Document:
    """The document and its first version, for a staged file, under the review's lock (checked again
    there). Readable by the coordinator and the chair, and when an agency lead uploads their agency's
    records, by that agency's leads too (or the uploader could not see what they sent). The caller
    discards the staged file if this raises."""
    checked = staged.checked
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        _refuse_closed(review)
        perms, leads = _uploader(actor, review)
        if again := _document_errors(review, perms, leads, data):
            raise ValidationError(again)
        document = Document.objects.create(
            review=review,
            kind=data.kind,
            title=data.title.strip(),
            agency=data.agency,
            created_by=actor,
        )
        if COORDINATE not in perms and data.agency is not None:
            document.reader_agencies.set([data.agency])
        _version_record(document, 1, staged.blob, checked, actor)
        audit_record(
            actor=actor,
            verb="document.uploaded",
            target=review,
            document=document.pk,
            kind=document.kind,
            version=1,
            size=checked.size,
            sha256=checked.sha256,
        )
    return document


def document_upload(*, actor: User, review_id: int, data: DocumentData, upload: UploadedFile) -> Document:
    """A new document on the review with its first version: staged, then recorded; no file is left
    behind for rows that were never written."""
    staged = document_stage(actor=actor, review_id=review_id, data=data, upload=upload)
    try:
        return document_record(actor=actor, review_id=review_id, data=data, staged=staged)
    except BaseException:
        document_discard(staged)
        raise


def _refuse_closed(review: Review) -> None:
    """Documents are kept while the review is open; a closed or withdrawn review's record stands."""
    if not review.is_open:
        raise TransitionRefused(
            f"{review.reference} is {review.get_state_display().lower()}: no document can be added or changed."
        )


def _same_content(document: Document, sha256: str) -> str | None:
    earlier = DocumentVersion.objects.filter(document=document, sha256=sha256).first()
    if earlier is None:
        return None
    uploaded = timezone.localtime(earlier.uploaded_at)
    return (
        f"This file is the same as version {earlier.number} of {document.title} ({earlier.original_name}, "
        f"uploaded on {uploaded:%-d %B %Y}): nothing was added."
    )


def _version_adder(actor: User, document: Document) -> None:
    perms = held_review_perms(actor, document.review, DOCUMENT_UPLOADERS)
    leads = lead_agency_ids(actor, document.review) if COORDINATE not in perms else frozenset()
    if not (can_read_document(actor, document) and may_add_document_version(perms, leads, document)):
        raise PermissionDenied(document_version_refusal(document.review, document, "add a version of this document"))


def document_add_version(*, actor: User, document_id: int, upload: UploadedFile) -> DocumentVersion:
    """A new version of the document, superseding the last (which is kept). Refused, nothing stored,
    when the file is not allowed or is the same as any earlier version of this document."""
    document = Document.objects.select_related("review", "agency").get(pk=document_id)
    _version_adder(actor, document)
    _refuse_closed(document.review)
    checked = check_upload(upload)
    if duplicate := _same_content(document, checked.sha256):
        raise ValidationError({"file": duplicate})
    blob = _store(document.review_id, upload)
    try:
        with transaction.atomic():
            _refuse_closed(Review.objects.select_for_update(of=("self",)).get(pk=document.review_id))
            document = Document.objects.select_related("review", "agency").get(pk=document_id)
            _version_adder(actor, document)
            # Under the review's lock: two uploads of the same file at once cannot both pass.
            if duplicate := _same_content(document, checked.sha256):
                raise ValidationError({"file": duplicate})
            latest = document.versions.aggregate(latest=Max("number"))["latest"] or 0
            version = _version_record(document, latest + 1, blob, checked, actor)
            audit_record(
                actor=actor,
                verb="document.version_added",
                target=document.review,
                document=document.pk,
                version=version.number,
                supersedes=latest,
                size=checked.size,
                sha256=checked.sha256,
            )
    except BaseException:
        _forget(blob)
        raise
    return version


@dataclass(frozen=True)
class Readers:
    chair: bool
    panel: bool
    scrutineers: bool
    agencies: Iterable[Agency]


def document_set_readers(*, actor: User, document_id: int, readers: Readers) -> Document:
    """Who besides the coordinators may read the document: the coordinator decides."""
    agencies = list(readers.agencies)
    with transaction.atomic():
        review_id = Document.objects.values_list("review_id", flat=True).get(pk=document_id)
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        require_review_perm(actor, COORDINATE, review, "choose who may read a document")
        _refuse_closed(review)
        document = Document.objects.get(pk=document_id)
        known = set(review.partnership.agencies.filter(pk__in=[a.pk for a in agencies]).values_list("pk", flat=True))
        strangers = [str(agency) for agency in agencies if agency.pk not in known]
        if strangers:
            raise ValidationError({"agencies": f"Not an agency of {review.partnership}: {', '.join(strangers)}."})
        before = _readers_record(document)
        document.chair_may_read = readers.chair
        document.panel_may_read = readers.panel
        document.scrutineers_may_read = readers.scrutineers
        document.save(update_fields=["chair_may_read", "panel_may_read", "scrutineers_may_read"])
        document.reader_agencies.set(agencies)
        audit_record(
            actor=actor,
            verb="document.readers_set",
            target=review,
            document=document.pk,
            before=before,
            after=_readers_record(document),
        )
    return document


def _readers_record(document: Document) -> dict[str, object]:
    return {
        "chair": document.chair_may_read,
        "panel": document.panel_may_read,
        "scrutineers": document.scrutineers_may_read,
        "agencies": sorted(document.reader_agencies.values_list("pk", flat=True)),
    }


def _version_record(document: Document, number: int, blob: str, checked: CheckedUpload, actor: User) -> DocumentVersion:
    """The row of one checked, stored file as version ``number`` of ``document`` (the first upload
    and every later version alike)."""
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        blob=blob,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
