"""The timeliness record as CSV: each clock's start, due date, stop, outcome and working days late.

Expected rows are worked out by hand from the England & Wales bank holidays (2026: 3 and 6 April,
25 and 28 December; 2027: 1 January), never from the code that computes them. "Today" is frozen at
Mon 1 Feb 2027 by the ``today`` fixture.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from reviews.models import ClosureDay, ReviewKind, ReviewRole, Role
from tests.factories import make_review
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db

# The columns, as a person reading the file in a spreadsheet sees them.
HEADER = (
    "Partnership,Review,Kind,Stage,Clock,Basis,Working days counted,Starts on,Start date,Due date,"
    "Stopped on,Outcome,Working days late"
)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def christmas_review(partnership, coordinator, today):
    # Aware Mon 14 Dec 2026, notified Wed 16 Dec: the serious incident notification (due Mon 21 Dec:
    # 15, 16, 17, 18, 21) was met; the rapid review (due Mon 11 Jan 2027: 17-24 Dec are days 1-6, 25
    # and 28 Dec bank holidays, 29-31 Dec days 7-9, 1 Jan a bank holiday, 4-8 Jan days 10-14, 11 Jan
    # day 15) has not been sent to the Panel, so on 1 Feb 2027 it is overdue. The partnership's
    # closures on 29 and 30 December move neither (statute).
    for day in (date(2026, 12, 29), date(2026, 12, 30)):
        ClosureDay.objects.create(partnership=partnership, date=day, reason="Council closure")
    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        title="Child C",
        key_dates={"became_aware_on": date(2026, 12, 14), "notified_on": date(2026, 12, 16)},
    )


@pytest.fixture
def easter_review(partnership, coordinator, today):
    # Aware Wed 1 Apr 2026: due Fri 10 Apr (2 Apr, then Good Friday and Easter Monday skipped, 7-10
    # Apr). Notified Tue 14 Apr: Mon 13 and Tue 14 are two working days after the due date.
    return make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.INSTITUTIONAL,
        title="Nursery Z",
        key_dates={"became_aware_on": date(2026, 4, 1), "notified_on": date(2026, 4, 14)},
    )


def test_a_review_s_record_has_every_clock_with_its_outcome(client, coordinator, christmas_review):
    client.force_login(coordinator)
    rows = read_csv(client.get(reverse("reviews:review_timeliness_export", args=[christmas_review.reference])))
    assert ",".join(rows[0]) == HEADER
    by_clock = {row[4]: row for row in rows[1:]}
    notification = by_clock["Serious incident notification to the national Panel"]
    assert notification[1] == christmas_review.reference
    assert notification[5:] == [
        "statute or national guidance",
        "weekends and England & Wales bank holidays",
        notification[7],  # the start event's label, checked below
        "2026-12-14",
        "2026-12-21",
        "2026-12-16",
        "met",
        "",
    ]
    rapid = next(row for label, row in by_clock.items() if label.lower().startswith("rapid review"))
    assert rapid[8:] == ["2026-12-16", "2027-01-11", "", "overdue", ""]
    # Opening the file is recorded, as every export is.
    assert AuditEvent.objects.filter(verb="access.timeliness_export", object_id=christmas_review.pk).count() == 1


def test_a_notification_sent_late_is_met_late_by_the_working_days_after_its_due_date(
    client, coordinator, easter_review
):
    client.force_login(coordinator)
    rows = read_csv(client.get(reverse("reviews:review_timeliness_export", args=[easter_review.reference])))
    notification = next(row for row in rows[1:] if row[4] == "Serious incident notification to the national Panel")
    assert notification[8:] == ["2026-04-01", "2026-04-10", "2026-04-14", "met late", "2"]


def test_the_coordinator_s_record_spans_every_review_they_coordinate(
    client, coordinator, christmas_review, easter_review
):
    client.force_login(coordinator)
    rows = read_csv(client.get(reverse("reviews:timeliness_export")))
    assert ",".join(rows[0]) == HEADER
    references = [row[1] for row in rows[1:]]
    # By review, then by due date within it.
    assert sorted(set(references)) == sorted({christmas_review.reference, easter_review.reference})
    assert references == sorted(references)
    assert len(rows) - 1 == christmas_review.clocks.count() + easter_review.clocks.count()
    late = [row for row in rows[1:] if row[11] == "met late"]
    assert [(row[1], row[12]) for row in late] == [(easter_review.reference, "2")]
    assert AuditEvent.objects.filter(verb="access.timeliness_export").count() == 2


def test_someone_who_coordinates_no_review_gets_an_empty_record(client, chair, outsider, christmas_review):
    for user in (chair, outsider):
        client.force_login(user)
        rows = read_csv(client.get(reverse("reviews:timeliness_export")))
        assert [",".join(row) for row in rows] == [HEADER]


def test_the_record_costs_the_same_queries_for_one_review_or_several(
    client, partnership, coordinator, today, django_assert_max_num_queries, christmas_review
):
    client.force_login(coordinator)
    with django_assert_max_num_queries(30) as one:
        read_csv(client.get(reverse("reviews:timeliness_export")))
    for i in range(3):
        make_review(
            coordinator=coordinator,
            partnership=partnership,
            title=f"Child {i}",
            key_dates={"became_aware_on": date(2026, 12, 14), "notified_on": date(2026, 12, 16)},
        )
    assert ReviewRole.objects.filter(user=coordinator, role=Role.COORDINATOR).count() == 4
    with django_assert_max_num_queries(len(one.captured_queries)):
        read_csv(client.get(reverse("reviews:timeliness_export")))


def test_the_review_page_and_the_dashboard_link_to_the_record(client, coordinator, christmas_review):
    client.force_login(coordinator)
    page = client.get(reverse("reviews:review", args=[christmas_review.reference])).content.decode()
    assert reverse("reviews:review_timeliness_export", args=[christmas_review.reference]) in page
    assert reverse("reviews:timeliness_export") in client.get(reverse("reviews:dashboard")).content.decode()


def test_the_dashboard_offers_the_record_only_to_someone_who_coordinates(client, police_lead, review):
    # The police lead on the review coordinates none: the link would only give them an empty file.
    client.force_login(police_lead)
    html = client.get(reverse("reviews:dashboard")).content.decode()
    assert review.reference in html
    assert reverse("reviews:timeliness_export") not in html
