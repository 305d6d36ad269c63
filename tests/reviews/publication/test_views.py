"""The publication page: the coordinator records the decision, with every refusal on the form and
what was typed kept; afterwards the record is read by everyone on the review, the scrutineer too."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from reviews.models import Publication, ReviewKind
from reviews.models.notices import NoticeKind
from reviews.services.notices import NoticeData, notice_record
from tests.factories import make_review


def form(**changes) -> dict[str, str]:
    data = {
        "decision": "full",
        "publish_on-day": "6",
        "publish_on-month": "1",
        "publish_on-year": "2027",
        "family_told_on-day": "21",
        "family_told_on-month": "12",
        "family_told_on-year": "2026",
        "public_url": "https://northbridge.example.org/reviews/child-f",
        "reason": "",
    }
    data.update(changes)
    return data


def test_the_coordinator_is_refused_with_the_reason_and_keeps_what_was_typed(client, cspr, coordinator, today):
    today.set(date(2026, 12, 24))
    notice_record(
        actor=coordinator, review_id=cspr.pk, kind=NoticeKind.ADVANCE_COPY, data=NoticeData(sent_on=date(2026, 12, 24))
    )
    client.force_login(coordinator)
    url = reverse("reviews:publication", args=[cspr.reference])
    html = client.post(url, form()).content.decode()
    assert "so not before 7 January 2027" in html
    assert 'value="https://northbridge.example.org/reviews/child-f"' in html
    assert not Publication.objects.exists()

    response = client.post(url, form(**{"publish_on-day": "7"}))
    assert response.status_code == 302
    assert Publication.objects.get(review=cspr).publish_on == date(2027, 1, 7)


def test_the_record_is_read_by_the_scrutineer_and_linked_from_the_review_page(
    client, cspr, coordinator, scrutineer, police_lead, today
):
    today.set(date(2026, 12, 23))
    notice_record(
        actor=coordinator, review_id=cspr.pk, kind=NoticeKind.ADVANCE_COPY, data=NoticeData(sent_on=date(2026, 12, 23))
    )
    client.force_login(coordinator)
    client.post(reverse("reviews:publication", args=[cspr.reference]), form())
    page = client.get(reverse("reviews:review", args=[cspr.reference])).content.decode()
    assert "Publication: published in full" in page

    client.force_login(scrutineer)
    record = client.get(reverse("reviews:publication", args=[cspr.reference])).content.decode()
    assert "Scheduled (6 January 2027)" in record
    client.force_login(police_lead)
    assert client.get(reverse("reviews:publication", args=[cspr.reference])).status_code == 403


def test_a_child_death_review_has_no_publication_page(client, coordinator, partnership):
    cdr = make_review(coordinator=coordinator, partnership=partnership, kind=ReviewKind.CHILD_DEATH)
    client.force_login(coordinator)
    assert client.get(reverse("reviews:publication", args=[cdr.reference])).status_code == 404
