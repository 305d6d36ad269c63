"""The access log: who read which part of a review, and when.

Reading special category data is itself attributable (docs/DOMAIN.md, "Data protection"), so every
view of a review's case detail, chronology, agency contribution or report, a subject's identity,
the panel papers and every export leaves a row in the append-only audit store (workflows'
AuditEvent), with the verb ``access.<what>``. The coordinator's "who has looked at this review"
page reads them back. Details never hold identifying data: pseudonyms and ids only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest

from reviews.models import Review
from workflows.audit import audit_record
from workflows.chain import chain_append
from workflows.models import AuditEvent
from workflows.types import User

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
    "agency_form": "Agency form (answering)",
    "agency_form_compare": "Agency forms compared side by side",
    "panel_papers": "Panel papers",
    "actions_export": "Action tracker exported (CSV)",
    "timeliness_export": "Timeliness record exported (CSV)",
    "notice": "Onward notice",
    "cdop_papers": "CDOP papers (anonymised)",
    "evidence_file": "Action evidence file downloaded",
    "document": "Document page",
    "document_download": "Document downloaded",
    "family": "Family involvement",
    "overview_report": "Overview report",
    "accuracy_round": "Factual accuracy round",
    "leaks": "Identities found in outgoing texts",
    "published_report": "Published report (PDF)",
    "restricted_names": "Real names behind pseudonyms (setting, alleged perpetrators)",
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
    # As audit_record: the anonymous user (pk None) is recorded as no actor.
    actor = request.user if isinstance(request.user, User) and request.user.pk else None
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
    return len(chain_append(rows))
