"""The CDR intake over the API (reviews/api/intake.py): a hospital's system notifies a death with a
token holding the notify scope; it gets the reference and nothing else, a repeat gets the same
reference and stores nothing, bad input is refused field by field in the /notify/ page's words,
and a token without the scope (or with only it, elsewhere) is refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import Scope
from reviews.models import IntakeItem, PostcodeArea
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/notifications"


@pytest.fixture
def areas(partnership, other_partnership):
    PostcodeArea.objects.create(prefix="NB", partnership=partnership)
    PostcodeArea.objects.create(prefix="SM", partnership=other_partnership)
    return partnership, other_partnership


@pytest.fixture
def hospital(db):
    """The hospital's system: a user of its own with no role anywhere (docs/API.md)."""
    return UserFactory(username="nbgh.system")


def body(**changes) -> dict[str, object]:
    died = timezone.localtime() - timedelta(days=1)
    sent: dict[str, object] = {
        "child_name": "Poppy Ashcombe-Lindqvist",
        "date_of_birth": "2023-05-17",
        "nhs_number": "943 476 5919",
        "sex": "female",
        "ethnicity": "white_british",
        "address": "3 Orchard Row\nNorthbridge",
        "postcode": "nb3 7qt",
        "died_on": died.date().isoformat(),
        "died_time": "03:15",
        "place_of_death": "Northbridge General Hospital",
        "expectation": "unexpected",
        "notifier_name": "Dr Amara Okafor",
        "notifier_role": "Paediatric registrar",
        "notifier_organisation": "Northbridge General Hospital",
        "notifier_email": "amara.okafor@nbgh.example.nhs.uk",
        "notifier_phone": "01632 960 123",
        "became_aware_on": died.date().isoformat(),
        "became_aware_time": "04:00",
        "account": "Brought in by ambulance after a cardiac arrest at home.",
    }
    sent.update(changes)
    return sent


def test_a_notify_token_sends_a_notification_and_gets_only_the_reference(api_as, areas, hospital):
    assert reverse("api_v1:intake_notifications") == URL
    response = api_as(hospital, scopes=[Scope.NOTIFY]).post(URL, body())
    assert response.status_code == 201, response.content
    item = IntakeItem.objects.get()
    assert response.json() == {"reference": item.reference}
    assert item.partnership == areas[0] and item.nhs_number == "9434765919"
    assert timezone.localtime(item.became_aware_at).strftime("%H:%M") == "04:00"
    assert timezone.localtime(item.died_at).strftime("%H:%M") == "03:15"


def test_the_same_notification_again_gets_the_same_reference_and_stores_nothing(api_as, areas, hospital):
    api = api_as(hospital, scopes=[Scope.NOTIFY])
    first = api.post(URL, body())
    again = api.post(URL, body(account="Sent again to be sure."))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert IntakeItem.objects.count() == 1


def test_with_one_idempotency_key_the_first_answer_is_replayed(api_as, areas, hospital):
    api = api_as(hospital, scopes=[Scope.NOTIFY])
    first = api.post(URL, body(), headers={"Idempotency-Key": "nbgh-2026-0001"})
    again = api.post(URL, body(), headers={"Idempotency-Key": "nbgh-2026-0001"})
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert IntakeItem.objects.count() == 1


def test_a_token_without_the_notify_scope_is_refused(api_as, areas, hospital, coordinator):
    response = api_as(hospital, scopes=[Scope.READ]).post(URL, body())
    assert response.status_code == 403
    assert response.json()["scope"] == "notify"
    # Every other scope is not this one either.
    scopes = [Scope.READ, Scope.CONTRIBUTE, Scope.COORDINATE]
    assert api_as(coordinator, scopes=scopes).post(URL, body()).status_code == 403
    assert api_as(None).post(URL, body()).status_code == 401
    assert not IntakeItem.objects.exists()


def test_a_token_with_only_the_notify_scope_can_do_nothing_else(api_as, hospital, coordinator, review):
    api = api_as(coordinator, scopes=[Scope.NOTIFY])
    for url in (
        reverse("api_v1:reviews"),
        reverse("api_v1:review", args=[review.reference]),
        reverse("api_v1:actions"),
        reverse("api_v1:notifications"),
    ):
        response = api.get(url)
        assert response.status_code == 403 and response.json()["scope"] == "read", url
    response = api.post(
        reverse("api_v1:review_transition", args=[review.reference, "start_scoping"]), {"expected_state": "notified"}
    )
    assert response.status_code == 403 and response.json()["scope"] == "coordinate"


def test_bad_input_is_refused_field_by_field_in_the_pages_words(api_as, areas, hospital):
    api = api_as(hospital, scopes=[Scope.NOTIFY])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api.post(
        URL,
        body(
            nhs_number="943 476 5918",  # the check digit of 943 476 5919 is 9
            child_name="",
            date_of_birth="17/05/2023",
            became_aware_time="25:00",
            sex="girl",
            notifier_email="not an address",
        ),
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:review-engine:problem:validation"
    assert problem["errors"] == {
        "child_name": ["Enter the child's full name"],
        "date_of_birth": ["The child's date of birth must be a real date"],
        "nhs_number": ["This is not a valid NHS number: its check digit does not match."],
        "sex": ["Select a valid choice. girl is not one of the available choices."],
        "notifier_email": ["Enter an e-mail address in the right format, like name@example.nhs.uk"],
        "became_aware_time": ["Enter the time as hours and minutes on the 24-hour clock, for example 14:30"],
    }
    # What the service refuses (a death in the future, a postcode no partnership covers), by field.
    response = api.post(URL, body(died_on=tomorrow, became_aware_on=tomorrow, postcode="ZZ1 1ZZ"))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["died_on"] == ["The date and time of death cannot be in the future."]
    assert errors["postcode"][0].startswith("No partnership covers the postcode ZZ1 1ZZ.")
    # Not an object, or a field as a list: refused, never read as text.
    assert api.post(URL, raw=json.dumps(["a"])).json()["errors"] == {"non_field_errors": ["Send a JSON object."]}
    assert "child_name" in api.post(URL, body(child_name=["Poppy"])).json()["errors"]
    assert not IntakeItem.objects.exists()


def test_the_partnership_is_named_by_its_code(api_as, areas, hospital):
    api = api_as(hospital, scopes=[Scope.NOTIFY])
    response = api.post(URL, body(postcode="ZZ1 1ZZ", partnership=areas[1].code))
    assert response.status_code == 201
    assert IntakeItem.objects.get().partnership == areas[1]
    response = api.post(URL, body(postcode="ZZ1 1ZZ", partnership="NOPE", child_name="Another Child"))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "partnership": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_the_pages_size_cap_holds(api_as, areas, hospital, settings):
    settings.INTAKE_MAX_BYTES = 2048
    response = api_as(hospital, scopes=[Scope.NOTIFY]).post(URL, body(account="x" * 3000))
    assert response.status_code == 413
    assert not IntakeItem.objects.exists()
