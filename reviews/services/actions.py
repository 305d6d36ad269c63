"""Writers of actions: create, progress, due dates, steps and evidence files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from reviews.models import Agency, Review, ReviewState
from reviews.models.actions import ACTIVE_ACTION_STATES, Action, ActionEvidenceFile, ActionState, ActionUpdate
from reviews.models.findings import Recommendation
from reviews.permissions import require_agency_lead, require_review_perm
from reviews.services.deadlines import action_deadline_sync
from workflows.audit import audit_record
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused, run_transition
from workflows.types import User

# Stages in which actions are made and worked on: once the chair has signed off the findings.
ACTION_STAGES = (ReviewState.FINDINGS, ReviewState.ACTION_TRACKING)


STEPS = ("start", "complete", "verify", "return_to_owner", "close_not_implemented")


@dataclass
class ActionData:
    description: str
    owner_agency: Agency | None
    owner_role: str
    due_date: date | None
    success_measure: str


def _action_errors(review: Review, data: ActionData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.description.strip():
        errors["description"] = "Say what will be done."
    if data.owner_agency is None:
        errors["owner_agency"] = "Choose the agency that owns the action."
    elif not data.owner_agency.partnerships.filter(pk=review.partnership_id).exists():
        errors["owner_agency"] = f"{data.owner_agency} does not serve {review.partnership}."
    if not data.owner_role.strip():
        errors["owner_role"] = "Give the role answerable for the action in the agency (not a name)."
    elif len(data.owner_role.strip()) > 120:
        errors["owner_role"] = "Keep the role to 120 characters."
    if data.due_date is None:
        errors["due_date"] = "Give the due date."
    elif data.due_date < timezone.localdate():
        errors["due_date"] = "The due date is in the past."
    if not data.success_measure.strip():
        errors["success_measure"] = "Say how success will be measured."
    return errors


def action_create(*, actor: User, recommendation_id: int, data: ActionData) -> Action:
    """The coordinator turns a signed-off recommendation into an action."""
    with transaction.atomic():
        recommendation = (
            Recommendation.objects.select_for_update(of=("self",))
            .select_related("findings__review__partnership")
            .get(pk=recommendation_id)
        )
        findings = recommendation.findings
        review = findings.review
        require_review_perm(actor, "coordinate_review", review, "add actions")
        if not findings.is_signed_off:
            raise TransitionRefused(
                "The findings are not signed off: recommendations become actions once the chair has signed them off."
            )
        if review.state not in ACTION_STAGES:
            raise TransitionRefused(f"{review} is at {review.get_state_display()}: no actions can be added.")
        errors = _action_errors(review, data)
        if errors:
            raise ValidationError(errors)
        assert data.owner_agency is not None and data.due_date is not None  # else _action_errors says so
        last = recommendation.actions.order_by("-number").values_list("number", flat=True).first() or 0
        action = Action.objects.create(
            recommendation=recommendation,
            review=review,
            number=last + 1,
            description=data.description.strip(),
            owner_agency=data.owner_agency,
            owner_role=data.owner_role.strip(),
            due_date=data.due_date,
            success_measure=data.success_measure.strip(),
            created_by=actor,
        )
        action_deadline_sync(action)
        audit_record(
            actor=actor,
            verb="action.created",
            target=review,
            action=action.code,
            agency=str(data.owner_agency),
            due_date=data.due_date.isoformat(),
        )
    return action


def action_add_update(*, actor: User, action_id: int, progress_on: date, note: str) -> ActionUpdate:
    """A dated progress note by the owner (or the coordinator). The first one starts the work."""
    with transaction.atomic():
        action = (
            Action.objects.select_for_update(of=("self",))
            .select_related("review", "recommendation", "owner_agency")
            .get(pk=action_id)
        )
        require_agency_lead(actor, action, f"update {action.code}", or_coordinator=True)
        if action.state not in ACTIVE_ACTION_STATES:
            raise TransitionRefused(
                f"Action {action.code} is {action.get_state_display().lower()}: progress is no longer recorded on it."
            )
        errors: dict[str, str] = {}
        if not note.strip():
            errors["note"] = "Say what progress has been made."
        if progress_on > timezone.localdate():
            errors["progress_on"] = "The date of the progress is in the future."
        if errors:
            raise ValidationError(errors)
        update = ActionUpdate.objects.create(action=action, progress_on=progress_on, note=note.strip(), author=actor)
        if action.state == ActionState.OPEN:
            run_transition(
                queryset=Action.objects.select_related("review"),
                pk=action.pk,
                name="start",
                actor=actor,
                reason="First progress update",
            )
        audit_record(actor=actor, verb="action.updated", target=action.review, action=action.code)
    return update


def action_change_due_date(*, actor: User, action_id: int, new_due_date: date | None, reason: str) -> Action:
    """The coordinator moves an action's due date, with the reason. Its reminders restart from the
    new date and the owner's leads are told (the deadline is announced, reviews.deadlines)."""
    with transaction.atomic():
        action = (
            Action.objects.select_for_update(of=("self",))
            .select_related("review", "recommendation", "owner_agency")
            .get(pk=action_id)
        )
        require_review_perm(actor, "coordinate_review", action.review, "move an action's due date")
        if action.state not in ACTIVE_ACTION_STATES:
            raise TransitionRefused(
                f"Action {action.code} is {action.get_state_display().lower()}: there is no due date left to move."
            )
        errors: dict[str, str] = {}
        if new_due_date is None:
            errors["new_due_date"] = "Give the new due date."
        elif new_due_date < timezone.localdate():
            errors["new_due_date"] = "The new due date is in the past."
        elif new_due_date == action.due_date:
            errors["new_due_date"] = f"The action is already due on {new_due_date:%-d %B %Y}."
        if not reason.strip():
            errors["reason"] = "Give the reason for the new due date."
        if errors:
            raise ValidationError(errors)
        assert new_due_date is not None  # else errors says so
        old_due_date = action.due_date
        action.due_date = new_due_date
        action.save(update_fields=["due_date"])
        action_deadline_sync(action)
        audit_record(
            actor=actor,
            verb="action.due_date_moved",
            target=action.review,
            action=action.code,
            moved_from=old_due_date.isoformat(),
            to=new_due_date.isoformat(),
            reason=reason.strip(),
        )
    return action


