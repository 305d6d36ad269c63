"""Two factors (django-otp) with TWO_FACTOR_REQUIRED on: a password alone reaches no case page;
a TOTP code or a backup code (once) does; a user without a device enrols first."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD
from tests.security.routes import every_route, route_url
from tests.security.two_factor import give_totp_device, totp_code

# Reachable with a password alone: signing in and out, and the two-factor step itself.
OPEN_BEFORE_SECOND_FACTOR = {"login", "logout", "accounts:two_factor", "accounts:two_factor_setup"}
GUARDED_ROUTES = [route for route in every_route() if route.name not in OPEN_BEFORE_SECOND_FACTOR]
CASE_PAGES = ["reviews:dashboard", "reviews:review", "reviews:chronology", "reviews:action_tracker"]


def case_page_urls(review) -> list[str]:
    return [
        reverse(name, args=[review.reference]) if name in ("reviews:review", "reviews:chronology") else reverse(name)
        for name in CASE_PAGES
    ]


def unthrottle(device: TOTPDevice) -> None:
    """django-otp makes a device wait 1 s, 2 s, 4 s ... after each wrong code; the wait is not under
    test where a test follows a wrong code with a right one."""
    device.refresh_from_db()
    device.throttle_reset()


def assert_no_case_data(html: str, review) -> None:
    assert review.reference not in html
    assert review.title not in html
    for subject in review.subjects.all():
        assert subject.pseudonym not in html


def test_signing_in_with_a_password_leads_to_the_two_factor_step(sign_in_hardened, client, coordinator, review):
    give_totp_device(coordinator)
    response = client.post(reverse("login"), {"username": "coordinator", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:two_factor"))
    html = response.content.decode()
    assert "Enter your security code" in html
    assert_no_case_data(html, review)


@pytest.mark.parametrize("route", GUARDED_ROUTES, ids=str)
def test_a_password_alone_reaches_no_page(sign_in_hardened, client, coordinator, route, url_values, review):
    client.force_login(coordinator)
    url = route_url(route, url_values)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{url} answered {response.status_code}"
        assert response["Location"].startswith(reverse("accounts:two_factor"))
        assert_no_case_data(response.content.decode(), review)


def test_a_user_without_a_device_is_sent_to_enrol_and_sees_no_case_data(sign_in_hardened, client, coordinator, review):
    client.force_login(coordinator)
    for url in case_page_urls(review):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == reverse("accounts:two_factor_setup")
        assert_no_case_data(response.content.decode(), review)


def test_enrolling_shows_the_secret_then_the_backup_codes_once(sign_in_hardened, client, coordinator, review):
    client.force_login(coordinator)
    html = client.get(reverse("accounts:two_factor_setup")).content.decode()
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert re.search(r"otpauth://totp/[^\"<]*secret=", html)
    assert '<img src="data:image/svg+xml;base64,' in html  # the QR code, an image: no inline script
    assert_no_case_data(html, review)

    wrong_code = str((int(totp_code(device)) + 1) % 1_000_000).zfill(6)
    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": wrong_code})
    assert "The code is not right" in wrong.content.decode()
    assert client.get(reverse("reviews:dashboard")).status_code == 302
    unthrottle(device)

    response = client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device)})
    assert response["Location"] == reverse("accounts:two_factor_backup_codes")
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(reverse("accounts:two_factor_backup_codes")).content.decode()
    codes = set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in codes_page for code in codes)
    # Shown once: the page does not show them again.
    again = client.get(reverse("accounts:two_factor_backup_codes"))
    assert again.status_code == 302
    # Enrolled and verified in this session: the case pages open.
    for url in case_page_urls(review):
        assert client.get(url).status_code == 200, url


def test_a_valid_totp_code_opens_every_case_page(sign_in_hardened, client, coordinator, review):
    device = give_totp_device(coordinator)
    client.force_login(coordinator)
    review_url = reverse("reviews:review", args=[review.reference])
    step = client.get(review_url, follow=True)
    assert "Enter your security code" in step.content.decode()

    response = client.post(reverse("accounts:two_factor"), {"code": totp_code(device), "next": review_url})
    assert response.status_code == 302
    assert response["Location"] == review_url
    for url in case_page_urls(review):
        assert client.get(url).status_code == 200, url
    assert review.title in client.get(review_url).content.decode()


def test_a_wrong_or_replayed_totp_code_is_refused(sign_in_hardened, client, coordinator, review):
    device = give_totp_device(coordinator)
    code = totp_code(device)
    client.force_login(coordinator)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    response = client.post(reverse("accounts:two_factor"), {"code": wrong})
    assert response.status_code == 200
    assert "The code was not accepted" in response.content.decode()
    assert client.get(reverse("reviews:dashboard")).status_code == 302

    unthrottle(device)
    assert client.post(reverse("accounts:two_factor"), {"code": code})["Location"] == reverse("reviews:dashboard")

    # Someone who saw that code cannot use it again in another session.
    other = client.__class__()
    other.force_login(coordinator)
    replay = other.post(reverse("accounts:two_factor"), {"code": code})
    assert replay.status_code == 200
    assert other.get(reverse("reviews:dashboard")).status_code == 302


def test_a_backup_code_works_once(sign_in_hardened, client, coordinator, review):
    give_totp_device(coordinator)
    backup = StaticDevice.objects.create(user=coordinator, name="Backup codes", confirmed=True)
    backup.token_set.create(token="abcd2345")
    backup.token_set.create(token="wxyz6789")

    client.force_login(coordinator)
    assert client.post(reverse("accounts:two_factor"), {"code": "abcd2345"}).status_code == 302
    assert client.get(reverse("reviews:review", args=[review.reference])).status_code == 200

    client.post(reverse("logout"))
    client.force_login(coordinator)
    reused = client.post(reverse("accounts:two_factor"), {"code": "abcd2345"})
    assert reused.status_code == 200
    assert "The code was not accepted" in reused.content.decode()  # a wrong code, then a wait
    assert client.get(reverse("reviews:dashboard")).status_code == 302
    for device in (backup, *TOTPDevice.objects.filter(user=coordinator)):
        unthrottle(device)
    assert client.post(reverse("accounts:two_factor"), {"code": "wxyz6789"}).status_code == 302
    assert client.get(reverse("reviews:dashboard")).status_code == 200


def test_the_demo_setting_lets_a_password_alone_through(client, coordinator, review):
    # TWO_FACTOR_REQUIRED=false: only the embedded demo (scripts/run-demo.sh) and the rest of the suite.
    client.force_login(coordinator)
    assert client.get(reverse("reviews:dashboard")).status_code == 200


def test_a_user_with_a_device_cannot_enrol_another_before_verifying(sign_in_hardened, client, coordinator):
    give_totp_device(coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("accounts:two_factor_setup"))
    assert response["Location"] == reverse("accounts:two_factor")
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1
    assert SESSION_KEY in client.session


def test_an_anonymous_visitor_is_sent_to_sign_in_not_to_the_two_factor_step(sign_in_hardened, client, review):
    review_url = reverse("reviews:review", args=[review.reference])
    response = client.get(review_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    for name in ("accounts:two_factor", "accounts:two_factor_setup", "accounts:two_factor_backup_codes"):
        assert client.get(reverse(name))["Location"].startswith(reverse("login")), name


def test_several_wrong_codes_are_all_refused_and_the_right_one_then_works(
    sign_in_hardened, client, coordinator, review
):
    device = give_totp_device(coordinator)
    client.force_login(coordinator)
    wrong = str((int(totp_code(device)) + 1) % 1_000_000).zfill(6)
    for _ in range(4):
        response = client.post(reverse("accounts:two_factor"), {"code": wrong})
        assert response.status_code == 200
        assert "The code was not accepted" in response.content.decode()
        assert client.get(reverse("reviews:dashboard")).status_code == 302
    unthrottle(device)
    assert client.post(reverse("accounts:two_factor"), {"code": totp_code(device)}).status_code == 302
    assert client.get(reverse("reviews:dashboard")).status_code == 200


def test_enrolment_visited_twice_shows_the_same_secret_and_one_device(sign_in_hardened, client, coordinator):
    client.force_login(coordinator)
    first = client.get(reverse("accounts:two_factor_setup")).content.decode()
    second = client.get(reverse("accounts:two_factor_setup")).content.decode()
    device = TOTPDevice.objects.get(user=coordinator)
    secret = re.search(r"secret=([A-Z2-7]+)", first).group(1)
    assert secret in second
    assert not device.confirmed

    assert client.post(reverse("accounts:two_factor_setup"), {"code": totp_code(device)}).status_code == 302
    # Enrolled: the enrolment page no longer shows a secret, and the backup codes are shown once.
    assert client.get(reverse("accounts:two_factor_backup_codes")).status_code == 200
    revisit = client.get(reverse("accounts:two_factor_setup"), follow=True)
    assert secret not in revisit.content.decode()
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1
    assert client.get(reverse("accounts:two_factor_backup_codes"))["Location"] == reverse("reviews:dashboard")
