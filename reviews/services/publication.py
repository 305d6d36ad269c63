"""Recording publication (reviews/models/publication.py): in full, as a summary only, or not at all.

One service takes the whole decision and refuses it with every reason at once, keyed by the form's
fields, saving nothing, when any part cannot stand:
- the findings must be signed off (a report is written from them);
- a publication date in the past is refused (publication is recorded ahead of, or on, the day);
- a CSPR's advance copy must have gone to the national Panel and the Secretary of State at least 7
  working days before the publication date, counted in the statutory calendar (weekends and bank
  holidays; a council's closure days never move it);
- a DHR goes to the Home Office quality assurance panel before publication;
- the family is told of the date, and the report has a public address;
- the overview report has a final version, and no identity in it (the title and each section) that
  the chair has not overridden (reviews/selectors/leaks.py);
- a summary only, or no publication, needs its reason, and for a CSPR the date that decision went
  to the national Panel.
A publication dated today is published at once; a later one is scheduled and published on its day
by ``publications_publish_due`` (a beat task), which is when the CSPR's clock stops.

The PDF is drawn from the final version, pseudonyms only, and kept in the documents storage under a
random name. Drawing takes seconds, so it happens outside any transaction: the decision is checked
first without a lock (bad input never waits for a PDF), the PDF is drawn and stored, then the review
is locked, everything is checked again (and the final version must be the one drawn), and the rows
are written. If that fails, the stored file is removed again.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from reviews.models import Review, ReviewKind
from reviews.models.clocks import ADVANCE_COPY, specs_for
from reviews.models.publication import PUBLISHED_KINDS, Publication, PublicationDecision, PublicationState
from reviews.models.report import ReportVersion
from reviews.permissions import COORDINATE, require_review_perm
from reviews.selectors.publication import pdf_from_html
from reviews.selectors.report import final_report_texts, final_version, report_html
from reviews.services.clocks import review_clocks_refresh
from workflows.audit import audit_record
from workflows.calendar import add_working_days
from workflows.clocks import DurationUnit, compute_due_date
from workflows.runner import TransitionRefused
from workflows.types import User


@dataclass(frozen=True)
class PublicationData:
    decision: str
    publish_on: date | None = None
    family_told_on: date | None = None
    public_url: str = ""
    reason: str = ""
    decision_sent_to_panel_on: date | None = None


def _long(day: date) -> str:
    return f"{day:%-d %B %Y}"


def advance_copy_due(publish_on: date) -> date:
    """The last day the advance copy may go: 7 working days before publication, statutory calendar."""
    return compute_due_date(publish_on, -ADVANCE_COPY.duration, DurationUnit.WORKING_DAYS)


def _owes_advance_copy(review: Review) -> bool:
    return any(spec.key == ADVANCE_COPY.key for spec in specs_for(review.kind))


def _advance_copy_error(review: Review, publish_on: date) -> str | None:
    due = advance_copy_due(publish_on)
    sent = review.advance_copy_sent_on
    if sent is None:
        return (
            f"Send the advance copy of the final report to the national Panel and the Secretary of State, and "
            f"record it under Onward notices: for publication on {_long(publish_on)} it must go by {_long(due)}, "
            "7 working days before."
        )
    if sent > due:
        earliest = add_working_days(sent, ADVANCE_COPY.duration)
        return (
            f"The advance copy went on {_long(sent)}: publication must be at least 7 working days later, "
            f"so not before {_long(earliest)} (for {_long(publish_on)} it had to go by {_long(due)})."
        )
    return None


def _publishing_errors(
    review: Review, data: PublicationData, today: date, version: ReportVersion | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.publish_on is None:
        errors["publish_on"] = "Give the publication date."
    elif data.publish_on < today:
        errors["publish_on"] = (
            f"The publication date cannot be in the past: choose {_long(today)} or later. Publication is "
            "recorded on or before the day."
        )
    elif _owes_advance_copy(review) and (advance := _advance_copy_error(review, data.publish_on)):
        errors["publish_on"] = advance
    report_error = _final_report_error(review, version)
    if report_error:
        errors["decision"] = report_error
    elif review.kind == ReviewKind.DHR and review.sent_to_qa_panel_on is None:
        errors["decision"] = (
            "Send the report to the Home Office quality assurance panel, and record the date under Key dates, "
            "before publication."
        )
    if data.family_told_on is None:
        errors["family_told_on"] = "Give the date the family was told of the publication date."
    elif data.family_told_on > today:
        errors["family_told_on"] = "The date the family was told cannot be in the future."
    if not data.public_url.strip():
        errors["public_url"] = "Give the public address the report is published at."
    elif not data.public_url.startswith("https://"):
        errors["public_url"] = "The public address must start with https://."
    return errors


def _final_report_error(review: Review, version: ReportVersion | None) -> str | None:
    """Why the report cannot be printed yet: no final version, or an identity in it not overridden."""
    from reviews.conditions.leaks import leak_refusal

    if version is None:
        return "Mark a version of the overview report final first: publication prints the final version."
    return leak_refusal(review, final_report_texts(review, version))


def _decision_errors(
    review: Review, data: PublicationData, today: date, version: ReportVersion | None
) -> dict[str, str]:
    if data.decision not in PublicationDecision.values:
        return {"decision": "Choose whether to publish in full, a summary only, or not to publish."}
    errors: dict[str, str] = {}
    if data.decision != PublicationDecision.NOT_PUBLISHED:
        errors.update(_publishing_errors(review, data, today, version))
    if data.decision != PublicationDecision.FULL:
        decision = "to publish a summary only" if data.decision == PublicationDecision.SUMMARY else "not to publish"
        if not data.reason.strip():
            errors["reason"] = f"Give the reason for the decision {decision}."
        if review.kind == ReviewKind.CSPR:
            sent = data.decision_sent_to_panel_on
            if sent is None:
                errors["decision_sent_to_panel_on"] = (
                    f"Give the date the decision {decision}, with its reason, was sent to the national Panel."
                )
            elif sent > today:
                errors["decision_sent_to_panel_on"] = "The date the decision was sent cannot be in the future."
    return errors


def _refuse(actor: User, review: Review, data: PublicationData, today: date) -> ReportVersion | None:
    """Raise why ``review`` cannot be published as ``data`` says, saving nothing; else return the
    final version to print (None when not publishing)."""
    from reviews.conditions.findings import findings_signed_off

    require_review_perm(actor, COORDINATE, review, "record the publication")
    if review.kind not in PUBLISHED_KINDS:
        raise TransitionRefused(f"A {review.get_kind_display().lower()} is not published.")
    if Publication.objects.filter(review=review).exists():
        raise TransitionRefused(f"The publication of {review.reference} is already recorded.")
    unsigned = findings_signed_off.explain(review)
    if unsigned:
        raise TransitionRefused(f"{review.reference} cannot be published yet.", [unsigned])
    version = None if data.decision == PublicationDecision.NOT_PUBLISHED else final_version(review)
    errors = _decision_errors(review, data, today, version)
    if errors:
        raise ValidationError(errors)
    return version


def publication_record(*, actor: User, review_id: int, data: PublicationData) -> Publication:
    today = timezone.localdate()
    version = _refuse(actor, Review.objects.select_related("partnership").get(pk=review_id), data, today)
    pdf_name, pdf_sha256 = _published_pdf(review_id, version) if version is not None else ("", "")
    try:
        with transaction.atomic():
            review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
            # Checked again under the lock: another coordinator may have recorded it meanwhile.
            locked_version = _refuse(actor, review, data, today)
            if (locked_version and locked_version.pk) != (version and version.pk):
                raise TransitionRefused(
                    "The final version of the report changed meanwhile: record the publication again."
                )
            return _publication_write(actor, review, data, today, version, pdf_name, pdf_sha256)
    except BaseException:
        if pdf_name:
            storages[PDF_STORAGE].delete(pdf_name)  # the publication was not recorded: nor is its file
        raise


def _publication_write(
    actor: User,
    review: Review,
    data: PublicationData,
    today: date,
    version: ReportVersion | None,
    pdf_name: str,
    pdf_sha256: str,
) -> Publication:
    declined = data.decision == PublicationDecision.NOT_PUBLISHED
    publish_on = None if declined else data.publish_on
    if declined:
        state = PublicationState.DECLINED
    elif publish_on == today:
        state = PublicationState.PUBLISHED
    else:
        state = PublicationState.SCHEDULED
    publication = Publication.objects.create(
        review=review,
        decision=data.decision,
        state=state,
        reason=data.reason.strip(),
        publish_on=publish_on,
        family_told_on=None if declined else data.family_told_on,
        public_url="" if declined else data.public_url.strip(),
        decision_sent_to_panel_on=data.decision_sent_to_panel_on,
        report_version=version,
        pdf_name=pdf_name,
        pdf_sha256=pdf_sha256,
        recorded_by=actor,
    )
    review.publication_decision = data.decision
    if declined:
        review.publication_declined_on = today
    elif state == PublicationState.PUBLISHED:
        review.published_on = today
    else:
        review.publication_planned_on = publish_on
    review.save(
        update_fields=["publication_decision", "publication_declined_on", "published_on", "publication_planned_on"]
    )
    review_clocks_refresh(review=review)
    audit_record(
        actor=actor,
        verb="publication.recorded",
        target=review,
        decision=data.decision,
        state=state,
        publish_on=publish_on.isoformat() if publish_on else None,
        pdf_sha256=pdf_sha256 or None,
    )
    return publication


# Where the published PDF is kept: with the review's documents (settings.STORAGES).
PDF_STORAGE = "documents"


def _published_pdf(review_id: int, version: ReportVersion) -> tuple[str, str]:
    """Draw the final version as a PDF and store it under a random name: (name, SHA-256)."""
    pdf = pdf_from_html(report_html(version))
    name = storages[PDF_STORAGE].save(f"{review_id}/published-{uuid.uuid4().hex}.pdf", ContentFile(pdf))
    return name, hashlib.sha256(pdf).hexdigest()


def publications_publish_due(*, today: date | None = None) -> list[str]:
    """Publish every scheduled publication whose day has come: the review's publication date is
    recorded, which stops its clock. Returns the references published. Each in its own transaction,
    so one review's failure leaves the others published."""
    today = today or timezone.localdate()
    published = []
    due = Publication.objects.filter(state=PublicationState.SCHEDULED, publish_on__lte=today).values_list(
        "review_id", flat=True
    )
    for review_id in list(due):
        with transaction.atomic():
            # The review's row first, as every writer of a review locks it.
            review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
            publication = Publication.objects.filter(review=review, state=PublicationState.SCHEDULED).first()
            if publication is None:
                continue  # published meanwhile by another worker
            publication.state = PublicationState.PUBLISHED
            publication.save(update_fields=["state"])
            review.published_on = publication.publish_on
            review.save(update_fields=["published_on"])
            review_clocks_refresh(review=review)
            audit_record(actor=None, verb="publication.published", target=review, published_on=str(review.published_on))
            published.append(review.reference)
    return published
