"""Taking a notification from the public form, linking it and opening a child death review from it
(reviews/services/intake.py), on the real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from notifications.models import Notification
from reviews.models import IntakeItem, IntakeStatus, NotifierAccount, ReviewKind, SubjectIdentity
from reviews.services.intake import intake_link, intake_open_review, pseudonym_for
from tests.reviews.builders import notify_death

pytestmark = pytest.mark.django_db


def test_routed_by_the_longest_postcode_prefix(areas, coordinator, outsider):
    northbridge, southmere = areas
    assert notify_death(postcode="nb3 7qt").partnership == northbridge
    assert notify_death(postcode="SM1 2AB", notifier_email="a@b.example").partnership == southmere
    # SM9 is a district Northbridge covers inside Southmere's area.
    assert notify_death(postcode="SM9 1AA", notifier_email="c@d.example").partnership == northbridge


def test_coordinators_are_told_in_the_inbox_and_by_email_without_the_childs_details(areas, coordinator):
    item = notify_death()
    rows = Notification.objects.filter(recipient=coordinator, kind="message")
    assert {row.channel for row in rows} == {"in_app", "email"}
    for row in rows:
        assert row.context["reference"] == item.reference
        assert row.context["link"] == f"/intake/{item.reference}/"
        text = str(row.context)
        assert "Poppy" not in text and "9434765919" not in text and "Orchard" not in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"died_at": timezone.now() + timedelta(days=1)}, "died_on", "cannot be in the future"),
        (
            {"date_of_birth": date(2024, 1, 10), "died_at": timezone.make_aware(timezone.datetime(2024, 1, 9, 12))},
            "died_on",
            "cannot be before the date of birth (10 January 2024)",
        ),
        ({"postcode": "ZZ1 1ZZ"}, "postcode", "No partnership covers the postcode ZZ1 1ZZ"),
        ({"postcode": "not a postcode"}, "postcode", "Enter a real UK postcode"),
        (
            {"became_aware_at": timezone.now() - timedelta(days=2)},
            "became_aware_on",
            "before the time of death",
        ),
    ],
)
def test_bad_input_is_refused_by_field_and_stores_nothing(areas, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        notify_death(**changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert not IntakeItem.objects.exists()
    assert not Notification.objects.exists()


def test_the_same_notifier_sending_the_same_child_again_is_not_stored_twice(areas, settings):
    first = notify_death()
    again = notify_death(notifier_email="AMARA.OKAFOR@nbgh.example.nhs.uk", account="Sent again to be sure.")
    assert again.pk == first.pk
    assert IntakeItem.objects.count() == 1
    # Another notifier of the same death is a further notification, kept.
    other = notify_death(notifier_email="duty.sergeant@police.example.org")
    assert other.pk != first.pk
    # Past the window, the same notifier's notification is a new one.
    IntakeItem.objects.filter(pk=first.pk).update(
        received_at=timezone.now() - timedelta(minutes=settings.INTAKE_DUPLICATE_MINUTES + 1)
    )
    assert notify_death().pk != first.pk


def test_opening_a_review_moves_the_identity_to_the_restricted_model(areas, coordinator):
    item = notify_death()
    further = notify_death(notifier_email="duty.sergeant@police.example.org", account="Police attended the home.")
    intake_link(actor=coordinator, item_id=further.pk, to_reference=item.reference)

    review = intake_open_review(actor=coordinator, item_id=item.pk)

    assert review.kind == ReviewKind.CHILD_DEATH
    assert review.title == "Child A" and "Poppy" not in review.title
    assert review.became_aware_on == timezone.localdate(item.became_aware_at)
    assert review.incident_on == timezone.localdate(item.died_at)
    subject = review.subjects.get()
    assert subject.pseudonym == "Child A"
    assert (subject.date_of_birth, subject.sex) == (date(2023, 5, 17), "female")
    identity = SubjectIdentity.objects.get(subject=subject)
    assert identity.full_name == "Poppy Ashcombe-Lindqvist"
    assert identity.nhs_number == "9434765919"
    assert "3 Orchard Row" in identity.address and "NB3 7QT" in identity.address
    accounts = list(NotifierAccount.objects.filter(review=review).values_list("text", flat=True))
    assert accounts == [item.account, further.account]
    item.refresh_from_db()
    assert (item.status, item.review_id) == (IntakeStatus.OPENED, review.pk)


def test_a_notification_is_dealt_with_once(areas, coordinator):
    item = notify_death()
    intake_open_review(actor=coordinator, item_id=item.pk)
    with pytest.raises(ValidationError, match="already been dealt with"):
        intake_open_review(actor=coordinator, item_id=item.pk)


def test_only_the_partnerships_coordinators_deal_with_its_queue(areas, outsider, chair):
    item = notify_death()
    for user in (outsider, chair):
        with pytest.raises(PermissionDenied):
            intake_open_review(actor=user, item_id=item.pk)
    assert IntakeItem.objects.get(pk=item.pk).status == IntakeStatus.NEW


def test_a_link_stays_in_the_queue(areas, coordinator):
    item = notify_death()
    elsewhere = notify_death(postcode="SM1 2AB")
    with pytest.raises(ValidationError) as refused:
        intake_link(actor=coordinator, item_id=item.pk, to_reference=elsewhere.reference)
    assert "There is no other notification" in refused.value.message_dict["to_reference"][0]


def test_pseudonyms_follow_the_review_sequence():
    assert [pseudonym_for(n) for n in (1, 2, 26, 27, 28)] == ["Child A", "Child B", "Child Z", "Child AA", "Child AB"]


def test_both_partnerships_are_told_of_the_other_and_whom_to_contact(areas, coordinator, outsider):
    notify_death(postcode="SM1 2AB", notifier_email="ed@southmere.example.org")
    here = notify_death()
    told_here = Notification.objects.get(
        recipient=coordinator,
        channel="in_app",
        context__reference=here.reference,
        context__what="Another partnership has a notification for this child",
    )
    assert "Southmere Safeguarding Children Partnership" in told_here.context["body"]
    assert "cdop@southmere.example.org" in told_here.context["body"]
    told_there = Notification.objects.get(
        recipient=outsider, channel="in_app", context__what="Another partnership has a notification for this child"
    )
    assert "cdop@northbridge.example.org" in told_there.context["body"]
    for row in (told_here, told_there):
        text = str(row.context)
        assert "Poppy" not in text and "9434765919" not in text and here.reference not in told_there.context["body"]
    assert here.reference not in str(told_there.context)


def test_a_review_another_partnership_already_opened_for_the_child_is_found_by_the_hash_alone(
    areas, coordinator, outsider, other_partnership
):
    """The child died away from home and Southmere opened its review before Northbridge heard."""
    from reviews.services.subjects import SubjectData
    from tests.factories import make_review

    theirs = make_review(
        coordinator=outsider,
        partnership=other_partnership,
        kind=ReviewKind.CHILD_DEATH,
        title="Child S",
        subject=SubjectData(pseudonym="Child S", full_name="Poppy Ashcombe-Lindqvist", nhs_number="943 476 5919"),
    )
    identity = SubjectIdentity.objects.get(subject__review=theirs)
    assert identity.nhs_number_hash and identity.nhs_number_hash != identity.nhs_number

    here = notify_death()

    told_here = Notification.objects.get(
        recipient=coordinator, channel="in_app", context__what="Another partnership has a notification for this child"
    )
    assert "cdop@southmere.example.org" in told_here.context["body"]
    told_there = Notification.objects.get(
        recipient=outsider, channel="in_app", context__what="Another partnership has a notification for this child"
    )
    assert "cdop@northbridge.example.org" in told_there.context["body"]
    shown = str(told_here.context) + str(told_there.context)
    assert theirs.reference not in shown and here.reference not in str(told_there.context) and "9434765919" not in shown
