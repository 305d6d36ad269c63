"""The factual accuracy round (docs/DOMAIN.md "Overview report"): sent to chosen agencies, chased
by the reminder engine, answered per agency, closed when all have answered or the date passes.

Dates, worked by hand: sent Monday 1 March 2027, due Friday 5 March 2027 (no bank holiday near).
The default reminder schedule (5 and 1 working days before, on the day, 1 working day after) gives
for a deadline set on 1 March: 5 working days before 5 March is Friday 26 February, already past,
so the first reminder is 1 working day before, Thursday 4 March; then Friday 5 March (due day) and
Monday 8 March (1 working day overdue). The round closes as Saturday 6 March begins.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from notifications.models import Deadline, DeadlineKind, DeadlineState, Notification
from notifications.sweep import reminders_sweep_and_expand
from reviews.models import AccuracyComment, AccuracyRound, CommentResponse, ReportSection, RoundAgency
from reviews.services.accuracy import (
    accuracy_answer,
    accuracy_comment_add,
    accuracy_comment_respond,
    accuracy_round_send,
    accuracy_rounds_close_past_due,
)
from reviews.services.report import SectionData, report_section_save, report_version_finalise, report_version_new
from reviews.tasks import close_accuracy_rounds_past_due
from tests.reviews.accuracy.conftest import DUE, lead_roles
from workflows.runner import TransitionRefused

CLOSED = "The factual accuracy round closed on 6 March 2027: comments are no longer taken."


def deadline_of(accuracy_round: AccuracyRound, agency) -> Deadline:
    row = RoundAgency.objects.get(round=accuracy_round, agency=agency)
    return Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(RoundAgency), object_id=row.pk, kind=DeadlineKind.ACCURACY_DUE
    )


def reminders_to(user) -> list[tuple[str, int | None]]:
    """(day the reminder was written for, step) of each e-mail reminder ``user`` got for accuracy."""
    return [
        (n.due_date.isoformat(), n.step)
        for n in Notification.objects.filter(
            recipient=user, kind="reminder", channel="email", deadline__kind=DeadlineKind.ACCURACY_DUE
        ).order_by("id")
    ]


def section(accuracy_round: AccuracyRound, heading: str) -> ReportSection:
    return accuracy_round.version.sections.get(heading=heading)


def comment(accuracy_round, lead, agency, text="Child A was seen on 3 May, not 5 May.", heading="Introduction"):
    return accuracy_comment_add(
        actor=lead,
        round_id=accuracy_round.pk,
        agency_id=agency.pk,
        section_id=section(accuracy_round, heading).pk,
        text=text,
    )


def test_each_agency_asked_gets_a_deadline_told_at_once(sent, coordinator, police, gp, police_lead, gp_lead):
    for agency, lead in ((police, police_lead), (gp, gp_lead)):
        deadline = deadline_of(sent, agency)
        assert (deadline.due_date, deadline.state, deadline.next_reminder_on) == (
            DUE,
            DeadlineState.OPEN,
            date(2027, 3, 4),
        )
        assert list(deadline.recipients.all()) == [lead]
        assert list(deadline.escalation_recipients.all()) == [coordinator]
        assert deadline.context["what"] == f"{agency} factual accuracy comments on the overview report (version 1)"
        assert deadline.context["link"] == f"/reviews/{sent.review.reference}/report/accuracy/{sent.pk}/"
        # Announced: the lead is told of the due date straight away, in the app and by e-mail.
        assert Notification.objects.filter(deadline=deadline, recipient=lead, kind="deadline_set").exists()


def test_the_round_is_chased_answered_and_closes_when_all_have_answered(
    sent, today, chair, police, gp, police_lead, gp_lead
):
    """Police confirms on Tuesday; the sweep on Thursday chases the GP only; the GP comments and sends
    on Thursday: the round closes, every deadline met, and the Friday sweep chases nobody."""
    today.set(date(2027, 3, 2))
    accuracy_answer(actor=police_lead, round_id=sent.pk, agency_id=police.pk, no_inaccuracies=True)
    assert deadline_of(sent, police).state == DeadlineState.MET
    assert AccuracyRound.objects.get(pk=sent.pk).closed_at is None  # the GP has not answered

    today.set(date(2027, 3, 4))
    reminders_sweep_and_expand(today=date(2027, 3, 4))
    assert reminders_to(police_lead) == []
    assert reminders_to(gp_lead) == [("2027-03-05", -1)]

    first = comment(sent, gp_lead, gp)
    second = comment(sent, gp_lead, gp, text="R1 belongs to the health visiting service.", heading="Recommendations")
    accuracy_answer(actor=gp_lead, round_id=sent.pk, agency_id=gp.pk, no_inaccuracies=False)
    closed = AccuracyRound.objects.get(pk=sent.pk)
    assert closed.closed_because == "all_answered" and closed.closed_at is not None
    assert deadline_of(sent, gp).state == DeadlineState.MET
    assert RoundAgency.objects.get(round=sent, agency=gp).no_inaccuracies is False
    assert RoundAgency.objects.get(round=sent, agency=police).no_inaccuracies is True

    today.set(date(2027, 3, 5))
    reminders_sweep_and_expand(today=date(2027, 3, 5))
    assert reminders_to(gp_lead) == [("2027-03-05", -1)]  # nothing new

    # The reviewer answers each comment, after the round closed too.
    accuracy_comment_respond(actor=chair, review_id=sent.review_id, comment_id=first.pk, outcome="changed")
    accuracy_comment_respond(
        actor=chair,
        review_id=sent.review_id,
        comment_id=second.pk,
        outcome="not_accepted",
        reason="The recommendation is the police's: their training programme.",
    )
    assert dict(CommentResponse.objects.values_list("comment_id", "outcome")) == {
        first.pk: "changed",
        second.pk: "not_accepted",
    }


def test_a_round_whose_date_passes_closes_by_the_task_and_its_reminders_stop(
    sent, today, police, gp, police_lead, gp_lead
):
    """The police answer; the GP never does. The task on Friday 5 March (the due day) leaves the
    round open; on Monday 8 March it closes it (from 6 March), the GP's deadline is cancelled, and
    Monday's sweep, whose step would be "1 working day overdue", sends the GP nothing."""
    accuracy_answer(actor=police_lead, round_id=sent.pk, agency_id=police.pk, no_inaccuracies=True)
    today.set(date(2027, 3, 4))
    reminders_sweep_and_expand(today=date(2027, 3, 4))
    today.set(DUE)
    assert close_accuracy_rounds_past_due() == {"closed": 0}
    reminders_sweep_and_expand(today=DUE)
    assert reminders_to(gp_lead) == [("2027-03-05", -1), ("2027-03-05", 0)]

    today.set(date(2027, 3, 8))
    assert close_accuracy_rounds_past_due() == {"closed": 1}
    assert close_accuracy_rounds_past_due() == {"closed": 0}  # twice is harmless
    closed = AccuracyRound.objects.get(pk=sent.pk)
    assert closed.closed_because == "date_passed"
    assert timezone.localtime(closed.closed_at).date() == date(2027, 3, 6)
    assert deadline_of(sent, gp).state == DeadlineState.CANCELLED
    assert deadline_of(sent, police).state == DeadlineState.MET
    reminders_sweep_and_expand(today=date(2027, 3, 8))
    assert reminders_to(gp_lead) == [("2027-03-05", -1), ("2027-03-05", 0)]
    assert reminders_to(police_lead) == []


