"""A child death review as the national export writes it (docs/NCMD_EXPORT.md maps each field to
the National Child Mortality Database's dataset; docs/ncmd_export.schema.json describes it)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.db.models import Max, Prefetch, QuerySet

from reviews.models import AgencyContribution, NationalExport, Partnership, Review, ReviewKind
from reviews.models.contributions import ContributionState
from reviews.models.findings import FindingsState

EXPORT_FORMAT_VERSION = 1
# Only what an agency has handed over is exported: a draft may still change.
HANDED_OVER = (ContributionState.SUBMITTED, ContributionState.ACCEPTED)
DOMAINS = (
    ("child", "factors_child"),
    ("family", "factors_family"),
    ("physical", "factors_physical"),
    ("services", "factors_services"),
)


def export_reviews(partnership: Partnership, since: date) -> QuerySet[Review]:
    """The partnership's child death reviews opened on or after ``since``, with everything their
    records read, in a fixed number of queries."""
    return (
        Review.objects.filter(partnership=partnership, kind=ReviewKind.CHILD_DEATH, created_at__date__gte=since)
        .select_related("partnership", "findings", "child_death")
        .prefetch_related(
            "subjects__identity",
            "jar_items",
            Prefetch(
                "contributions",
                queryset=AgencyContribution.objects.filter(state__in=HANDED_OVER)
                .select_related("agency")
                .prefetch_related("form_answers__form")
                .order_by("agency__name"),
            ),
        )
        .order_by("reference")
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _child(review: Review) -> dict[str, Any]:
    subject = next(iter(review.subjects.all()), None)
    identity = getattr(subject, "identity", None) if subject is not None else None
    child_death = getattr(review, "child_death", None)
    return {
        "pseudonym": subject.pseudonym if subject else None,
        "nhs_number": (identity.nhs_number or None) if identity else None,
        "date_of_birth": _iso(subject.date_of_birth) if subject else None,
        "sex": subject.sex if subject else None,
        "ethnicity": (child_death.ethnicity or None) if child_death else None,
        "home_local_authority": (child_death.home_local_authority or None) if child_death else None,
        "looked_after": review.child_looked_after,
        "disability": (child_death.disability or None) if child_death else None,
    }


def _analysis(review: Review) -> dict[str, Any] | None:
    """The signed-off analysis only: a draft is not the CDOP's conclusion."""
    findings = getattr(review, "findings", None)
    if findings is None or findings.state != FindingsState.SIGNED_OFF:
        return None
    return {
        "signed_version": findings.version,
        "signed_at": _iso(findings.signed_at),
        "content_hash": findings.content_hash,
        "domains": {
            name: {"factors": getattr(findings, field), "relevance": getattr(findings, f"{field}_relevance")}
            for name, field in DOMAINS
        },
        "category_of_death": findings.category_of_death,
        "category_rationale": findings.category_rationale,
        "modifiable_factors": findings.modifiable_factors or None,
        "learning_points": findings.learning,
    }


def export_record(review: Review) -> dict[str, Any]:
    """One review's record, from the prefetched review of ``export_reviews``: no query."""
    child_death = getattr(review, "child_death", None)
    return {
        "reference": review.reference,
        "child": _child(review),
        "death": {
            "date": _iso(review.incident_on),
            "place": (child_death.place_of_death or None) if child_death else None,
            "unexpected": review.death_unexpected,
        },
        "notification": {
            "notifier_role": (child_death.notifier_role or None) if child_death else None,
            "became_aware_on": _iso(review.became_aware_on),
            "became_aware_at": _iso(child_death.became_aware_at) if child_death else None,
            "notified_on": _iso(review.notified_on),
        },
        "joint_agency_response": [
            {"item": item.item, "done_on": _iso(item.done_on), "done_at": _iso(item.done_at)}
            for item in sorted(review.jar_items.all(), key=lambda i: (i.done_on, i.pk))
        ],
        "review_meeting": {
            "post_mortem_received_on": _iso(child_death.post_mortem_received_on) if child_death else None,
            "no_post_mortem": child_death.no_post_mortem if child_death else False,
            "held_on": _iso(child_death.meeting_held_on) if child_death else None,
        },
        "cdop_review": {"reviewed_on": _iso(child_death.cdop_reviewed_on) if child_death else None},
        "agency_forms": [
            {
                "agency": contribution.agency.name,
                "form": answers.form.key,
                "form_version": answers.form.version,
                "answers": answers.answers,
            }
            for contribution in review.contributions.all()
            for answers in sorted(contribution.form_answers.all(), key=lambda a: (a.form.key, a.pk))
        ],
        "analysis": _analysis(review),
    }


def record_hash(record: dict[str, Any]) -> str:
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def last_exports(review_ids: list[int]) -> dict[int, NationalExport]:
    """Each review's latest export, if any: two queries however many times each was exported (the
    latest is the highest id: rows are only ever added, stamped by the database clock)."""
    latest_ids = (
        NationalExport.objects.filter(review_id__in=review_ids)
        .values("review_id")
        .annotate(latest=Max("id"))
        .values_list("latest", flat=True)
    )
    return {export.review_id: export for export in NationalExport.objects.filter(pk__in=list(latest_ids))}
