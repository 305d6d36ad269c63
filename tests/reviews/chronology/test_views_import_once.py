"""Importing a file is a create form: the same file sent twice (a resent POST, a double click, ten
requests at once, a second tab) adds its rows once; a POST without the form's token is refused."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

from reviews.models.chronology import ChronologyEntry
from tests.concurrency import race
from tests.reviews.pages import csv_file, token_of, url
from workflows.models import AuditEvent

FILE = csv_file(
    "14/03/2025,,09:30,Custody record 2231,Arrest at the family home,Response officer,Child present,yes",
    "03/2025,,,Intelligence log 88,Neighbour reported shouting,Call handler,,no",
    "2024-12-01,approximate,,PNC,Previous caution,Analyst,,",
)


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("police.csv", FILE)


def imports() -> int:
    return AuditEvent.objects.filter(verb="chronology.imported").count()


def test_the_same_form_sent_twice_imports_once(client, police_lead, police_contribution):
    client.force_login(police_lead)
    token = token_of(client.get(url("chronology_import", police_contribution)).content.decode())
    first = client.post(url("chronology_import", police_contribution), {"file": upload(), "submission": token})
    second = client.post(
        url("chronology_import", police_contribution), {"file": upload(), "submission": token}, follow=True
    )
    assert first.status_code == 302
    assert second.redirect_chain[0][0] == first["Location"]
    assert "This file had already been sent: it was imported once." in second.content.decode()
    assert ChronologyEntry.objects.count() == 3
    assert imports() == 1


def test_a_file_already_imported_is_refused_with_the_day_it_was(client, police_lead, police_contribution):
    client.force_login(police_lead)
    page = url("chronology_import", police_contribution)
    client.post(page, {"file": upload(), "submission": str(uuid.uuid4())})
    again = client.post(page, {"file": upload(), "submission": str(uuid.uuid4())})
    assert again.status_code == 400
    today = timezone.localdate()
    assert f"This file was already imported on {today:%-d %B %Y}" in again.content.decode()
    assert ChronologyEntry.objects.count() == 3
    assert imports() == 1


def test_a_file_with_one_new_row_is_imported_whole(client, police_lead, police_contribution):
    client.force_login(police_lead)
    page = url("chronology_import", police_contribution)
    client.post(page, {"file": upload(), "submission": str(uuid.uuid4())})
    grown = FILE + b"15/03/2025,,,Custody record 2232,Released,Custody sergeant,,no\n"
    response = client.post(page, {"file": SimpleUploadedFile("p.csv", grown), "submission": str(uuid.uuid4())})
    assert response.status_code == 302
    assert ChronologyEntry.objects.count() == 7


def test_an_import_without_its_token_is_refused_and_imports_nothing(client, police_lead, police_contribution):
    client.force_login(police_lead)
    response = client.post(url("chronology_import", police_contribution), {"file": upload()})
    assert response.status_code == 400
    assert "sent without its one-time code" in response.content.decode()
    assert not ChronologyEntry.objects.exists()


def _posting(lead, contribution, token: str):
    def post() -> int:
        close_old_connections()
        client = Client()
        client.force_login(lead)
        return client.post(url("chronology_import", contribution), {"file": upload(), "submission": token}).status_code

    return post


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_posts_of_one_form_at_once_import_once(police_lead, police_contribution):
    token = str(uuid.uuid4())
    results = race(*[(f"post {n}", _posting(police_lead, police_contribution, token)) for n in range(10)])
    assert [outcome for outcome, *_ in results.values()] == ["ok"] * 10
    assert {status for _, status, _ in results.values()} == {302}
    assert ChronologyEntry.objects.count() == 3
    assert imports() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_forms_sending_one_file_at_once_import_it_once(police_lead, police_contribution):
    results = race(*[(f"tab {n}", _posting(police_lead, police_contribution, str(uuid.uuid4()))) for n in range(10)])
    statuses = sorted(status for _, status, _ in results.values())
    assert statuses == [302] + [400] * 9  # the others: "already imported on ..."
    assert ChronologyEntry.objects.count() == 3
    assert imports() == 1
