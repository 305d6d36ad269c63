"""Writing the overview report: versions, their sections, and marking a version final.

Every writer locks the review's row first, so a new version, an edit and the sending of a version
for factual accuracy (reviews.services.accuracy) never interleave: a version sent is never changed
after it was read for sending.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from reviews.models import (
    AccuracyRound,
    Findings,
    OverviewReport,
    ReportSection,
    ReportVersion,
    Review,
    SectionKind,
    VersionState,
)
from reviews.models.report import LINKED_KINDS
from reviews.permissions import REPORT_WRITERS, require_review_perm
from reviews.selectors.report import frozen_reason, linked_findings
from workflows.audit import audit_record
from workflows.runner import TransitionRefused
from workflows.types import User


def _locked_review(actor: User, review_id: int, doing: str) -> Review:
    review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
    require_review_perm(actor, REPORT_WRITERS, review, doing)
    refuse_closed_report(review)
    return review


def refuse_closed_report(review: Review) -> None:
    """A closed or withdrawn review's report, and its factual accuracy rounds, are kept as they stand."""
    if not review.is_open:
        raise TransitionRefused(f"{review} is {review.get_state_display().lower()}: its report is kept as it stands.")


def _version(review: Review, number: int) -> ReportVersion:
    version = ReportVersion.objects.select_related("report").filter(report__review=review, number=number).first()
    if version is None:
        raise ValidationError(f"{review} has no version {number} of its overview report.")
    return version


def _editable(review: Review, number: int) -> ReportVersion:
    version = _version(review, number)
    reason = frozen_reason(version)
    if reason:
        raise TransitionRefused(reason)
    return version


# --- versions -------------------------------------------------------------------------------------


def report_version_new(*, actor: User, review_id: int, note: str = "") -> ReportVersion:
    """The next version: the report's first (empty), or a copy of the newest one's sections (each
    keeping its lineage, so the diff pairs it with its earlier self). The newer version freezes the
    one before. Refused once a version is final."""
    note = note.strip()
    if len(note) > 500:
        raise ValidationError({"note": "Keep the note to 500 characters."})
    with transaction.atomic():
        review = _locked_review(actor, review_id, "start a version of the overview report")
        report, _ = OverviewReport.objects.get_or_create(review=review, defaults={"created_by": actor})
        newest = report.versions.order_by("-number").first()
        if newest is not None and newest.is_final:
            raise TransitionRefused(
                f"Version {newest.number} of the overview report is final: no further version can be started."
            )
        version = ReportVersion.objects.create(
            report=report, number=(newest.number + 1) if newest else 1, note=note, created_by=actor
        )
        if newest is not None:
            ReportSection.objects.bulk_create(
                ReportSection(
                    version=version,
                    position=s.position,
                    kind=s.kind,
                    heading=s.heading,
                    body=s.body,
                    findings_id=s.findings_id,
                    lineage=s.lineage,
                )
                for s in newest.sections.order_by("position")
            )
        audit_record(actor=actor, verb="report.version_started", target=review, version=version.number)
    return version


@dataclass(frozen=True)
class SectionData:
    heading: str
    kind: str = SectionKind.TEXT
    body: str = ""


def _section_errors(review: Review, data: SectionData) -> tuple[dict[str, str], Findings | None]:
    errors: dict[str, str] = {}
    heading, body = data.heading.strip(), data.body.strip()
    if not heading:
        errors["heading"] = "Enter a heading for the section."
    elif len(heading) > 200:
        errors["heading"] = "Keep the heading to 200 characters."
    findings = None
    if data.kind not in SectionKind.values:
        errors["kind"] = "Choose what the section holds."
    elif data.kind in LINKED_KINDS:
        findings = Findings.objects.filter(review=review).first()
        if linked_findings(findings).signed is None:
            errors["kind"] = (
                "The findings have never been signed off: a section can show them only once the chair has signed them."
            )
        if body:
            errors["body"] = (
                "A section showing the signed findings has no text of its own: leave this empty, "
                "or make it a section of your own text."
            )
    elif not body:
        errors["body"] = "Enter the section's text."
    return errors, findings


