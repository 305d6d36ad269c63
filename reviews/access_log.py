"""The access log: who read which part of a review, and when.

Reading special category data is itself attributable (DOMAIN.md, "Data protection"), so every
view of a review's case detail, chronology, agency contribution or report, a subject's identity,
the panel papers and every export leaves a row in the append-only audit store (workflows'
AuditEvent), with the verb ``access.<what>``. The coordinator's "who has looked at this review"
page reads them back. Details never hold identifying data: pseudonyms and ids only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest

from reviews.models import Review
from workflows.audit import audit_record
from workflows.models import AuditEvent

PREFIX = "access."

# What was looked at, as a coordinator reads it on the access log page.
WHAT: dict[str, str] = {
    "review": "Review page",
    "identity": "Identity of a subject",
    "chronology": "Merged chronology",
    "chronology_print": "Merged chronology (printable)",
    "chronology_export": "Merged chronology exported (CSV)",
    "contribution": "Agency contribution",
    "agency_report": "Agency report (editing)",
    "panel_papers": "Panel papers",
    "actions_export": "Action tracker exported (CSV)",
    "evidence_file": "Action evidence file downloaded",
}


def access_record(request: HttpRequest, review: Review, what: str, **detail: Any) -> AuditEvent:
    """One row: the signed-in user read ``what`` of ``review`` (the page's path in the detail)."""
    if what not in WHAT:
        raise ValueError(f"Unknown access kind: {what}")
    return audit_record(actor=request.user, verb=PREFIX + what, target=review, page=request.path, **detail)


def access_record_many(request: HttpRequest, reviews: Iterable[Review], what: str, **detail: Any) -> int:
    """One row per review, in one INSERT (an export spanning reviews counts as a look at each)."""
    if what not in WHAT:
        raise ValueError(f"Unknown access kind: {what}")
    content_type = ContentType.objects.get_for_model(Review)
    actor = request.user if getattr(request.user, "pk", None) else None
    rows = [
        AuditEvent(
            actor=actor,
            verb=PREFIX + what,
            content_type=content_type,
            object_id=review.pk,
            object_label=str(review)[:200],
            detail={"page": request.path, **detail},
        )
        for review in reviews
    ]
    return len(AuditEvent.objects.bulk_create(rows))


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
