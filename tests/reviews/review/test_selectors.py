"""The readers: who sees which review (reviews.permissions), clock readings and the history across a conversion."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

from reviews.models import ClosureDay, Review, ReviewKind, ReviewState
from reviews.permissions import CASE_DETAIL, CHAIR, COORDINATE, review_for, reviews_for_user
from reviews.selectors.dashboard import dashboard_for_user
from reviews.selectors.review import converted_into_for_user, review_history, review_transition_choices
from reviews.services.review import review_advance, review_convert_to_cspr, review_record_key_dates
from tests.factories import UserFactory, make_review, member
from workflows.clocks import ClockStatus


def test_reviews_for_user_are_those_with_a_role(review, coordinator, scrutineer, second_coordinator, outsider):
    assert list(reviews_for_user(coordinator)) == [review]
    assert list(reviews_for_user(scrutineer)) == [review]
    assert not reviews_for_user(second_coordinator).exists()
    assert not reviews_for_user(outsider).exists()


def test_global_permissions_never_open_a_review(review, partnership):
    user = member(UserFactory(username="global"), partnership)
    assign_perm("reviews.view_review", user)  # a model-wide permission, not an object one
    superuser = UserFactory(username="super", is_superuser=True)
    assert not reviews_for_user(user).exists()
    assert not reviews_for_user(superuser).exists()
    with pytest.raises(Http404):
        review_for(superuser, review.reference)


def test_review_for(review, coordinator, outsider):
    assert review_for(coordinator, review.reference).review == review
    with pytest.raises(Http404):
        review_for(outsider, review.reference)


def test_permissions_for_user_are_the_role_codenames(review, coordinator, scrutineer):
    assert {"view_review", "coordinate_review", "view_identity"} <= review_for(coordinator, review.reference).perms
    assert review_for(scrutineer, review.reference).perms == {"view_review", "scrutinise_review"}


def test_review_for_fetches_and_checks_in_two_queries(review, coordinator, django_assert_num_queries):
    with django_assert_num_queries(2):
        access = review_for(coordinator, review.reference, COORDINATE, "record key dates")
    assert access.is_coordinator and access.case_detail


@pytest.mark.parametrize(
    ("who", "needed", "doing", "missing"),
    [
        ("scrutineer", COORDINATE, "record key dates", "the review coordinator's role"),
        ("coordinator", CHAIR, "sign off the findings", "the chair's role"),
        ("panel_member", (COORDINATE, CHAIR), "write the findings", "the review coordinator's or the chair's role"),
        (
            "scrutineer",
            CASE_DETAIL,
            "read the findings",
            "the review coordinator's, the chair's, a panel member's, an agency lead's "
            "or the partnership's business manager's role",
        ),
    ],
)
def test_a_refusal_names_the_role_that_is_missing(review, request, who, needed, doing, missing):
    with pytest.raises(PermissionDenied) as refused:
        review_for(request.getfixturevalue(who), review.reference, needed, doing)
    assert str(refused.value) == f"You need {missing} on {review.reference} to {doing}."


def test_a_role_on_the_review_is_checked_before_the_role_needed(review, outsider):
    # Without a role the review does not exist (404), whatever was asked for: never a 403 that
    # tells the user it does.
    with pytest.raises(Http404):
        review_for(outsider, review.reference, COORDINATE, "record key dates")


def test_dashboard_reads_practice_clocks_with_the_partnerships_closure_days(coordinator, partnership):
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 11, 6), reason="Office move")
    ClosureDay.objects.create(partnership=partnership, date=date(2026, 11, 20), reason="Office move")
    # Notified on Mon 2 Nov 2026: 15 working days is Mon 23 Nov, the closure on Fri 6 Nov notwithstanding.
    make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 11, 2), "notified_on": date(2026, 11, 2)},
    )
    # Aware Thu 19 Nov: the LADO referral's 1 working day (practice) skips the closure on Fri 20 Nov.
    make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.INSTITUTIONAL,
        title="Nursery Z",
        key_dates={"became_aware_on": date(2026, 11, 19)},
    )
    dashboard = dashboard_for_user(coordinator, today=date(2026, 11, 19))
    [group] = dashboard.groups
    assert group.state == ReviewState.NOTIFICATION
    clocks = {(row.clock.review.kind, row.clock.key): row for item in group.reviews for row in item.clocks}
    rapid = clocks[ReviewKind.RAPID, "rapid_review"]
    assert rapid.reading.due_date == date(2026, 11, 23)
    assert rapid.reading.working_days_left == 2  # Fri 20 and Mon 23: statute counts the closure day
    assert rapid.reading.status == ClockStatus.DUE_SOON
    assert clocks[ReviewKind.RAPID, "si_notification"].reading.status == ClockStatus.MET
    lado = clocks[ReviewKind.INSTITUTIONAL, "lado_referral"]
    assert lado.reading.due_date == date(2026, 11, 23)
    assert lado.reading.working_days_left == 1  # Mon 23 only: the partnership is closed on Fri 20
    assert lado.reading.status == ClockStatus.DUE_SOON
    # Notification due Thu 26 Nov (5 working days, statute) and Ofsted's 14 days: both running.
    assert clocks[ReviewKind.INSTITUTIONAL, "si_notification"].reading.working_days_left == 5
    assert (dashboard.running, dashboard.due_soon, dashboard.overdue) == (2, 2, 0)


def test_history_spans_the_rapid_review_a_cspr_was_converted_from(review, coordinator):
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": date(2026, 3, 20)})
    cspr = review_convert_to_cspr(actor=coordinator, review_id=review.pk, reason="Partners decided on a CSPR")
    rows = review_history(cspr)
    assert [(r.from_label, r.to_label, r.on_earlier_review) for r in rows] == [
        ("Notification", "Scoping", True),
        ("Scoping", "Closed", True),
    ]
    assert rows[1].log.reason == "Partners decided on a CSPR"
    assert rows[0].actor_name == coordinator.get_full_name()
    # The rapid review's own page shows only its own steps.
    assert len(review_history(Review.objects.get(pk=review.pk))) == 2


def test_the_cspr_a_rapid_review_became_is_shown_only_to_whoever_may_read_it(review, coordinator, scrutineer):
    assert converted_into_for_user(coordinator, review) is None  # not converted
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": date(2026, 3, 20)})
    cspr = review_convert_to_cspr(actor=coordinator, review_id=review.pk, reason="Partners decided on a CSPR")
    assert converted_into_for_user(coordinator, review) == cspr
    assert converted_into_for_user(scrutineer, review) == cspr
    remove_perm("reviews.view_review", scrutineer, cspr)  # reads the rapid review, not the CSPR
    assert converted_into_for_user(scrutineer, review) is None


def test_transition_choices_drop_steps_for_other_kinds(review, coordinator, scrutineer):
    review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": date(2026, 3, 20)})
    cspr = review_convert_to_cspr(
        actor=coordinator, review_id=review.pk, reason="The partners decided on a local review."
    )
    names = {o.name for o in review_transition_choices(cspr, coordinator).allowed}
    assert "convert_to_cspr" not in names
    assert "request_submissions" in names
    scrutiny = review_transition_choices(cspr, scrutineer)
    assert not scrutiny.allowed and not scrutiny.blocked
    assert {o.name for o in scrutiny.not_permitted} == {"request_submissions", "withdraw"}
