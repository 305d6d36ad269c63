"""Opening a review and recording its key dates: who may, references, and bad input saving nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviews.models import Review, ReviewClock, ReviewKind, ReviewRole, Subject, SubjectIdentity
from reviews.services.review import review_open, review_record_key_dates
from reviews.services.subjects import SubjectData
from workflows.models import AuditEvent

YEAR = timezone.localdate().year


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Review, Subject, SubjectIdentity, ReviewRole, ReviewClock, AuditEvent)
    )


def open_review(actor, partnership, **kwargs):
    kwargs.setdefault("kind", ReviewKind.RAPID)
    kwargs.setdefault("title", "Child A (aged 2)")
    return review_open(actor=actor, partnership=partnership, **kwargs)


def test_a_coordinator_opens_a_review_and_becomes_its_coordinator(partnership, coordinator):
    review = open_review(
        coordinator,
        partnership,
        title="  Child A (aged 2)  ",
        key_dates={"became_aware_on": date(2026, 3, 2)},
        subject=SubjectData(pseudonym="Child A"),
    )

    review = Review.objects.get(pk=review.pk)
    assert review.state == "notification"
    assert review.title == "Child A (aged 2)"
    assert review.created_by == coordinator
    assert review.became_aware_on == date(2026, 3, 2)
    assert list(review.subjects.values_list("pseudonym", flat=True)) == ["Child A"]
    assert ReviewRole.objects.get(review=review).role == "coordinator"
    assert coordinator.has_perm("reviews.coordinate_review", review)
    assert set(review.clocks.values_list("key", flat=True)) == {"si_notification", "rapid_review", "panel_reply"}
    opened = AuditEvent.objects.get(verb="review.opened")
    assert (opened.actor, opened.object_id, opened.detail) == (coordinator, review.pk, {"kind": "rapid_review"})


def test_references_count_up_per_partnership_kind_and_year(partnership, other_partnership, coordinator, outsider):
    first = open_review(coordinator, partnership)
    second = open_review(coordinator, partnership)
    cdr = open_review(coordinator, partnership, kind=ReviewKind.CHILD_DEATH)
    elsewhere = open_review(outsider, other_partnership)

    assert first.reference == f"NSCP-RR-{YEAR}-001"
    assert second.reference == f"NSCP-RR-{YEAR}-002"
    assert cdr.reference == f"NSCP-CDR-{YEAR}-001"
    assert elsewhere.reference == f"SSCP-RR-{YEAR}-001"


@pytest.mark.parametrize("who", ["chair", "scrutineer", "outsider"])
def test_only_a_coordinator_of_the_partnership_may_open_a_review_there(who, partnership, request):
    user = request.getfixturevalue(who)
    before = counts()
    with pytest.raises(PermissionDenied, match="You need to be a review coordinator of Northbridge"):
        open_review(user, partnership)
    assert counts() == before


def test_a_kind_the_partnership_does_not_run_is_refused(partnership, coordinator):
    partnership.review_kinds = [ReviewKind.RAPID, ReviewKind.CSPR]
    partnership.save()
    before = counts()

    with pytest.raises(ValidationError) as error:
        open_review(coordinator, partnership, kind=ReviewKind.SAR)

    assert error.value.message_dict == {
        "kind": ["Northbridge Safeguarding Children Partnership does not run safeguarding adults reviews."]
    }
    assert counts() == before


def test_an_unknown_kind_is_refused(partnership, coordinator):
    with pytest.raises(ValidationError) as error:
        open_review(coordinator, partnership, kind="inquest")
    assert error.value.message_dict["kind"] == ["Choose a kind of review."]


def test_a_title_is_required(partnership, coordinator):
    before = counts()
    with pytest.raises(ValidationError) as error:
        open_review(coordinator, partnership, title="   ")
    assert error.value.message_dict == {"title": ["Give the review a title (free of identifying data)."]}
    assert counts() == before


def test_a_key_date_in_the_future_is_refused(partnership, coordinator):
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = counts()
    with pytest.raises(ValidationError) as error:
        open_review(coordinator, partnership, key_dates={"became_aware_on": tomorrow})
    assert error.value.message_dict == {"became_aware_on": ["This date is in the future."]}
    assert counts() == before


def test_a_notification_before_the_case_was_known_is_refused(partnership, coordinator):
    before = counts()
    with pytest.raises(ValidationError) as error:
        open_review(
            coordinator,
            partnership,
            key_dates={"became_aware_on": date(2026, 3, 10), "notified_on": date(2026, 3, 9)},
        )
    assert error.value.message_dict == {
        "notified_on": [
            "The date the statutory notification was sent cannot be before the date the case became known "
            "(10 March 2026)."
        ]
    }
    assert counts() == before


def test_an_invalid_subject_saves_neither_the_subject_nor_the_review(partnership, coordinator):
    before = counts()
    with pytest.raises(ValidationError) as error:
        open_review(coordinator, partnership, subject=SubjectData(pseudonym="Child A", nhs_number="1234567890"))
    assert error.value.message_dict == {
        "nhs_number": ["This is not a valid NHS number: its check digit does not match."]
    }
    # The review was already inserted when the subject failed: the transaction took it back.
    assert counts() == before
    assert not Review.objects.exists()


def test_recording_key_dates_recomputes_the_clocks_and_is_audited(review, coordinator):
    review_record_key_dates(
        actor=coordinator,
        review_id=review.pk,
        key_dates={"became_aware_on": date(2026, 3, 20), "notified_on": date(2026, 3, 25)},
    )

    clock = ReviewClock.objects.get(review=review, key="rapid_review")
    # 15 working days from Wed 25 March 2026, skipping Good Friday and Easter Monday.
    assert (clock.start_date, clock.due_date) == (date(2026, 3, 25), date(2026, 4, 17))
    event = AuditEvent.objects.get(verb="review.key_dates_recorded")
    assert event.actor == coordinator
    assert event.detail == {
        "changes": {
            "became_aware_on": ["2026-03-02", "2026-03-20"],
            "notified_on": ["2026-03-04", "2026-03-25"],
        }
    }


def test_recording_the_same_dates_again_writes_nothing(review, coordinator):
    before = counts()
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"notified_on": date(2026, 3, 4)})
    assert counts() == before


def test_a_future_key_date_is_refused_and_the_old_one_kept(review, coordinator):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": tomorrow})
    assert error.value.message_dict == {"decision_on": ["This date is in the future."]}
    assert Review.objects.get(pk=review.pk).decision_on is None


@pytest.mark.parametrize("who", ["chair", "police_lead", "scrutineer", "outsider"])
def test_only_the_review_s_coordinator_records_key_dates(who, review, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        review_record_key_dates(actor=user, review_id=review.pk, key_dates={"decision_on": date(2026, 3, 20)})
    assert Review.objects.get(pk=review.pk).decision_on is None


def test_only_key_dates_can_be_recorded_this_way(review, coordinator):
    with pytest.raises(ValueError, match="Not key dates: state"):
        review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"state": date(2026, 3, 20)})


def test_opening_takes_only_key_dates_too(partnership, coordinator):
    # A field of the review that is not a key date (here the chronology cut-off, which has its own
    # rules) is refused rather than written with the new review.
    before = counts()
    with pytest.raises(ValueError, match="Not key dates: chronology_cutoff_on"):
        open_review(coordinator, partnership, key_dates={"chronology_cutoff_on": date(2026, 3, 20)})
    assert counts() == before
