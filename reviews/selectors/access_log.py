"""Reading the access log back: who looked at which part of a review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType

from reviews.models import Review
from reviews.services.access_log import PREFIX, WHAT
from workflows.models import AuditEvent


@dataclass(frozen=True)
class AccessRow:
    at: datetime
    who: str
    what: str
    page: str


def access_rows(review: Review, *, limit: int = 500) -> list[AccessRow]:
    """The newest ``limit`` looks at the review, newest first. One query whatever the rows."""
    events = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Review), object_id=review.pk, verb__startswith=PREFIX
        )
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    rows = []
    for event in events:
        actor = event.actor
        who = (actor.get_full_name() or actor.get_username()) if actor else "(unknown)"
        what = event.verb.removeprefix(PREFIX)
        rows.append(AccessRow(at=event.at, who=who, what=WHAT.get(what, what), page=event.detail.get("page", "")))
    return rows