def test_a_comment_on_a_closed_round_is_refused_and_nothing_changes(sent, today, gp, gp_lead):
    """Read after its date, the round is closed first (even before the periodic task has run)."""
    today.set(date(2027, 3, 6))
    with pytest.raises(TransitionRefused) as refused:
        comment(sent, gp_lead, gp)
    assert str(refused.value) == CLOSED
    assert not AccuracyComment.objects.exists()
    with pytest.raises(TransitionRefused) as refused:
        accuracy_answer(actor=gp_lead, round_id=sent.pk, agency_id=gp.pk, no_inaccuracies=True)
    assert str(refused.value) == CLOSED
    assert RoundAgency.objects.get(round=sent, agency=gp).answered_at is None
    # The refusals rolled back their own lazy close; the task (or the next read) closes it.
    assert accuracy_rounds_close_past_due() == [sent.pk]


def test_the_due_day_itself_still_takes_comments(sent, today, gp, gp_lead):
    today.set(DUE)
    comment(sent, gp_lead, gp)
    assert AccuracyComment.objects.count() == 1


def test_not_accepted_needs_a_reason(sent, chair, gp, gp_lead):
    made = comment(sent, gp_lead, gp)
    with pytest.raises(ValidationError) as error:
        accuracy_comment_respond(
            actor=chair, review_id=sent.review_id, comment_id=made.pk, outcome="not_accepted", reason="  "
        )
    assert error.value.message_dict == {"reason": ["Give the reason the comment is not accepted."]}
    assert not CommentResponse.objects.exists()


@pytest.mark.parametrize(
    ("no_inaccuracies", "commented", "message"),
    [
        (
            True,
            True,
            "Your agency has commented on this draft: send the comments, rather than confirm there are no "
            "factual inaccuracies.",
        ),
        (False, False, "Comment on a section first, or confirm there are no factual inaccuracies."),
    ],
)
def test_an_answer_must_match_the_comments(sent, gp, gp_lead, no_inaccuracies, commented, message):
    if commented:
        comment(sent, gp_lead, gp)
    with pytest.raises(ValidationError) as error:
        accuracy_answer(actor=gp_lead, round_id=sent.pk, agency_id=gp.pk, no_inaccuracies=no_inaccuracies)
    assert error.value.message_dict == {"answer": [message]}
    row = RoundAgency.objects.get(round=sent, agency=gp)
    assert row.answered_at is None and deadline_of(sent, gp).state == DeadlineState.OPEN


