"""Attaching files as evidence that an action was done.

Only the types an inspector expects to read (PDF, Word, Excel, images, plain text) and only up
to ACTION_EVIDENCE_MAX_BYTES; the type is checked on the content, not just the name, so a
renamed executable is refused.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from reviews.models.actions import ACTIVE_ACTION_STATES, Action, ActionEvidenceFile
from reviews.services.actions import is_owner_lead
from workflows.audit import audit_record
from workflows.runner import TransitionRefused

# extension -> (content type, how the file starts; None: text, checked by decoding)
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
}


def evidence_max_bytes() -> int:
    return getattr(settings, "ACTION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)


def _content_type(upload: UploadedFile) -> str:
    name = (upload.name or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in EVIDENCE_TYPES:
        raise ValidationError({"file": "Attach a PDF, Word, Excel, PNG, JPEG, text or CSV file."})
    limit = evidence_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            {"file": f"The file is {upload.size / 1_048_576:.1f} MB; the most allowed is {limit / 1_048_576:.0f} MB."}
        )
    if upload.size == 0:
        raise ValidationError({"file": "The file is empty."})
    content_type, signatures = EVIDENCE_TYPES[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if signatures is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                raise ValidationError({"file": f"{upload.name} is named {extension} but is not text."}) from None
        if b"\x00" in head:
            raise ValidationError({"file": f"{upload.name} is named {extension} but is not text."})
    elif not head.startswith(signatures):
        raise ValidationError({"file": f"{upload.name} is named {extension} but its content is not."})
    return content_type


def _attachable_action(actor: Any, action_id: int, *, lock: bool) -> Action:
    actions = Action.objects.select_related("review", "recommendation", "owner_agency")
    if lock:
        actions = actions.select_for_update(of=("self",))
    action = actions.get(pk=action_id)
    if not is_owner_lead(actor, action):
        raise PermissionDenied(f"Only the {action.owner_agency} lead can attach evidence to {action.code}.")
    if action.state not in ACTIVE_ACTION_STATES:
        raise TransitionRefused(
            f"Action {action.code} is {action.get_state_display().lower()}: evidence can no longer be added."
        )
    return action


def action_evidence_attach(*, actor: Any, action_id: int, upload: UploadedFile) -> ActionEvidenceFile:
    # Check and store the file before the transaction: the action row is locked only while the
    # row is written, never while a large file goes to disk.
    action = _attachable_action(actor, action_id, lock=False)
    content_type = _content_type(upload)
    original_name = (upload.name or "evidence").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    attached = ActionEvidenceFile(
        action=action, original_name=original_name, content_type=content_type, size=upload.size, uploaded_by=actor
    )
    attached.file.save(original_name, upload, save=False)
    try:
        with transaction.atomic():
            action = _attachable_action(actor, action_id, lock=True)
            attached.action = action
            attached.save()
            audit_record(
                actor=actor,
                verb="action.evidence_attached",
                target=action.review,
                action=action.code,
                file=original_name,
                size=upload.size,
            )
    except Exception:
        # Leave no file behind for a row that was never written.
        attached.file.delete(save=False)
        raise
    return attached
