"""The notifications page, the header count, mark read, and invalid e-mails refused on save."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, NotificationPreference
from notifications.services import notification_deliver
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture
def asked(today, ask_police):
    today.set(date(2026, 12, 7))
    return ask_police(date(2026, 12, 30))


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def csrf_post(client: Client, url: str, data: dict | None = None):
    client.get(reverse("notifications:inbox"))
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_page_needs_a_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_inbox_shows_ones_own_notifications_and_the_header_count(asked, police_lead, gp_lead, scoping):
    client = signed_in(police_lead)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert scoping.reference in page and "Police contribution" in page and "30 December 2026" in page
    assert 'class="govuk-tag govuk-tag--blue">1<span class="govuk-visually-hidden"> unread' in page
    other = signed_in(gp_lead).get(reverse("notifications:inbox")).content.decode()
    assert "Police contribution" not in other and "You have no notifications." in other


def test_mark_read_is_a_post_with_csrf_and_only_for_ones_own(asked, police_lead, gp_lead):
    row = Notification.objects.get(recipient=police_lead, channel="in_app")
    url = reverse("notifications:mark_read", args=[row.pk])
    lead = signed_in(police_lead)
    assert lead.get(url).status_code == 405
    assert lead.post(url).status_code == 403  # no CSRF token
    # Someone else's: not found, and nothing changes.
    assert csrf_post(signed_in(gp_lead), url).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None
    assert csrf_post(lead, url).status_code == 302
    row.refresh_from_db()
    assert row.read_at is not None
    page = lead.get(reverse("notifications:inbox")).content.decode()
    assert 'govuk-visually-hidden"> unread' not in page


def test_daily_digest_preference(asked, police_lead):
    client = signed_in(police_lead)
    csrf_post(client, reverse("notifications:preferences"), {"daily_digest": "yes"})
    assert NotificationPreference.objects.get(user=police_lead).daily_digest is True


def test_coordinator_sees_failed_deliveries_on_their_reviews_only(asked, coordinator, police_lead, outsider, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    row = Notification.objects.get(recipient=police_lead, channel="email")
    Notification.objects.filter(pk=row.pk).update(
        status="failed", last_error="The mail server refused the recipient: 550 Mailbox unavailable"
    )
    page = signed_in(coordinator).get(reverse("notifications:inbox")).content.decode()
    assert "E-mails that could not be delivered" in page and "550 Mailbox unavailable" in page and row.email in page
    assert "550" not in signed_in(outsider).get(reverse("notifications:inbox")).content.decode()
    assert "550" not in signed_in(police_lead).get(reverse("notifications:inbox")).content.decode()
    assert notification_deliver(notification_id=row.pk).status == "skipped"  # FAILED stays FAILED


@pytest.mark.parametrize("address", ["not-an-address", "police.lead@", "a b@example.org"])
def test_invalid_email_on_a_user_is_refused_when_saved(db, address):
    user = UserFactory(username="newcomer")
    user.email = address
    with pytest.raises(ValidationError) as refused:
        user.save()
    assert "is not a valid e-mail address, so reminders could not reach this person" in str(refused.value)


def test_empty_email_is_allowed_in_app_only(db):
    user = UserFactory(username="no.mail", email="")
    assert user.pk


def test_a_second_click_on_mark_read_keeps_the_first_time(asked, police_lead):
    row = Notification.objects.get(recipient=police_lead, channel="in_app")
    url = reverse("notifications:mark_read", args=[row.pk])
    lead = signed_in(police_lead)
    assert csrf_post(lead, url).status_code == 302
    row.refresh_from_db()
    first = row.read_at
    assert first is not None
    assert csrf_post(lead, url).status_code == 302
    row.refresh_from_db()
    assert row.read_at == first


def test_unread_count_includes_notifications_older_than_the_page_shows(police_lead):
    from notifications.selectors import INBOX_SIZE

    Notification.objects.bulk_create(
        Notification(
            idempotency_key=f"test:{n}",
            kind="deadline_set",
            channel="in_app",
            recipient=police_lead,
            status="sent",
            context={"reference": "R-1", "what": "Police contribution"},
            read_at=None if n < 3 else timezone.now(),
            created_at=timezone.now() - timedelta(days=INBOX_SIZE + 10 - n if n < 3 else 1),
        )
        for n in range(INBOX_SIZE + 5)
    )
    page = signed_in(police_lead).get(reverse("notifications:inbox")).content.decode()
    # The three unread ones are the oldest, off the list, but still counted and can be marked read.
    assert "You have 3 unread notifications." in page
    assert reverse("notifications:mark_all_read") in page


@pytest.mark.parametrize("data", [{}, {"daily_digest": "maybe"}])
def test_digest_preference_without_a_choice_changes_nothing(asked, police_lead, data):
    NotificationPreference.objects.create(user=police_lead, daily_digest=True)
    client = signed_in(police_lead)
    response = csrf_post(client, reverse("notifications:preferences"), data)
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=police_lead).daily_digest is True
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "Choose how reminder e-mails should reach you." in page