def test_an_agency_that_answered_comments_no_more(sent, police, police_lead):
    accuracy_answer(actor=police_lead, round_id=sent.pk, agency_id=police.pk, no_inaccuracies=True)
    with pytest.raises(TransitionRefused) as refused:
        comment(sent, police_lead, police)
    # The answer's own time (the ``today`` fixture moves the date the services read, not the clock).
    answered = timezone.localtime(RoundAgency.objects.get(round=sent, agency=police).answered_at)
    assert str(refused.value) == f"Police answered on {answered:%-d %B %Y}: its comments on this draft are complete."
    assert not AccuracyComment.objects.exists()


def test_only_the_agencys_own_lead_comments(sent, police, gp_lead, coordinator):
    for who in (gp_lead, coordinator):
        with pytest.raises(PermissionDenied):
            comment(sent, who, police)
    assert not AccuracyComment.objects.exists()


def test_a_comment_is_on_a_section_of_the_version_sent(sent, chair, gp, gp_lead):
    report_version_new(actor=chair, review_id=sent.review_id)
    newer = ReportSection.objects.get(version__number=2, heading="Introduction")
    with pytest.raises(ValidationError) as error:
        accuracy_comment_add(actor=gp_lead, round_id=sent.pk, agency_id=gp.pk, section_id=newer.pk, text="X")
    assert error.value.message_dict == {"section": ["Choose the section the comment is about."]}
    assert not AccuracyComment.objects.exists()


# --- sending --------------------------------------------------------------------------------------


def test_the_version_sent_is_frozen_and_cannot_be_final_while_out(sent, chair):
    with pytest.raises(TransitionRefused) as refused:
        report_section_save(actor=chair, review_id=sent.review_id, number=1, data=SectionData(heading="X", body="Y"))
    sent_on = timezone.localtime(sent.sent_at)  # the clock's time: the ``today`` fixture moves only the date
    assert str(refused.value) == (
        f"Version 1 was sent for factual accuracy on {sent_on:%-d %B %Y}: start a new version to change the report."
    )
    with pytest.raises(TransitionRefused) as refused:
        report_version_finalise(actor=chair, review_id=sent.review_id, number=1)
    assert str(refused.value) == "Version 1 is out for factual accuracy: mark it final once the round has closed."


@pytest.mark.parametrize(
    ("due", "leads", "errors"),
    [
        (date(2027, 3, 1), "both", {"due_date": ["The date comments are due must be in the future"]}),
        (None, "both", {"due_date": ["Enter the date comments are due"]}),
        (DUE, "none", {"leads": ["Choose at least one agency to ask for comments."]}),
        (DUE, "stranger", {"leads": ["Choose from the agency leads on this review."]}),
    ],
)
def test_bad_sends_are_refused_and_nothing_is_sent(
    today, drafted, coordinator, police_lead, gp_lead, chair, due, leads, errors
):
    today.set(date(2027, 3, 1))
    review = drafted.report.review
    role_ids = {
        "both": lead_roles(review, police_lead, gp_lead),
        "none": [],
        "stranger": [review.roles.get(user=chair).pk],
    }[leads]
    with pytest.raises(ValidationError) as error:
        accuracy_round_send(actor=coordinator, review_id=review.pk, lead_role_ids=role_ids, due_date=due)
    assert error.value.message_dict == errors
    assert not AccuracyRound.objects.exists() and not Deadline.objects.filter(kind=DeadlineKind.ACCURACY_DUE).exists()


def test_one_round_at_a_time_and_only_the_coordinator_sends(sent, coordinator, chair, police_lead):
    review = sent.review
    with pytest.raises(TransitionRefused) as refused:
        accuracy_round_send(
            actor=coordinator, review_id=review.pk, lead_role_ids=lead_roles(review, police_lead), due_date=DUE
        )
    assert str(refused.value) == "A factual accuracy round is open until 5 March 2027 (version 1): one round at a time."
    with pytest.raises(PermissionDenied):
        accuracy_round_send(
            actor=chair, review_id=review.pk, lead_role_ids=lead_roles(review, police_lead), due_date=DUE
        )
    assert AccuracyRound.objects.count() == 1


def test_the_review_page_stops_asking_an_agency_that_has_answered(sent, today, police, gp, police_lead):
    from reviews.permissions import held_review_perms
    from reviews.selectors.accuracy import report_links

    today.set(date(2027, 3, 2))
    review = sent.review

    def asked(user) -> list[int]:
        return [
            r.pk
            for r in report_links(
                review, user, held_review_perms(user, review, ("lead_agency_submission",))
            ).rounds_to_answer
        ]

    assert asked(police_lead) == [sent.pk]
    accuracy_answer(actor=police_lead, round_id=sent.pk, agency_id=police.pk, no_inaccuracies=True)
    assert asked(police_lead) == []


def test_a_closed_review_takes_no_more_comments(sent, today, coordinator, gp, gp_lead):
    from reviews.models import Review, ReviewState

    # Set up directly: closing runs through action tracking, which is not what is tested here.
    Review.objects.filter(pk=sent.review_id).update(state=ReviewState.CLOSED)
    with pytest.raises(TransitionRefused, match="its report is kept as it stands"):
        accuracy_answer(actor=gp_lead, round_id=sent.pk, agency_id=gp.pk, no_inaccuracies=True)
    assert RoundAgency.objects.get(round=sent, agency=gp).answered_at is None
