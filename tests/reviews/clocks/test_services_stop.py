"""A step onto a stage that stops a clock (a child death review reaching findings) stops it, meets its
deadline and cancels the reminders not yet sent, with a few UPDATEs instead of the full refresh;
and an everyday step costs one query for its permission and conditions together: the facts they
rest on, each written once (workflows.conditions.Fact), read in one query under the lock and
answering exactly what each check answers when asked alone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from notifications.models import Deadline, DeadlineKind, DeadlineState, Notification
from reviews.conditions.contributions import all_contributions_settled
from reviews.conditions.review import has_chair, has_subject
from reviews.models import AgencyContribution, Review, ReviewClock, ReviewRole, ReviewState, Role, Subject
from reviews.permissions import has_review_perm, review_perm_ask
from reviews.services.clocks import review_clocks_refresh
from reviews.services.review import review_advance
from tests.factories import UserFactory, advance_to, make_review, settle_contributions
from workflows.conditions import facts_held, held_fact, read_facts, step_asks

Status = Notification.Status


def clock_deadline(review: Review, key: str) -> Deadline:
    clock = ReviewClock.objects.get(review=review, key=key)
    return Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(ReviewClock), object_id=clock.pk, kind=DeadlineKind.CLOCK_DUE
    )


def a_reminder(deadline: Deadline, status: str, channel: str = Notification.Channel.EMAIL) -> Notification:
    return Notification.objects.create(
        idempotency_key=f"test:{deadline.pk}:{status}:{channel}",
        kind=Notification.Kind.REMINDER,
        channel=channel,
        email="coordinator@example.org",
        deadline=deadline,
        scope=deadline.scope,
        step=0,
        due_date=deadline.due_date,
        status=status,
    )


def everything_about_the_clocks(review: Review) -> dict[str, Any]:
    """The clock rows and their deadlines as the full refresh would write them."""
    clock_type = ContentType.objects.get_for_model(ReviewClock)
    clocks = list(ReviewClock.objects.filter(review=review).order_by("key").values())
    deadlines = {
        deadline.object_id: (
            deadline.state,
            deadline.due_date,
            deadline.next_step,
            deadline.next_reminder_on,
            deadline.owner_label,
            deadline.scope,
            deadline.context,
            sorted(deadline.recipients.values_list("pk", flat=True)),
            sorted(deadline.escalation_recipients.values_list("pk", flat=True)),
        )
        for deadline in Deadline.objects.filter(content_type=clock_type, object_id__in=[c["id"] for c in clocks])
    }
    pending = list(Notification.objects.filter(status__in=[Status.READY, Status.HELD]).values_list("pk", flat=True))
    return {"clocks": clocks, "deadlines": deadlines, "pending": pending}


def test_reaching_action_tracking_meets_the_clock_deadline_and_cancels_its_pending_reminders(scr, coordinator):
    review = scr
    advance_to(review, ReviewState.FINDINGS, coordinator)
    deadline = clock_deadline(review, "scr_completion")
    # Due 7 September 2026 and still running: it is being chased.
    assert deadline.state == DeadlineState.OPEN
    assert deadline.next_reminder_on is not None
    ready = a_reminder(deadline, Status.READY)
    held = a_reminder(deadline, Status.HELD)
    sent = a_reminder(deadline, Status.SENT, Notification.Channel.IN_APP)

    review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")

    assert ReviewClock.objects.get(review=review, key="scr_completion").stopped_on == timezone.localdate()
    deadline.refresh_from_db()
    assert (deadline.state, deadline.next_step, deadline.next_reminder_on) == (DeadlineState.MET, None, None)
    for row in (ready, held):
        row.refresh_from_db()
        assert (row.status, row.last_error) == (Status.CANCELLED, "Not sent: the deadline was met first.")
    sent.refresh_from_db()
    assert (sent.status, sent.last_error) == (Status.SENT, "")


def test_the_quick_stop_leaves_nothing_for_the_full_refresh_to_do(scr, coordinator):
    review = scr
    advance_to(review, ReviewState.FINDINGS, coordinator)
    a_reminder(clock_deadline(review, "scr_completion"), Status.READY)
    review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")
    after_the_step = everything_about_the_clocks(review)

    review_clocks_refresh(review=Review.objects.select_related("partnership").get(pk=review.pk))

    assert everything_about_the_clocks(review) == after_the_step


def test_a_deadline_already_met_is_left_alone(scr, coordinator):
    review = scr
    advance_to(review, ReviewState.FINDINGS, coordinator)
    deadline = clock_deadline(review, "scr_completion")
    Deadline.objects.filter(pk=deadline.pk).update(state=DeadlineState.MET, next_step=None, next_reminder_on=None)
    before = Deadline.objects.get(pk=deadline.pk).updated_at

    review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")

    assert Deadline.objects.get(pk=deadline.pk).updated_at == before


def test_a_step_that_stops_no_clock_touches_no_clock_or_deadline(review, coordinator):
    clocks = everything_about_the_clocks(review)
    deadline = clock_deadline(review, "rapid_review")

    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")

    assert everything_about_the_clocks(review) == clocks
    assert Deadline.objects.get(pk=deadline.pk).updated_at == deadline.updated_at


def test_an_everyday_step_reads_its_permission_and_conditions_in_one_query(
    review, coordinator, django_assert_max_num_queries
):
    # SAVEPOINT (the test's transaction is outside), lock, permission and conditions, UPDATE, the
    # log (lock its chain head, INSERT, move the head: workflows.chain), the partnership's webhook
    # subscriptions (reviews/services/webhooks.py: none here, so no row is written), RELEASE. A
    # separate query for the permission or for a condition makes 10.
    with django_assert_max_num_queries(9):
        review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    assert Review.objects.get(pk=review.pk).state == ReviewState.SCOPING


def test_a_clock_stopping_step_adds_three_updates(scr, coordinator, django_assert_max_num_queries):
    review = scr
    advance_to(review, ReviewState.FINDINGS, coordinator)
    a_reminder(clock_deadline(review, "scr_completion"), Status.READY)
    # The everyday nine (the log row on the audit chain is three, the webhook subscriptions one), the
    # findings' sign-off (the step waits for it), then the clock, its deadline and the deadline's
    # pending reminders.
    with django_assert_max_num_queries(13):
        review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")
    assert clock_deadline(review, "scr_completion").state == DeadlineState.MET


def test_a_rapid_review_reaching_findings_stops_no_clock(review, coordinator, django_assert_max_num_queries):
    """Its clock stops on the date it was sent to the Panel (tests/reviews/clocks/test_services_stop_dates.py):
    the step to findings is an everyday step."""
    advance_to(review, ReviewState.PANEL, coordinator)
    # The everyday nine and the panel's meetings and their attendance (the step waits for a quorate one).
    with django_assert_max_num_queries(11):
        review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    assert ReviewClock.objects.get(review=review, key="rapid_review").stopped_on is None
    assert clock_deadline(review, "rapid_review").state == DeadlineState.OPEN


def test_closing_still_takes_the_full_refresh(scr, coordinator):
    review = scr
    advance_to(review, ReviewState.CLOSED, coordinator)
    assert clock_deadline(review, "scr_completion").state == DeadlineState.MET
    assert not Deadline.objects.filter(scope=review.reference, state=DeadlineState.OPEN).exists()


# Not from the panel: a CDR reaches it with its meeting recorded (tests/factories.advance_to), which
# meets the clock.
@pytest.mark.parametrize("source", [ReviewState.NOTIFICATION, ReviewState.AGENCY_SUBMISSIONS])
def test_withdrawal_still_cancels_the_deadline_of_a_clock_that_ends_with_the_review(source, child_death, coordinator):
    review = child_death
    advance_to(review, source, coordinator)
    review_advance(actor=coordinator, review_id=review.pk, transition="withdraw", reason="Not proceeding")
    assert ReviewClock.objects.get(review=review, key="cdr_review_meeting").abandoned
    assert clock_deadline(review, "cdr_review_meeting").state == DeadlineState.CANCELLED


# --- the facts a step reads in one query ----------------------------------------------------------

CONDITIONS = [has_subject, has_chair, all_contributions_settled]


def asked_alone(review: Review, user: Any) -> dict[str, bool]:
    """The permission and each condition asked on their own, as the review page does."""
    return {
        "permission": has_review_perm(user, "coordinate_review", review),
        **{check.__name__: check(review) for check in CONDITIONS},
    }


def read_together(review: Review, user: Any) -> dict[str, bool]:
    """The same, read as a step reads them: in one query."""
    permission = review_perm_ask(user, "coordinate_review")
    read = read_facts(review, [permission, *(check.fact.ask() for check in CONDITIONS)])
    return {"permission": read[permission], **{check.__name__: read[check.fact.ask()] for check in CONDITIONS}}


def convene_panel(review: Review) -> Any:
    return Review.convene_panel._django_fsm.get_transition(ReviewState.AGENCY_SUBMISSIONS)


def test_facts_read_together_agree_with_each_check_when_every_one_holds(review, coordinator):
    review = advance_to(review, ReviewState.AGENCY_SUBMISSIONS, coordinator)
    settle_contributions(review, coordinator)
    assert (
        asked_alone(review, coordinator)
        == read_together(review, coordinator)
        == dict.fromkeys(asked_alone(review, coordinator), True)
    )


def test_facts_read_together_agree_with_each_check_when_none_holds(review, outsider):
    Subject.objects.filter(review=review).delete()
    ReviewRole.objects.filter(review=review, role=Role.CHAIR).delete()
    # No agency asked yet: not settled.
    assert not AgencyContribution.objects.filter(review=review).exists()
    assert (
        asked_alone(review, outsider)
        == read_together(review, outsider)
        == dict.fromkeys(asked_alone(review, outsider), False)
    )


def test_one_contribution_outstanding_is_not_settled(review, coordinator):
    review = advance_to(review, ReviewState.AGENCY_SUBMISSIONS, coordinator)
    settle_contributions(review, coordinator)
    AgencyContribution.objects.filter(review=review).update(state="requested")
    assert read_together(review, coordinator)["all_contributions_settled"] is False
    assert all_contributions_settled.explain(review).startswith("1 of 1 agencies has not had a submission accepted")


@pytest.mark.parametrize("who", ["coordinator", "chair", "police_lead", "outsider"])
def test_the_permission_fact_is_the_permission_check(who, review, request):
    user = request.getfixturevalue(who)
    ask = review_perm_ask(user, "coordinate_review")
    assert read_facts(review, [ask]) == {ask: has_review_perm(user, "coordinate_review", review)}
    assert read_facts(review, [ask])[ask] is (who == "coordinator")


def test_one_compiled_read_is_filled_in_with_each_review_and_user(review, coordinator, second_coordinator, partnership):
    """The SQL of a set of facts is compiled once and kept: each reading must still ask about its own
    review and its own user."""
    other = make_review(
        coordinator=second_coordinator, partnership=partnership, key_dates={"became_aware_on": date(2026, 3, 2)}
    )
    Subject.objects.filter(review=other).delete()
    assert read_together(review, coordinator)["permission"] is True
    assert read_together(other, coordinator) == {
        "permission": False,
        "has_subject": False,
        "has_chair": False,
        "all_contributions_settled": False,
    }
    assert read_together(other, second_coordinator)["permission"] is True
    assert read_together(review, second_coordinator)["permission"] is False
    assert read_together(review, coordinator)["has_subject"] is True


def test_users_answered_without_a_query_are_not_asked_about(review, coordinator, django_assert_num_queries):
    superuser = UserFactory(username="operator", is_superuser=True)
    coordinator.is_active = False
    conditions = [check.fact.ask() for check in (has_chair, all_contributions_settled)]
    with django_assert_num_queries(0):
        assert review_perm_ask(superuser, "coordinate_review") is None
        assert review_perm_ask(coordinator, "coordinate_review") is None
        assert step_asks(review, convene_panel(review), superuser) == conditions
        assert step_asks(review, convene_panel(review), coordinator) == conditions
        assert read_facts(review, []) == {}


def test_a_step_asks_for_its_permission_and_its_conditions_facts(review, coordinator):
    assert step_asks(review, convene_panel(review), coordinator) == [
        review_perm_ask(coordinator, "coordinate_review"),
        has_chair.fact.ask(),
        all_contributions_settled.fact.ask(),
    ]


def test_a_fact_for_another_user_is_not_taken_as_this_user_s(review, coordinator, chair):
    """The permission fact is keyed by user: a chair is never let through on the coordinator's answer."""
    with facts_held(review, read_facts(review, [review_perm_ask(coordinator, "coordinate_review")])):
        assert has_review_perm(coordinator, "coordinate_review", review)
        assert not has_review_perm(chair, "coordinate_review", review)


def test_held_facts_answer_the_checks_without_queries(review, coordinator, django_assert_num_queries):
    read = read_facts(review, [review_perm_ask(coordinator, "coordinate_review"), has_subject.fact.ask()])
    read |= read_facts(review, [has_chair.fact.ask()])
    with facts_held(review, read), django_assert_num_queries(0):
        assert has_review_perm(coordinator, "coordinate_review", review)
        assert has_subject(review) and has_chair(review)


def test_no_fact_outlives_the_step(review, coordinator, django_assert_num_queries):
    moved = review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    assert held_fact(moved, has_subject.fact.ask()) is None
    assert held_fact(moved, review_perm_ask(coordinator, "coordinate_review")) is None
    with django_assert_num_queries(1):
        assert has_review_perm(coordinator, "coordinate_review", moved)
