"""The child death review's pages: the dataset form, the meeting form, and the CDOP's page, which shows
pseudonyms and never an identity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.urls import reverse

from reviews.models import ChildDeath, Review, ReviewKind
from reviews.services.child_death import (
    CdopReviewData,
    JarItemData,
    cdop_review_record,
    cdr_meeting_record,
    child_death_dataset_record,
    jar_item_record,
)
from tests.factories import make_review
from tests.reviews.child_death.conftest import FULL_NAME, NHS_NUMBER
from tests.reviews.child_death.test_services import DATASET, MEETING
from workflows.audit import AuditEvent
from workflows.models import TransitionLog


def date_parts(name: str, value: date) -> dict[str, str]:
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


DATASET_FORM = {
    **date_parts("died_on", date(2026, 3, 6)),
    **date_parts("became_aware_on", date(2026, 3, 6)),
    "became_aware_at": "23:40",
    "unexpected": "unexpected",
    "place_of_death": "hospital",
    "ethnicity": "white_roma",
    "looked_after": "no",
    "disability": "no",
    "home_local_authority": "Northbridge City Council",
    "notifier_name": "Dr P. Example",
    "notifier_role": "Consultant paediatrician",
}


def url(name: str, review: Review) -> str:
    return reverse(f"reviews:{name}", args=[review.reference])


def test_the_coordinator_records_the_dataset_and_the_review_page_shows_it_with_the_jar_clocks(client, cdr, coordinator):
    client.force_login(coordinator)
    response = client.post(url("child_death_dataset", cdr), DATASET_FORM)
    assert response.status_code == 302

    page = client.get(url("review", cdr)).content.decode()
    assert 'id="cdr-dataset"' in page
    assert "White: Roma" in page and "Consultant paediatrician" in page and "at 23:40" in page
    assert 'id="cdr-jar"' in page and "Joint home visit" in page and "due 7 Mar 2026" in page


def test_a_death_before_birth_is_sent_back_naming_the_field_and_nothing_is_saved(client, cdr, coordinator):
    client.force_login(coordinator)
    response = client.post(url("child_death_dataset", cdr), {**DATASET_FORM, **date_parts("died_on", date(2024, 6, 1))})
    assert response.status_code == 400
    assert (
        "The date of death cannot be before Child D&#x27;s date of birth (5 January 2025)." in response.content.decode()
    )
    assert not ChildDeath.objects.exists()
    assert Review.objects.get(pk=cdr.pk).incident_on == date(2026, 3, 6)


def test_a_meeting_with_under_a_months_notice_is_sent_back_and_nothing_is_recorded(client, cdr, coordinator):
    client.force_login(coordinator)
    form = {
        **date_parts("post_mortem_received_on", date(2026, 4, 20)),
        **date_parts("notice_given_on", date(2026, 4, 10)),
        **date_parts("held_on", date(2026, 5, 5)),
    }
    response = client.post(url("child_death_meeting", cdr), form)
    assert response.status_code == 400
    assert "Give at least a month&#x27;s notice of the meeting" in response.content.decode()
    assert not TransitionLog.objects.filter(transition="hold_meeting").exists()
    assert Review.objects.get(pk=cdr.pk).cdr_meeting_on is None

    response = client.post(url("child_death_meeting", cdr), {**form, **date_parts("notice_given_on", date(2026, 4, 1))})
    assert response.status_code == 302
    assert Review.objects.get(pk=cdr.pk).cdr_meeting_on == date(2026, 5, 5)
    assert "Child death review meeting held" in client.get(url("review", cdr)).content.decode()


@pytest.mark.parametrize("role", ["coordinator", "chair", "panel_member"])
def test_the_cdop_page_shows_pseudonyms_never_an_identity(client, cdr, coordinator, chair, panel_member, role):
    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=DATASET)
    jar_item_record(
        actor=coordinator,
        review_id=cdr.pk,
        item="home_visit",
        data=JarItemData(done_on=date(2026, 3, 7), done_at=None, done_by="DS, police; paediatrician"),
    )
    cdr_meeting_record(actor=coordinator, review_id=cdr.pk, data=MEETING)
    cdop_review_record(actor=coordinator, review_id=cdr.pk, data=CdopReviewData(reviewed_on=date(2026, 6, 2)))
    user = {"coordinator": coordinator, "chair": chair, "panel_member": panel_member}[role]
    client.force_login(user)

    response = client.get(url("child_death_cdop", cdr))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Child D" in page and "1 year, 2 months" in page and "White: Roma" in page
    assert "Reviewed on 2 June 2026" in page and "Held on 5 May 2026" in page
    for identity in (FULL_NAME, "Oliver", NHS_NUMBER, "943 476 5919", "12 Example Row"):
        assert identity not in page
    # Nor the dates of birth and death that would identify the child, nor the notifier's name.
    assert "5 January 2025" not in page and "Dr P. Example" not in page
    assert AuditEvent.objects.filter(verb="access.cdop_papers", actor=user).exists()


def test_the_coordinator_records_the_cdops_review_on_its_page(client, cdr, coordinator):
    cdr_meeting_record(actor=coordinator, review_id=cdr.pk, data=MEETING)
    client.force_login(coordinator)
    assert 'id="cdop-form"' in client.get(url("child_death_cdop", cdr)).content.decode()
    response = client.post(url("child_death_cdop", cdr), date_parts("reviewed_on", date(2026, 5, 1)))
    assert response.status_code == 400
    assert "The CDOP&#x27;s review cannot be before the child death review meeting (5 May 2026)." in (
        response.content.decode()
    )
    response = client.post(url("child_death_cdop", cdr), date_parts("reviewed_on", date(2026, 6, 2)))
    assert response.status_code == 302
    assert Review.objects.get(pk=cdr.pk).cdop_reviewed_on == date(2026, 6, 2)


def test_the_child_death_pages_do_not_exist_on_another_kind_of_review(client, partnership, coordinator):
    rapid = make_review(coordinator=coordinator, partnership=partnership, kind=ReviewKind.RAPID)
    client.force_login(coordinator)
    for name in ("child_death_dataset", "child_death_meeting", "child_death_cdop"):
        assert client.get(url(name, rapid)).status_code == 404


def test_the_jar_step_page_does_not_exist_for_an_expected_death(client, cdr, coordinator):
    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=replace(DATASET, unexpected=False))
    client.force_login(coordinator)
    assert client.get(reverse("reviews:child_death_jar_item", args=[cdr.reference, "home_visit"])).status_code == 404


def test_a_real_name_in_the_meeting_notes_is_caught_before_it_reaches_the_cdops_papers(client, cdr, coordinator):
    client.force_login(coordinator)
    form = {
        **date_parts("post_mortem_received_on", date(2026, 4, 20)),
        **date_parts("notice_given_on", date(2026, 4, 1)),
        **date_parts("held_on", date(2026, 5, 5)),
        "notes": f"{FULL_NAME} was seen by the GP twice.",
    }
    response = client.post(url("child_death_meeting", cdr), form)
    assert response.status_code == 400
    assert "Child D" in response.content.decode() and 'id="save-anyway"' in response.content.decode()
    assert Review.objects.get(pk=cdr.pk).cdr_meeting_on is None

    client.post(url("child_death_meeting", cdr), {**form, "notes": "Child D was seen by the GP twice."})
    assert Review.objects.get(pk=cdr.pk).cdr_meeting_on == date(2026, 5, 5)


def test_the_cdop_page_and_the_review_page_read_in_constant_queries(client, cdr, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.services.subjects import SubjectData, subject_add

    child_death_dataset_record(actor=coordinator, review_id=cdr.pk, data=DATASET)
    client.force_login(coordinator)

    def counts() -> tuple[int, int]:
        found = []
        for name in ("child_death_cdop", "review"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(name, cdr)).status_code == 200
            found.append(len(queries))
        return found[0], found[1]

    counts()  # warms the content type cache (the history reads them)
    before = counts()
    jar_item_record(
        actor=coordinator,
        review_id=cdr.pk,
        item="home_visit",
        data=JarItemData(done_on=date(2026, 3, 7), done_at=None, done_by="Police"),
    )
    jar_item_record(
        actor=coordinator,
        review_id=cdr.pk,
        item="information_meeting",
        data=JarItemData(done_on=date(2026, 3, 9), done_at=None, done_by="Police, CSC"),
    )
    for letter in "FG":
        subject_add(actor=coordinator, review_id=cdr.pk, data=SubjectData(pseudonym=f"Sibling {letter}"))
    assert counts() == before
