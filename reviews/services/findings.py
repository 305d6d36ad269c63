"""Drafting findings and recommendations, the chair's sign-off, and reopening.

Every writer locks the review's Findings row first, so an edit and a sign-off never interleave:
what the chair signs is exactly what is hashed and snapshotted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from reviews.models import Agency, Partnership, Review, ReviewState
from reviews.models.findings import (
    ANALYSIS_DOMAINS,
    CategoryOfDeath,
    Findings,
    ModifiableFactors,
    Recommendation,
    Relevance,
    SignedFindings,
    Theme,
    relevance_field,
)
from reviews.permissions import CHAIR, FINDINGS_DRAFTERS, may_edit_themes, require_review_perm
from reviews.selectors.findings import (
    content_changes,
    content_hash,
    draft_hash,
    frozen_message,
    partnership_themes,
    signed_content,
)
from reviews.selectors.roles import person_name
from reviews.services.deadlines import findings_sign_off_deadline_met, findings_sign_off_deadline_sync
from reviews.services.webhooks import findings_signed
from workflows.audit import audit_record
from workflows.chain import chain_append
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused, run_transition
from workflows.types import User

# --- themes ---------------------------------------------------------------------------------------


def themes_set(*, actor: User, partnership: Partnership, names: list[str]) -> list[str]:
    """Replace the partnership's theme list. Findings keep the names they were tagged with."""
    if not may_edit_themes(actor, partnership.pk):
        raise PermissionDenied(
            f"You need to be the administrator, business manager or a review coordinator of {partnership} "
            "to change its themes."
        )
    cleaned: list[str] = []
    for name in names:
        name = " ".join(name.split())
        if name and name.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(name)
    if not cleaned:
        raise ValidationError({"names": "Keep at least one theme."})
    if any(len(name) > 100 for name in cleaned):
        raise ValidationError({"names": "Keep each theme to 100 characters."})
    with transaction.atomic():
        Partnership.objects.select_for_update().get(pk=partnership.pk)
        Theme.objects.filter(partnership=partnership).delete()
        Theme.objects.bulk_create(
            [Theme(partnership=partnership, name=name, position=i) for i, name in enumerate(cleaned)]
        )
        audit_record(actor=actor, verb="themes.set", target=partnership, themes=cleaned)
    return cleaned


# --- drafting -------------------------------------------------------------------------------------


def _locked_findings(actor: User, review_id: int, *, doing: str) -> Findings:
    """The review's findings row, created if need be, locked, and open for editing by ``actor``."""
    review = Review.objects.select_related("partnership").get(pk=review_id)
    require_review_perm(actor, FINDINGS_DRAFTERS, review, doing)
    Findings.objects.get_or_create(review=review)
    findings = Findings.objects.select_for_update(of=("self",)).select_related("review", "signed_by").get(review=review)
    if findings.is_signed_off:
        raise TransitionRefused(frozen_message(findings))
    if review.state != ReviewState.FINDINGS:
        raise TransitionRefused(
            f"{review} is at {review.get_state_display()}: findings are written in the findings stage."
        )
    return findings


@dataclass
class FindingsData:
    findings: str = ""
    learning: str = ""
    themes: list[str] | None = None
    factors_child: str = ""
    factors_family: str = ""
    factors_physical: str = ""
    factors_services: str = ""
    category_of_death: int | None = None
    modifiable_factors: str = ""
    # The CDR analysis: each domain's level of relevance, and why the category of death was chosen.
    factors_child_relevance: int | None = None
    factors_family_relevance: int | None = None
    factors_physical_relevance: int | None = None
    factors_services_relevance: int | None = None
    category_rationale: str = ""


class FindingsChanged(TransitionRefused):
    """Someone changed the findings since the user read them: nothing was saved or signed."""


