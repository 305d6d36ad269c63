"""The public form /notify/ (no sign-in, nothing shown back, CSRF, honeypot, size cap, rate limit,
bad input kept on the page) and the coordinators' queue pages."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reviews.models import IntakeItem, IntakeStatus, Review
from tests.reviews.builders import notify_death

pytestmark = pytest.mark.django_db


def form_data(**changes) -> dict[str, str]:
    now = timezone.localtime()
    died = now - timedelta(days=1)
    data = {
        "child_name": "Poppy Ashcombe-Lindqvist",
        "date_of_birth-day": "17",
        "date_of_birth-month": "5",
        "date_of_birth-year": "2023",
        "nhs_number": "943 476 5919",
        "sex": "female",
        "ethnicity": "white_british",
        "address": "3 Orchard Row\nNorthbridge",
        "postcode": "nb3 7qt",
        "died_on-day": str(died.day),
        "died_on-month": str(died.month),
        "died_on-year": str(died.year),
        "died_time": "03:15",
        "place_of_death": "Northbridge General Hospital",
        "expectation": "unexpected",
        "notifier_name": "Dr Amara Okafor",
        "notifier_role": "Paediatric registrar",
        "notifier_organisation": "Northbridge General Hospital",
        "notifier_email": "amara.okafor@nbgh.example.nhs.uk",
        "notifier_phone": "01632 960 123",
        "became_aware_on-day": str(died.day),
        "became_aware_on-month": str(died.month),
        "became_aware_on-year": str(died.year),
        "became_aware_time": "04:00",
        "account": "Brought in by ambulance after a cardiac arrest at home.",
        "partnership": "",
        "website": "",
    }
    data.update(changes)
    return data


def _address() -> str:
    # Each test its own client address, so the rate limit's counts never carry between tests.
    return f"198.51.100.{uuid.uuid4().int % 250 + 1}"


def test_anyone_sees_the_form_without_signing_in(client, areas):
    response = client.get("/notify/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Tell us about a child\'s death</h1>' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_notification_gives_a_reference_and_lands_in_the_queue(client, areas, coordinator):
    response = client.post("/notify/", form_data(), REMOTE_ADDR=_address())
    assert response.status_code == 200
    item = IntakeItem.objects.get()
    page = response.content.decode()
    assert item.reference in page and "Notification sent" in page
    # Nothing of what was sent, or of what the partnership holds, is shown back.
    assert "Poppy" not in page and "Northbridge Safeguarding" not in page
    assert item.partnership == areas[0] and item.nhs_number == "9434765919"
    assert timezone.localtime(item.became_aware_at).strftime("%H:%M") == "04:00"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nhs_number": "943 476 5918"}, "This is not a valid NHS number: its check digit does not match."),
        ({"postcode": "ZZ9 9ZZ"}, "No partnership covers the postcode ZZ9 9ZZ."),
        (
            {"died_on-day": "1", "died_on-month": "1", "died_on-year": str(timezone.localdate().year + 1)},
            "The date and time of death cannot be in the future.",
        ),
        (
            {
                "date_of_birth-year": "2023",
                "died_on-day": "1",
                "died_on-month": "1",
                "died_on-year": "2023",
                "became_aware_on-day": "1",
                "became_aware_on-month": "1",
                "became_aware_on-year": "2023",
            },
            "The date of death cannot be before the date of birth (17 May 2023).",
        ),
        ({"died_time": "25:00"}, "Enter the time as hours and minutes on the 24-hour clock"),
    ],
)
def test_bad_input_gets_a_specific_message_and_keeps_what_was_typed(client, areas, changes, message):
    response = client.post("/notify/", form_data(**changes), REMOTE_ADDR=_address())
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'class="govuk-error-summary' in page
    # What the notifier typed is still there.
    assert 'value="Dr Amara Okafor"' in page and "Brought in by ambulance" in page
    assert not IntakeItem.objects.exists()


def test_a_second_press_is_not_stored_twice_and_still_confirms(client, areas):
    address = _address()
    first = client.post("/notify/", form_data(), REMOTE_ADDR=address)
    second = client.post("/notify/", form_data(), REMOTE_ADDR=address)
    item = IntakeItem.objects.get()
    assert first.status_code == second.status_code == 200
    assert item.reference in second.content.decode()


def test_the_honeypot_confirms_and_keeps_nothing(client, areas):
    response = client.post("/notify/", form_data(website="http://spam.example"), REMOTE_ADDR=_address())
    assert response.status_code == 200 and "Notification sent" in response.content.decode()
    assert not IntakeItem.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(areas):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/notify/", form_data(), REMOTE_ADDR=_address())
    assert response.status_code == 403
    assert not IntakeItem.objects.exists()
    # With the token from the page, the same post is taken.
    page = client.get("/notify/")
    token = page.cookies["csrftoken"].value
    response = client.post("/notify/", form_data(csrfmiddlewaretoken=token), REMOTE_ADDR=_address())
    assert response.status_code == 200 and IntakeItem.objects.count() == 1


def test_an_oversized_post_is_refused_whole(client, areas, settings):
    response = client.post("/notify/", form_data(account="x" * settings.INTAKE_MAX_BYTES), REMOTE_ADDR=_address())
    assert response.status_code == 413
    assert not IntakeItem.objects.exists()
    # Under the cap but over the account's own limit: the field says so.
    response = client.post("/notify/", form_data(account="x" * 5001), REMOTE_ADDR=_address())
    assert response.status_code == 400
    assert "The account must be 5000 characters or fewer" in response.content.decode()


def test_posts_past_the_rate_limit_are_refused(client, areas, settings):
    settings.INTAKE_RATE_LIMIT = "3/h"
    address = _address()
    # Every post counts, good or bad (robots send bad ones).
    statuses = [
        client.post("/notify/", form_data(notifier_email=f"n{i}@example.org"), REMOTE_ADDR=address).status_code
        for i in range(2)
    ]
    statuses.append(client.post("/notify/", form_data(nhs_number="1"), REMOTE_ADDR=address).status_code)
    assert statuses == [200, 200, 400]
    refused = client.post("/notify/", form_data(notifier_email="n9@example.org"), REMOTE_ADDR=address)
    assert refused.status_code == 429
    assert "Too many notifications have been sent from your network" in refused.content.decode()
    assert IntakeItem.objects.count() == 2
    # Reading the form is not limited, and another address is not affected.
    assert client.get("/notify/", REMOTE_ADDR=address).status_code == 200
    other = client.post("/notify/", form_data(notifier_email="n10@example.org"), REMOTE_ADDR=_address())
    assert other.status_code == 200 and IntakeItem.objects.count() == 3


def test_the_queue_and_an_item_for_the_partnerships_coordinator(client, areas, coordinator, outsider):
    item = notify_death()
    further = notify_death(notifier_email="duty.sergeant@police.example.org")
    client.force_login(coordinator)
    queue = client.get("/intake/").content.decode()
    assert item.reference in queue and further.reference in queue
    page = client.get(f"/intake/{further.reference}/").content.decode()
    assert f'Strong: the same NHS number</strong> <a class="govuk-link" href="/intake/{item.reference}/">' in page
    # Another partnership's coordinator: the item does not exist, and their queue does not list it.
    client.force_login(outsider)
    assert client.get(f"/intake/{item.reference}/").status_code == 404
    assert client.post(f"/intake/{item.reference}/open/", {"expected_status": "new"}).status_code == 404
    assert item.reference not in client.get("/intake/").content.decode()


def test_link_then_open_through_the_pages(client, areas, coordinator):
    item = notify_death()
    further = notify_death(notifier_email="duty.sergeant@police.example.org")
    client.force_login(coordinator)
    bad = client.post(f"/intake/{further.reference}/link/", {"to_reference": "CDN-NOTHERE"})
    assert (
        bad.status_code == 400 and "There is no other notification CDN-NOTHERE in this queue." in bad.content.decode()
    )
    response = client.post(f"/intake/{further.reference}/link/", {"to_reference": item.reference.lower()})
    assert response.status_code == 302
    assert IntakeItem.objects.get(pk=further.pk).status == IntakeStatus.LINKED
    # An empty post changes nothing.
    assert client.post(f"/intake/{item.reference}/open/").status_code == 400
    response = client.post(f"/intake/{item.reference}/open/", {"expected_status": "new"})
    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reviews/{review.reference}/"
    # A second press: nothing more.
    assert client.post(f"/intake/{item.reference}/open/", {"expected_status": "new"}).status_code == 400
    assert Review.objects.count() == 1


def test_the_rate_limit_counts_in_the_shared_redis_cache_when_the_run_has_one(settings):
    from django.core.cache import caches

    if settings.CELERY_BROKER_URL.startswith("redis://"):
        assert type(caches["default"]).__module__ == "django_redis.cache"


@pytest.mark.parametrize("rows", [3, 12])
def test_the_queue_costs_the_same_queries_however_many_rows(
    client, areas, coordinator, rows, django_assert_num_queries
):
    for n in range(rows):
        notify_death(notifier_email=f"n{n}@example.org", child_name=f"Child Number {n}")
    client.force_login(coordinator)
    with django_assert_num_queries(6):
        response = client.get("/intake/")
    assert response.content.decode().count("/intake/CDN-") == rows


def test_the_notifiers_accounts_are_on_the_review_page_for_its_coordinators_only(client, areas, coordinator, chair):
    from reviews.models import Role
    from reviews.services.intake import intake_open_review
    from reviews.services.roles import review_role_grant

    item = notify_death()
    review = intake_open_review(actor=coordinator, item_id=item.pk)
    review_role_grant(actor=coordinator, review_id=review.pk, user=chair, role=Role.CHAIR, agency=None)
    page = reverse("reviews:review", args=[review.reference])

    client.force_login(coordinator)
    html = client.get(page).content.decode()
    assert 'id="notifier-accounts"' in html and escape(item.account) in html

    client.force_login(chair)
    html = client.get(page).content.decode()
    assert 'id="notifier-accounts"' not in html and escape(item.account) not in html
