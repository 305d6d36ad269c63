"""Writing the audit trail. Rows are only ever inserted, each chained to the one before
(workflows.chain)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from workflows.chain import chain_append
from workflows.models import AuditEvent
from workflows.types import AnyUser, User


def audit_record(*, actor: AnyUser | None, verb: str, target: models.Model | None = None, **detail: Any) -> AuditEvent:
    event = AuditEvent(
        # The anonymous user (pk None) and an unsaved one are recorded as no actor.
        actor=actor if isinstance(actor, User) and actor.pk else None,
        verb=verb,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=target.pk if target is not None else None,
        object_label=str(target)[:200] if target is not None else "",
        detail=detail,
    )
    return chain_append([event])[0]
