"""The access log: every look at a review's case detail, chronology, contributions and reports,
identities, panel papers and exports leaves one append-only row, and the review's coordinator
can see who looked, when and at what."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import ReviewState
from reviews.selectors.access_log import access_rows
from tests.factories import advance_to
from workflows.models import AuditEvent


def _new_events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("id"))


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


# (URL name, who looks, arguments from the world's parameters, the verb recorded)
LOOKS = [
    ("reviews:review", "chair", ("reference",), "access.review"),
    ("reviews:review", "scrutineer", ("reference",), "access.review"),
    ("reviews:subject_identity", "coordinator", ("reference", "subject_id"), "access.identity"),
    ("reviews:chronology", "panel_member", ("reference",), "access.chronology"),
    ("reviews:chronology_print", "agency_lead", ("reference",), "access.chronology_print"),
    ("reviews:chronology_export", "coordinator", ("reference",), "access.chronology_export"),
    ("reviews:contribution", "agency_lead", ("reference", "contribution_id"), "access.contribution"),
    ("reviews:contribution", "coordinator", ("reference", "contribution_id"), "access.contribution"),
    ("reviews:panel_papers", "panel_member", ("meeting_id", "reference"), "access.panel_papers"),
    ("reviews:action_tracker_export", "coordinator", (), "access.actions_export"),
]


@pytest.mark.parametrize(("url_name", "who", "args", "verb"), LOOKS)
def test_each_look_records_one_row(client, world, url_name, who, args, verb):
    user = world.users[who]
    client.force_login(user)
    since = _last_id()

    response = client.get(reverse(url_name, kwargs={a: world.own[a] for a in args}))

    assert response.status_code == 200
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    events = _new_events(since)
    assert [(e.verb, e.actor_id, e.object_id) for e in events] == [(verb, user.pk, world.review.pk)]
    assert events[0].detail["page"] == response.request["PATH_INFO"]


def test_editing_the_agency_report_records_a_look(client, gp_contribution, gp_lead):
    client.force_login(gp_lead)
    since = _last_id()
    response = client.get(reverse("reviews:report_edit", args=[gp_contribution.review.reference, gp_contribution.pk]))
    assert response.status_code == 200
    assert [(e.verb, e.actor_id) for e in _new_events(since)] == [("access.agency_report", gp_lead.pk)]


def test_a_refused_look_records_nothing(client, world):
    since = _last_id()
    client.force_login(world.users["scrutineer"])
    assert client.get(reverse("reviews:chronology", args=[world.review.reference])).status_code == 403
    client.force_login(world.users["outsider"])
    assert client.get(reverse("reviews:review", args=[world.review.reference])).status_code == 404
    assert _new_events(since) == []


def test_the_coordinator_sees_who_looked_when_and_at_what(client, world):
    ref = world.review.reference
    client.force_login(world.users["chair"])
    client.get(reverse("reviews:chronology", args=[ref]))
    client.force_login(world.users["coordinator"])
    client.get(reverse("reviews:subject_identity", args=[ref, world.identity_subject.pk]))

    response = client.get(reverse("reviews:review_access_log", args=[ref]))

    assert response.status_code == 200
    html = response.content.decode()
    chair = world.users["chair"]
    assert chair.get_full_name() in html and "Merged chronology" in html
    assert "Identity of a subject" in html
    rows = access_rows(world.review)
    assert [r.what for r in rows[:2]] == ["Identity of a subject", "Merged chronology"]  # newest first
    # The review page links to it, for coordinators only.
    assert (
        reverse("reviews:review_access_log", args=[ref])
        in client.get(reverse("reviews:review", args=[ref])).content.decode()
    )
    client.force_login(chair)
    assert "access-log-link" not in client.get(reverse("reviews:review", args=[ref])).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("chair", 403),
        ("agency_lead", 403),
        ("scrutineer", 403),
        ("partnership_member", 404),
        ("partnership_admin", 404),
        ("outsider", 404),
    ],
)
def test_only_the_coordinator_sees_the_log(client, world, who, status):
    client.force_login(world.users[who])
    response = client.get(reverse("reviews:review_access_log", args=[world.review.reference]))
    assert response.status_code == status


def _log_page_queries(client, review) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reviews:review_access_log", args=[review.reference]))
    assert response.status_code == 200
    return len(queries)


def test_the_log_page_costs_the_same_for_3_or_30_rows(client, review, coordinator, chair, panel_member, police_lead):
    advance_to(review, ReviewState.SCOPING, coordinator)
    lookers = [chair, panel_member, police_lead]

    def look(times: int) -> None:
        for i in range(times):
            client.force_login(lookers[i % 3])
            client.get(reverse("reviews:review", args=[review.reference]))

    look(3)
    client.force_login(coordinator)
    few = _log_page_queries(client, review)
    look(27)
    client.force_login(coordinator)
    many = _log_page_queries(client, review)
    assert len(access_rows(review)) == 30
    assert many == few
