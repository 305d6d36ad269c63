"""Writing the national export file and recording, per review, what went and when."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from project.db_router import reading_from_replica
from reviews.models import NationalExport, Partnership
from reviews.selectors.national_export import (
    EXPORT_FORMAT_VERSION,
    export_record,
    export_reviews,
    last_exports,
    record_hash,
)
from workflows.audit import audit_record


@dataclass(frozen=True)
class ExportResult:
    reviews: int
    changed_since_last: int
    path: Path


def national_export_write(*, partnership: Partnership, since: date, out: Path) -> ExportResult:
    """Write every child death review of ``partnership`` opened since ``since`` to ``out`` as JSON
    (docs/ncmd_export.schema.json), and record each export. The file is written beside ``out`` and
    moved into place only when complete, and the export rows are written only then: a failure
    halfway leaves neither a partial file nor a record of an export that did not happen."""
    # The records read from the replica when there is one (project/db_router.py); the last exports
    # from the primary, which has the rows the previous export wrote a moment ago.
    with reading_from_replica():
        reviews = list(export_reviews(partnership, since))
        records = {review.pk: export_record(review) for review in reviews}
    latest = last_exports([review.pk for review in reviews])
    entries: list[dict[str, object]] = []
    hashes: dict[int, str] = {}
    changed = 0
    for review in reviews:
        record = records[review.pk]
        hashes[review.pk] = record_hash(record)
        previous = latest.get(review.pk)
        again = previous is not None and previous.record_hash != hashes[review.pk]
        changed += again
        entries.append(
            {
                **record,
                "previously_exported_at": previous.exported_at.isoformat() if previous else None,
                "changed_since_last_export": again,
            }
        )
    document = {
        "format_version": EXPORT_FORMAT_VERSION,
        "partnership": partnership.code,
        "since": since.isoformat(),
        "written_at": timezone.now().isoformat(),
        "reviews": entries,
    }
    out = Path(out)
    handle, temporary = tempfile.mkstemp(dir=out.parent or Path("."), prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False, indent=2)
        with transaction.atomic():
            NationalExport.objects.bulk_create(
                NationalExport(review_id=pk, record_hash=digest, file_name=out.name[:255])
                for pk, digest in hashes.items()
            )
            audit_record(
                actor=None,
                verb="national_export.written",
                target=partnership,
                reviews=len(reviews),
                since=since.isoformat(),
                file=out.name[:100],
            )
            os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return ExportResult(reviews=len(reviews), changed_since_last=changed, path=out)