def findings_save(*, actor: User, review_id: int, data: FindingsData, based_on: str | None = None) -> Findings:
    """Save the draft findings (and, for a child death review, the CDR analysis).

    ``based_on``: the draft the form was filled in from (``draft_hash``; the form's page always sends
    it, and a caller without one, such as a test or the demo, saves as before).
    If someone saved the findings since, this save is refused rather than overwriting theirs.
    """
    with transaction.atomic():
        findings = _locked_findings(actor, review_id, doing="write its findings")
        review = findings.review
        if based_on and based_on != draft_hash(findings):
            by = person_name(findings.updated_by) if findings.updated_by else "Someone"
            when = f" at {timezone.localtime(findings.updated_at):%H:%M}" if findings.updated_at else ""
            raise FindingsChanged(
                f"{by} saved the findings{when}, after you opened this page. Your changes were not saved, so "
                "as not to overwrite theirs: their version is shown below with what you wrote still in the form. "
                "Save again to replace their version with yours."
            )
        errors: dict[str, str] = {}
        themes = list(data.themes or [])
        allowed = partnership_themes(review.partnership)
        unknown = [t for t in themes if t not in allowed and t not in findings.themes]
        if unknown:
            errors["themes"] = f"Not a theme on the partnership's list: {', '.join(unknown)}."
        if data.category_of_death is not None and data.category_of_death not in CategoryOfDeath.values:
            errors["category_of_death"] = "Choose one of the ten categories of death."
        if data.modifiable_factors and data.modifiable_factors not in ModifiableFactors.values:
            errors["modifiable_factors"] = "Choose yes, no or insufficient information."
        for name, label in ANALYSIS_DOMAINS:
            level = getattr(data, relevance_field(name))
            if level is not None and level not in Relevance.values:
                errors[relevance_field(name)] = f"Choose a level of relevance for the {label[:1].lower()}{label[1:]}."
        if errors:
            raise ValidationError(errors)
        findings.findings = data.findings.strip()
        findings.learning = data.learning.strip()
        findings.themes = themes
        fields = ["findings", "learning", "themes", "updated_by", "updated_at"]
        if findings.needs_analysis:
            for name, _ in ANALYSIS_DOMAINS:
                setattr(findings, name, (getattr(data, name) or "").strip())
                setattr(findings, relevance_field(name), getattr(data, relevance_field(name)))
            findings.category_of_death = data.category_of_death
            findings.category_rationale = data.category_rationale.strip()
            findings.modifiable_factors = data.modifiable_factors
            fields += [name for name, _ in ANALYSIS_DOMAINS] + [relevance_field(name) for name, _ in ANALYSIS_DOMAINS]
            fields += ["category_of_death", "category_rationale", "modifiable_factors"]
        findings.updated_by = actor
        findings.save(update_fields=fields)
        audit_record(actor=actor, verb="findings.saved", target=review)
    return findings


@dataclass
class RecommendationData:
    what: str
    owner_agency: Agency | None
    due_by: date | None
    success_measure: str


def _recommendation_errors(review: Review, data: RecommendationData, *, new: bool) -> dict[str, str]:
    """SMART: specific (what), owned (an agency serving the partnership), time-bound (by when, not in
    the past when made), measurable (how success is measured)."""
    errors: dict[str, str] = {}
    if not data.what.strip():
        errors["what"] = "Say what is to change."
    if data.owner_agency is None:
        errors["owner_agency"] = "Choose the agency that owns the recommendation."
    elif not data.owner_agency.partnerships.filter(pk=review.partnership_id).exists():
        errors["owner_agency"] = f"{data.owner_agency} does not serve {review.partnership}."
    if data.due_by is None:
        errors["due_by"] = "Give the date by when it is to be done."
    elif new and data.due_by < timezone.localdate():
        errors["due_by"] = "The date by when it is to be done is in the past."
    if not data.success_measure.strip():
        errors["success_measure"] = "Say how success will be measured."
    return errors


def recommendation_save(
    *, actor: User, review_id: int, data: RecommendationData, recommendation_id: int | None = None
) -> Recommendation:
    with transaction.atomic():
        findings = _locked_findings(actor, review_id, doing="write its recommendations")
        existing = None
        if recommendation_id is not None:
            existing = Recommendation.objects.get(pk=recommendation_id, findings=findings)
        # A date already agreed may stay as it was; a new or changed date may not be in the past.
        new_date = existing is None or existing.due_by != data.due_by
        errors = _recommendation_errors(findings.review, data, new=new_date)
        if errors:
            raise ValidationError(errors)
        values = {
            "what": data.what.strip(),
            "owner_agency": data.owner_agency,
            "due_by": data.due_by,
            "success_measure": data.success_measure.strip(),
        }
        if existing is None:
            last = findings.recommendations.order_by("-number").values_list("number", flat=True).first() or 0
            recommendation = Recommendation.objects.create(findings=findings, number=last + 1, **values)
            verb = "recommendation.added"
        else:
            recommendation = existing
            for name, value in values.items():
                setattr(recommendation, name, value)
            recommendation.save()
            verb = "recommendation.changed"
        findings.updated_by = actor
        findings.save(update_fields=["updated_by", "updated_at"])
        audit_record(actor=actor, verb=verb, target=findings.review, number=recommendation.number)
    return recommendation


