"""django-axes: AXES_FAILURE_LIMIT failed sign-ins lock the account, even against the right
password and from another address, with a clear message; the cool-off ends it. Plus the password
rules (validators) a new password must meet."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def sign_in(client, password: str, address: str = "192.0.2.10"):
    return client.post(reverse("login"), {"username": "coordinator", "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("limit", [5, 3])
def test_the_configured_number_of_failures_locks_the_account(sign_in_hardened, client, coordinator, limit):
    sign_in_hardened.AXES_FAILURE_LIMIT = limit
    for _ in range(limit - 1):
        response = sign_in(client, "not-the-password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()

    locked = sign_in(client, "not-the-password")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert f"This account is locked after {limit} failed sign-in attempts" in html
    assert "Try again in 30 minutes" in html

    # The right password no longer works, from this address or any other.
    for address in ("192.0.2.10", "198.51.100.7"):
        response = sign_in(client, TEST_PASSWORD, address)
        assert response.status_code == 429
        assert "This account is locked" in response.content.decode()
        assert SESSION_KEY not in client.session


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(sign_in_hardened, client, coordinator):
    for _ in range(sign_in_hardened.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "not-the-password")
    response = sign_in(client, TEST_PASSWORD)
    assert response.status_code == 302
    assert SESSION_KEY in client.session


def test_the_lock_ends_after_the_cool_off(sign_in_hardened, client, coordinator):
    sign_in_hardened.AXES_COOLOFF_TIME = timedelta(minutes=10)
    for _ in range(sign_in_hardened.AXES_FAILURE_LIMIT):
        sign_in(client, "not-the-password")
    locked = sign_in(client, TEST_PASSWORD)
    assert "Try again in 10 minutes" in locked.content.decode()
    move_failures_back(11)  # eleven minutes later
    assert sign_in(client, TEST_PASSWORD).status_code == 302


def move_failures_back(minutes: int) -> None:
    """As if ``minutes`` went by since every recorded failure (rather than waiting)."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_an_attempt_while_locked_starts_the_cool_off_again(sign_in_hardened, client, coordinator):
    # As docs/SECURITY.md says: the lock ends a cool-off after the last attempt, not the first failure.
    sign_in_hardened.AXES_COOLOFF_TIME = timedelta(minutes=10)
    for _ in range(sign_in_hardened.AXES_FAILURE_LIMIT):
        sign_in(client, "not-the-password")
    move_failures_back(9)
    assert sign_in(client, TEST_PASSWORD).status_code == 429  # the right password, still locked
    move_failures_back(9)  # 18 minutes after the failures, 9 after that attempt
    assert sign_in(client, TEST_PASSWORD).status_code == 429
    move_failures_back(11)
    assert sign_in(client, TEST_PASSWORD).status_code == 302


def test_a_success_from_an_address_clears_the_failures_counted_from_it(sign_in_hardened, client, coordinator, chair):
    # As docs/SECURITY.md says (AXES_RESET_ON_SUCCESS): someone with an account of their own who
    # signs in with it between guesses at another account, from one address, is never locked.
    limit = sign_in_hardened.AXES_FAILURE_LIMIT
    own = client.__class__()
    for _ in range(3):
        for _ in range(limit - 1):
            assert sign_in(client, "a-guess").status_code == 200
        response = own.post(
            reverse("login"), {"username": "chair", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.10"
        )
        assert response.status_code == 302
    assert sign_in(client, "a-guess").status_code == 200  # 3 x (limit - 1) + 1 guesses, not locked
    # Guesses from another address still lock the username: no success cleared them.
    for _ in range(limit):
        response = sign_in(client, "a-guess", "198.51.100.7")
    assert response.status_code == 429


def test_other_users_on_other_addresses_are_not_locked(sign_in_hardened, client, coordinator, chair):
    for _ in range(sign_in_hardened.AXES_FAILURE_LIMIT):
        sign_in(client, "not-the-password")
    other = client.__class__()
    response = other.post(reverse("login"), {"username": "chair", "password": TEST_PASSWORD}, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302


@pytest.mark.parametrize("password", ["short1!", "password1234", "123456789012", "coordinator-1", "Coordinator2026"])
def test_a_weak_password_is_refused(coordinator, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=coordinator)


def test_a_long_uncommon_password_is_accepted(coordinator):
    validate_password("lantern-orchard-57-quietly", user=coordinator)