def action_advance(
    *,
    actor: User,
    action_id: int,
    transition: str,
    reason: str = "",
    evidence: str = "",
    expected_state: str | None = None,
) -> Action:
    """Start, complete (with evidence), verify, return to the owner or close as not implemented."""
    if transition not in STEPS:
        raise ValueError(f"{transition} is not a step of an action")

    def after(action: Action, log: TransitionLog) -> None:
        action_deadline_sync(action)
        audit_record(
            actor=actor,
            verb=f"action.{transition}",
            target=action.review,
            action=action.code,
            reason=reason.strip(),
        )

    # What the step's transition is given besides the reason it records (the runner gives that).
    arguments: dict[str, dict[str, object]] = {"complete": {"by": actor, "evidence": evidence}, "verify": {"by": actor}}
    return run_transition(
        queryset=Action.objects.select_related("review", "recommendation", "owner_agency"),
        pk=action_id,
        name=transition,
        actor=actor,
        reason=reason,
        expected_state=expected_state,
        arguments=arguments.get(transition, {}),
        after=after,
    )


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


def _evidence_max_bytes() -> int:
    return getattr(settings, "ACTION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)


def _content_type(upload: UploadedFile) -> str:
    name = (upload.name or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in EVIDENCE_TYPES:
        raise ValidationError({"file": "Attach a PDF, Word, Excel, PNG, JPEG, text or CSV file."})
    limit = _evidence_max_bytes()
    size = _size(upload)
    if size > limit:
        raise ValidationError(
            {"file": f"The file is {size / 1_048_576:.1f} MB; the most allowed is {limit / 1_048_576:.0f} MB."}
        )
    if size == 0:
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


def _size(upload: UploadedFile) -> int:
    # Django types an uploaded file's size as optional; a file from a request always has one.
    return upload.size or 0


def _attachable_action(actor: User, action_id: int, *, lock: bool) -> Action:
    actions = Action.objects.select_related("review", "recommendation", "owner_agency")
    if lock:
        actions = actions.select_for_update(of=("self",))
    action = actions.get(pk=action_id)
    require_agency_lead(actor, action, f"attach evidence to {action.code}")
    if action.state not in ACTIVE_ACTION_STATES:
        raise TransitionRefused(
            f"Action {action.code} is {action.get_state_display().lower()}: evidence can no longer be added."
        )
    return action


def action_evidence_attach(*, actor: User, action_id: int, upload: UploadedFile) -> ActionEvidenceFile:
    # Check and store the file before the transaction: the action row is locked only while the
    # row is written, never while a large file goes to disk.
    action = _attachable_action(actor, action_id, lock=False)
    content_type = _content_type(upload)
    original_name = (upload.name or "evidence").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    attached = ActionEvidenceFile(
        action=action, original_name=original_name, content_type=content_type, size=_size(upload), uploaded_by=actor
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
                size=_size(upload),
            )
    except Exception:
        # Leave no file behind for a row that was never written.
        attached.file.delete(save=False)
        raise
    return attached