def recommendation_delete(*, actor: User, review_id: int, recommendation_id: int) -> None:
    with transaction.atomic():
        findings = _locked_findings(actor, review_id, doing="remove a recommendation")
        recommendation = Recommendation.objects.get(pk=recommendation_id, findings=findings)
        if recommendation.actions.exists():
            raise TransitionRefused(
                f"Recommendation {recommendation.number} already has actions: it cannot be removed."
            )
        number = recommendation.number
        recommendation.delete()
        audit_record(actor=actor, verb="recommendation.removed", target=findings.review, number=number)


# --- sign-off and reopening -----------------------------------------------------------------------


def _findings_queryset() -> QuerySet[Findings]:
    return Findings.objects.select_related("review__partnership")


def findings_sign_off(
    *, actor: User, review_id: int, read_hash: str, read_content: dict[str, Any] | None = None
) -> SignedFindings:
    """The chair signs off: who, when, and the SHA-256 of the canonical JSON, kept as a new version.

    ``read_hash``: the hash of the content the chair read on the sign-off page (``read_content``,
    when the page sent it back). If the findings changed since, nothing is signed: the refusal lists
    what changed, so the chair signs only what they saw (issue 12).
    """
    created: dict[str, SignedFindings] = {}
    with transaction.atomic():
        review = Review.objects.get(pk=review_id)
        require_review_perm(actor, CHAIR, review, "sign off the findings")
        # Locked before the content is read: every writer of the findings locks this row first, so
        # what is hashed and kept below is exactly what is signed.
        findings = Findings.objects.select_for_update().filter(review=review).first()
        if findings is None:
            raise TransitionRefused("There are no findings to sign off yet.")
        findings.review = review
        content = signed_content(findings)
        if content_hash(content) != read_hash:
            raise FindingsChanged(
                "The findings changed after you opened the sign-off page: nothing was signed. Read them "
                "again below, then sign off if you agree.",
                content_changes(read_content, content) if read_content is not None else [],
            )

        def after(locked: Findings, log: TransitionLog) -> None:
            assert locked.signed_at is not None  # set by the sign_off transition
            (created["version"],) = chain_append(
                [
                    SignedFindings(
                        findings=locked,
                        version=locked.version,
                        content=content,
                        content_hash=locked.content_hash,
                        signed_by=actor,
                        signed_at=locked.signed_at,
                    )
                ]
            )
            findings_sign_off_deadline_met(locked)
            findings_signed(locked)
            audit_record(
                actor=actor,
                verb="findings.signed_off",
                target=locked.review,
                version=locked.version,
                sha256=locked.content_hash,
            )

        run_transition(
            queryset=_findings_queryset(),
            pk=findings.pk,
            name="sign_off",
            actor=actor,
            arguments={"by": actor, "content_hash": content_hash(content)},
            after=after,
        )
    return created["version"]


def findings_send_for_sign_off(*, actor: User, review_id: int) -> Findings:
    """The coordinator sends the findings to the chair, who is told in the app and by e-mail and
    has them on their to-do list until they sign off (issue 12: the chair was never told)."""
    findings_id = Findings.objects.filter(review_id=review_id).values_list("pk", flat=True).first()
    if findings_id is None:
        raise TransitionRefused("There are no findings to send yet: write them first.")

    def after(locked: Findings, log: TransitionLog) -> None:
        findings_sign_off_deadline_sync(locked, today=timezone.localdate())
        audit_record(actor=actor, verb="findings.sent_for_sign_off", target=locked.review)

    return run_transition(
        queryset=_findings_queryset(), pk=findings_id, name="send_for_sign_off", actor=actor, after=after
    )


def findings_reopen(*, actor: User, review_id: int, reason: str) -> Findings:
    """The chair reopens signed findings, with a reason; the next sign-off is a new version."""
    with transaction.atomic():
        review = Review.objects.get(pk=review_id)
        require_review_perm(actor, CHAIR, review, "reopen the findings")
        findings = Findings.objects.filter(review=review).first()
        if findings is None or not findings.is_signed_off:
            raise TransitionRefused("The findings are not signed off: there is nothing to reopen.")
        if not reason.strip():
            raise ValidationError({"reason": "Give the reason for reopening the signed findings."})

        def after(locked: Findings, log: TransitionLog) -> None:
            audit_record(
                actor=actor,
                verb="findings.reopened",
                target=locked.review,
                version=locked.version,
                reason=reason.strip(),
            )

        return run_transition(
            queryset=_findings_queryset(),
            pk=findings.pk,
            name="reopen",
            actor=actor,
            reason=reason,
            after=after,
        )