def report_section_save(
    *, actor: User, review_id: int, number: int, data: SectionData, section_id: int | None = None
) -> ReportSection:
    """Add a section at the end of version ``number`` (or change ``section_id`` of it). A linked
    section holds the findings by reference only: its text is read from their signed version."""
    with transaction.atomic():
        review = _locked_review(actor, review_id, "write the overview report")
        version = _editable(review, number)
        section = None
        if section_id is not None:
            section = ReportSection.objects.filter(pk=section_id, version=version).first()
            if section is None:
                raise TransitionRefused(f"Version {number} has no such section: it was removed.")
        errors, findings = _section_errors(review, data)
        if errors:
            raise ValidationError(errors)
        fields = {
            "heading": data.heading.strip(),
            "kind": data.kind,
            "body": "" if data.kind in LINKED_KINDS else data.body.strip(),
            "findings": findings if data.kind in LINKED_KINDS else None,
        }
        if section is None:
            last = version.sections.aggregate(last=Max("position"))["last"]
            section = ReportSection.objects.create(version=version, position=(last or 0) + 1, **fields)
            verb = "report.section_added"
        else:
            for name, value in fields.items():
                setattr(section, name, value)
            section.save(update_fields=list(fields))
            verb = "report.section_changed"
        audit_record(actor=actor, verb=verb, target=review, version=number, section=section.pk, kind=data.kind)
    return section


def report_section_move(*, actor: User, review_id: int, number: int, section_id: int, up: bool) -> ReportSection:
    """Swap the section with the one before (``up``) or after it; at either end nothing moves."""
    with transaction.atomic():
        review = _locked_review(actor, review_id, "write the overview report")
        version = _editable(review, number)
        sections = list(version.sections.order_by("position"))
        index = next((i for i, s in enumerate(sections) if s.pk == section_id), None)
        if index is None:
            # Removed meanwhile (a second click on Remove): refused, as a step that is no longer there.
            raise TransitionRefused(f"Version {number} has no such section: it was removed.")
        other = index - 1 if up else index + 1
        section = sections[index]
        if 0 <= other < len(sections):
            neighbour = sections[other]
            # The unique position is checked at commit (deferred), so the two can swap.
            section.position, neighbour.position = neighbour.position, section.position
            section.save(update_fields=["position"])
            neighbour.save(update_fields=["position"])
            audit_record(actor=actor, verb="report.section_moved", target=review, version=number, section=section.pk)
    return section


def report_section_delete(*, actor: User, review_id: int, number: int, section_id: int) -> None:
    """Remove a section from the draft (earlier versions keep theirs); the ones after move up."""
    with transaction.atomic():
        review = _locked_review(actor, review_id, "write the overview report")
        version = _editable(review, number)
        section = ReportSection.objects.filter(pk=section_id, version=version).first()
        if section is None:
            # Removed meanwhile (a second click on Remove): refused, as a step that is no longer there.
            raise TransitionRefused(f"Version {number} has no such section: it was removed.")
        heading = section.heading
        section.delete()
        for position, later in enumerate(version.sections.order_by("position"), start=1):
            if later.position != position:
                later.position = position
                later.save(update_fields=["position"])
        audit_record(actor=actor, verb="report.section_removed", target=review, version=number, heading=heading)


def report_version_finalise(*, actor: User, review_id: int, number: int) -> ReportVersion:
    """Mark the newest version final: the one publication reads. Refused while a factual accuracy
    round on it is open, when it has no section, or when a section shows findings that were
    reopened (the final report must show findings as signed)."""
    with transaction.atomic():
        review = _locked_review(actor, review_id, "mark the overview report final")
        version = _version(review, number)
        if version.is_final:
            raise TransitionRefused(f"Version {number} is already final.")
        newest = version.report.versions.aggregate(newest=Max("number"))["newest"]
        if newest != version.number:
            raise TransitionRefused(f"Only the newest version, version {newest}, can be marked final.")
        if AccuracyRound.objects.filter(version=version, closed_at__isnull=True).exists():
            raise TransitionRefused(
                f"Version {number} is out for factual accuracy: mark it final once the round has closed."
            )
        sections = list(version.sections.all())
        if not sections:
            raise TransitionRefused(f"Version {number} has no sections: write the report first.")
        findings_ids = {s.findings_id for s in sections if s.findings_id is not None}
        for findings in Findings.objects.filter(pk__in=findings_ids):
            linked = linked_findings(findings)
            if linked.signed is None or linked.reopened:
                raise TransitionRefused(
                    "The findings were reopened and are not signed again: the final report must show signed findings."
                )
        version.state = VersionState.FINAL
        version.finalised_by = actor
        version.finalised_at = timezone.now()
        version.save(update_fields=["state", "finalised_by", "finalised_at"])
        audit_record(actor=actor, verb="report.version_finalised", target=review, version=number)
    return version
