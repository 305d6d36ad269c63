"""The factual accuracy round: sending a draft of the overview report to chosen agencies, their
comments and answers, the reviewer's responses, and the round's closing.

A round closes when every agency asked has answered (in the service that takes the last answer) or
once its due date has passed: the periodic task (reviews.tasks) closes those, and every read of a
round closes it first if it is due, so nobody sees an open round past its date. Closing stops the
agencies' reminders (the reminder engine's deadlines, reviews.services.deadlines) in the same commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviews.models import (
    AccuracyComment,
    AccuracyRound,
    ClosedBecause,
    CommentResponse,
    OverviewReport,
    ReportSection,
    ResponseOutcome,
    Review,
    ReviewRole,
    Role,
    RoundAgency,
)
from reviews.permissions import COORDINATE, REPORT_WRITERS, is_agency_lead, require_review_perm
from reviews.selectors.accuracy import closed_message
from reviews.services.deadlines import accuracy_deadlines_sync
from reviews.services.report import refuse_closed_report
from workflows.audit import audit_record
from workflows.runner import TransitionRefused
from workflows.types import User

# --- sending --------------------------------------------------------------------------------------


def accuracy_round_send(
    *, actor: User, review_id: int, lead_role_ids: Iterable[int], due_date: date | None
) -> AccuracyRound:
    """Send the newest draft version of the overview report to the agencies whose leads are chosen
    (``lead_role_ids``: the review's agency-lead roles), comments due by ``due_date``. Each agency is
    chased by the reminder engine until it answers or the round closes. The version is frozen from now."""
    today = timezone.localdate()
    role_ids = list(dict.fromkeys(lead_role_ids))
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=review_id)
        require_review_perm(actor, COORDINATE, review, "send the overview report for factual accuracy")
        refuse_closed_report(review)
        _close_past_due(AccuracyRound.objects.filter(review=review, closed_at__isnull=True), today)
        report = OverviewReport.objects.filter(review=review).first()
        version = report.versions.order_by("-number").first() if report is not None else None
        if version is None or not version.sections.exists():
            raise TransitionRefused("Write the overview report first: there is no draft with sections to send.")
        if version.is_final:
            raise TransitionRefused(f"Version {version.number} is final: factual accuracy is checked on a draft.")
        open_round = AccuracyRound.objects.filter(review=review, closed_at__isnull=True).first()
        if open_round is not None:
            raise TransitionRefused(
                f"A factual accuracy round is open until {open_round.due_date:%-d %B %Y} (version "
                f"{open_round.version.number}): one round at a time."
            )
        errors: dict[str, str] = {}
        roles = list(
            ReviewRole.objects.select_related("agency", "user").filter(
                pk__in=role_ids, review=review, role=Role.AGENCY_LEAD
            )
        )
        if not role_ids:
            errors["leads"] = "Choose at least one agency to ask for comments."
        elif len(roles) != len(role_ids):
            errors["leads"] = "Choose from the agency leads on this review."
        elif len({role.agency_id for role in roles}) != len(roles):
            errors["leads"] = "Choose one lead for each agency: each agency answers once."
        if due_date is None:
            errors["due_date"] = "Enter the date comments are due"
        elif due_date <= today:
            errors["due_date"] = "The date comments are due must be in the future"
        if errors:
            raise ValidationError(errors)
        assert due_date is not None
        accuracy_round = AccuracyRound.objects.create(review=review, version=version, due_date=due_date, sent_by=actor)
        asked = RoundAgency.objects.bulk_create(
            RoundAgency(round=accuracy_round, agency=role.agency, lead=role.user) for role in roles if role.agency
        )
        for row in asked:
            row.round = accuracy_round
        accuracy_deadlines_sync(asked)
        audit_record(
            actor=actor,
            verb="accuracy.round_sent",
            target=review,
            version=version.number,
            due_date=due_date.isoformat(),
            agencies=sorted(role.agency_id for role in roles if role.agency_id),
        )
    return accuracy_round


# --- closing --------------------------------------------------------------------------------------


def _end_of(due: date) -> datetime:
    """Comments are taken to the end of the due day: the round closes as the next day starts."""
    return timezone.make_aware(datetime.combine(due + timedelta(days=1), time.min))


def _close(accuracy_round: AccuracyRound, because: str, at: datetime) -> None:
    accuracy_round.closed_at = at
    accuracy_round.closed_because = because
    accuracy_round.save(update_fields=["closed_at", "closed_because"])
    asked = list(accuracy_round.agencies.select_related("agency", "lead"))
    for row in asked:
        row.round = accuracy_round
    # Answered agencies' deadlines are met already; the others' are cancelled and stop reminding.
    accuracy_deadlines_sync(asked)
    audit_record(
        actor=None,
        verb="accuracy.round_closed",
        target=accuracy_round.review,
        round=accuracy_round.pk,
        because=because,
    )


def _close_past_due(rounds: Iterable[AccuracyRound], today: date) -> list[int]:
    closed = []
    for accuracy_round in rounds:
        if accuracy_round.closed_at is None and accuracy_round.due_date < today:
            _close(accuracy_round, ClosedBecause.DATE_PASSED, _end_of(accuracy_round.due_date))
            closed.append(accuracy_round.pk)
    return closed


def accuracy_rounds_close_past_due(*, review_id: int | None = None) -> list[int]:
    """Close every open round (of one review, or all) whose due date has passed; the ids closed.
    Safe to run twice and alongside the services: each round is locked, and skipped when another
    transaction holds it (that one closes it, or the next run does)."""
    today = timezone.localdate()
    due = AccuracyRound.objects.filter(closed_at__isnull=True, due_date__lt=today)
    if review_id is not None:
        due = due.filter(review_id=review_id)
    closed: list[int] = []
    for round_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            rounds = (
                AccuracyRound.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("review__partnership", "version")
                .filter(pk=round_id, closed_at__isnull=True)
            )
            closed += _close_past_due(rounds, today)
    return closed


# --- the agencies' comments and answers -----------------------------------------------------------


def _locked_round(actor: User, round_id: int, agency_id: int, doing: str) -> tuple[AccuracyRound, RoundAgency]:
    """The round and the agency's row, locked, after closing the round if its date has passed.
    Refused (TransitionRefused, nothing changed) once it is closed or the agency has answered."""
    accuracy_round = (
        AccuracyRound.objects.select_for_update(of=("self",))
        .select_related("review__partnership", "version")
        .get(pk=round_id)
    )
    if not is_agency_lead(actor, review_id=accuracy_round.review_id, agency_id=agency_id):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(f"You need the agency's lead role on {accuracy_round.review} to {doing}.")
    refuse_closed_report(accuracy_round.review)
    _close_past_due([accuracy_round], timezone.localdate())
    if accuracy_round.closed_at is not None:
        raise TransitionRefused(closed_message(accuracy_round))
    asked = (
        RoundAgency.objects.select_for_update()
        .select_related("agency", "lead")
        .filter(round=accuracy_round, agency_id=agency_id)
        .first()
    )
    if asked is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(f"The agency was not asked for comments in this round of {accuracy_round.review}.")
    if asked.answered_at is not None:
        raise TransitionRefused(
            f"{asked.agency} answered on {timezone.localtime(asked.answered_at):%-d %B %Y}: "
            "its comments on this draft are complete."
        )
    asked.round = accuracy_round
    return accuracy_round, asked


def accuracy_comment_add(
    *, actor: User, round_id: int, agency_id: int, section_id: int | None, text: str
) -> AccuracyComment:
    """A comment of the agency's lead on one section of the draft sent."""
    with transaction.atomic():
        accuracy_round, asked = _locked_round(actor, round_id, agency_id, "comment on the draft")
        errors: dict[str, str] = {}
        section = (
            ReportSection.objects.filter(pk=section_id, version_id=accuracy_round.version_id).first()
            if section_id is not None
            else None
        )
        if section is None:
            errors["section"] = "Choose the section the comment is about."
        text = text.strip()
        if not text:
            errors["text"] = "Enter the comment: what is factually inaccurate, and what is correct."
        elif len(text) > 5000:
            errors["text"] = "Keep the comment to 5,000 characters."
        if errors:
            raise ValidationError(errors)
        assert section is not None
        comment = AccuracyComment.objects.create(
            round=accuracy_round, agency_id=agency_id, section=section, text=text, author=actor
        )
        audit_record(
            actor=actor,
            verb="accuracy.comment_added",
            target=accuracy_round.review,
            round=accuracy_round.pk,
            agency=agency_id,
            comment=comment.pk,
        )
    return comment


def accuracy_answer(*, actor: User, round_id: int, agency_id: int, no_inaccuracies: bool) -> RoundAgency:
    """The agency's answer: "no factual inaccuracies", or its comments sent as they stand. The
    reminders to the agency stop; the round closes when it was the last agency to answer."""
    with transaction.atomic():
        accuracy_round, asked = _locked_round(actor, round_id, agency_id, "answer for the agency")
        commented = AccuracyComment.objects.filter(round=accuracy_round, agency_id=agency_id).exists()
        if no_inaccuracies and commented:
            raise ValidationError(
                {
                    "answer": "Your agency has commented on this draft: send the comments, rather than confirm "
                    "there are no factual inaccuracies."
                }
            )
        if not no_inaccuracies and not commented:
            raise ValidationError(
                {"answer": "Comment on a section first, or confirm there are no factual inaccuracies."}
            )
        now = timezone.now()
        asked.answered_at = now
        asked.answered_by = actor
        asked.no_inaccuracies = no_inaccuracies
        asked.save(update_fields=["answered_at", "answered_by", "no_inaccuracies"])
        accuracy_deadlines_sync([asked])
        audit_record(
            actor=actor,
            verb="accuracy.answered",
            target=accuracy_round.review,
            round=accuracy_round.pk,
            agency=agency_id,
            no_inaccuracies=no_inaccuracies,
        )
        if not RoundAgency.objects.filter(round=accuracy_round, answered_at__isnull=True).exists():
            _close(accuracy_round, ClosedBecause.ALL_ANSWERED, now)
    return asked


# --- the reviewer's responses ---------------------------------------------------------------------


def accuracy_comment_respond(
    *, actor: User, review_id: int, comment_id: int | None, outcome: str, reason: str = ""
) -> CommentResponse:
    """The reviewer's answer to one comment: accepted, changed, or not accepted with the reason.
    Answered while the round is open or after it closed; answering again replaces the answer (the
    audit trail keeps each)."""
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).get(pk=review_id)
        require_review_perm(actor, REPORT_WRITERS, review, "answer factual accuracy comments")
        comment = (
            AccuracyComment.objects.select_related("round").filter(pk=comment_id, round__review=review).first()
            if comment_id is not None
            else None
        )
        if comment is None:
            raise ValidationError({"comment": "Choose a comment of this review's factual accuracy rounds."})
        errors: dict[str, str] = {}
        reason = reason.strip()
        if outcome not in ResponseOutcome.values:
            errors["outcome"] = "Choose whether the comment is accepted, the report changed, or not accepted."
        elif outcome == ResponseOutcome.NOT_ACCEPTED and not reason:
            errors["reason"] = "Give the reason the comment is not accepted."
        if len(reason) > 5000:
            errors["reason"] = "Keep the reason to 5,000 characters."
        if errors:
            raise ValidationError(errors)
        response, created = CommentResponse.objects.update_or_create(
            comment=comment, defaults={"outcome": outcome, "reason": reason, "by": actor, "at": timezone.now()}
        )
        audit_record(
            actor=actor,
            verb="accuracy.comment_answered",
            target=review,
            comment=comment.pk,
            outcome=outcome,
            again=not created,
        )
    return response
