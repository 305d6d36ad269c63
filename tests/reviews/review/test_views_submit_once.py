"""A create form sent twice (a double click, a POST resent after a slow answer) creates once: the
second submission is pointed at the first one's result. Bad input keeps the token usable. Here the
form that opens a review; the other create forms have their own test_views_submit_once.py
(tests/reviews/{findings,actions,panels}/)."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from reviews.models import Review
from tests.reviews.pages import NEW, open_data, token_of
from workflows.models import FormSubmission


def test_opening_a_review_twice_with_one_form_opens_it_once(client, coordinator, partnership):
    client.force_login(coordinator)
    token = token_of(client.get(reverse(NEW)).content.decode())
    first = client.post(reverse(NEW), {**open_data(partnership), "submission": token})
    second = client.post(reverse(NEW), {**open_data(partnership), "submission": token}, follow=True)
    review = Review.objects.get()
    assert first["Location"] == second.redirect_chain[-1][0] == reverse("reviews:review", args=[review.reference])
    assert "already been sent" in second.content.decode()
    # A new form (a new token) opens a second review, as the coordinator would expect.
    again = token_of(client.get(reverse(NEW)).content.decode())
    assert again != token
    client.post(reverse(NEW), {**open_data(partnership), "submission": again})
    assert Review.objects.count() == 2


def test_bad_input_keeps_the_token_for_the_corrected_form(client, coordinator, partnership):
    client.force_login(coordinator)
    token = token_of(client.get(reverse(NEW)).content.decode())
    refused = client.post(reverse(NEW), {**open_data(partnership, title=""), "submission": token})
    assert refused.status_code == 400
    assert token_of(refused.content.decode()) == token  # the same form, what was typed kept
    assert not FormSubmission.objects.exists()
    accepted = client.post(reverse(NEW), {**open_data(partnership), "submission": token})
    assert accepted.status_code == 302 and Review.objects.count() == 1


def test_someone_else_s_token_opens_nothing_and_reveals_nothing(client, coordinator, partnership, chair):
    from tests.factories import member

    client.force_login(coordinator)
    token = token_of(client.get(reverse(NEW)).content.decode())
    client.post(reverse(NEW), {**open_data(partnership), "submission": token})
    client.force_login(member(chair, partnership, standing="coordinator"))  # another coordinator
    response = client.post(reverse(NEW), {**open_data(partnership), "submission": token})
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert Review.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_open_one_review(coordinator, partnership):
    token = str(uuid.uuid4())
    barrier = threading.Barrier(2)
    answers: list[object] = [None, None]

    def send(index: int) -> None:
        try:
            client = Client()
            client.force_login(coordinator)
            barrier.wait(timeout=10)
            answers[index] = client.post(reverse(NEW), {**open_data(partnership), "submission": token})
        except BaseException as error:  # noqa: BLE001 -- reported below
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(getattr(answer, "status_code", None) == 302 for answer in answers), answers
    review = Review.objects.get()
    assert {answer["Location"] for answer in answers} == {reverse("reviews:review", args=[review.reference])}


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_a_review_sent_without_a_token_is_refused(client, coordinator, partnership, token):
    client.force_login(coordinator)
    data = {key: value for key, value in open_data(partnership).items() if key != "submission"}
    if token is not None:
        data["submission"] = token
    response = client.post(reverse(NEW), data)
    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert 'href="#main-content">This form was sent without its one-time code' in summary
    assert not Review.objects.exists()
