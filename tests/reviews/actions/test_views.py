"""The action and tracker pages: who reaches them and the findings pages they come from (404 by URL
guessing), forms that keep what was typed, the tracker's filters, constant query count and CSV
export. The findings pages themselves: tests/reviews/findings/test_views.py."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import Action, ActionState
from reviews.services.actions import action_advance
from reviews.services.review import review_advance
from tests.factories import AgencyFactory, make_review
from tests.reviews.builders import add_action, signed_with_recommendation
from tests.reviews.pages import assert_no_inline, date_parts


@pytest.fixture
def tracking(drafting, coordinator, chair, police):
    recommendation = signed_with_recommendation(drafting, coordinator, chair, police)
    review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    return recommendation


@pytest.fixture
def action(tracking, coordinator):
    return add_action(tracking, coordinator)


def action_url(action: Action, name: str = "action", *extra) -> str:
    return reverse(f"reviews:{name}", args=[action.review.reference, action.pk, *extra])


# --- the action page ------------------------------------------------------------------------------


def test_the_owner_lead_completes_with_evidence_and_errors_keep_input(client, action, police_lead):
    client.force_login(police_lead)
    url = action_url(action, "action_step", "complete")
    response = client.post(url, {"expected_state": "open", "evidence": "  "})
    assert response.status_code == 400
    assert "Give the evidence of completion of R1.1" in response.content.decode()

    response = client.post(url, {"expected_state": "open", "evidence": "Training records for 14 teams"})
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).state == ActionState.COMPLETED
    page = client.get(action_url(action)).content.decode()
    assert "Training records for 14 teams" in page


def test_a_progress_update_from_the_page(client, action, police_lead):
    client.force_login(police_lead)
    url = action_url(action, "action_progress")
    response = client.post(url, {**date_parts("progress_on", timezone.localdate() + timedelta(days=2)), "note": "Kept"})
    assert response.status_code == 400
    assert "The date of the progress is in the future." in response.content.decode()
    assert "Kept" in response.content.decode()
    response = client.post(url, {**date_parts("progress_on", timezone.localdate()), "note": "Two teams done"})
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).state == ActionState.IN_PROGRESS


def test_the_coordinator_verifies_from_the_page(client, action, police_lead, coordinator):
    action_advance(actor=police_lead, action_id=action.pk, transition="complete", evidence="Done")
    client.force_login(coordinator)
    page = client.get(action_url(action)).content.decode()
    assert 'id="step-verify"' in page and 'id="step-return_to_owner"' in page
    response = client.post(action_url(action, "action_step", "verify"), {"expected_state": "completed"})
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).state == ActionState.VERIFIED


def test_a_coordinator_who_completed_is_refused_verification_with_the_reason(client, action, coordinator):
    action_advance(actor=coordinator, action_id=action.pk, transition="complete", evidence="Done")
    client.force_login(coordinator)
    response = client.post(action_url(action, "action_step", "verify"), {"expected_state": "completed"})
    assert response.status_code == 409
    assert "someone else must verify it" in response.content.decode()


def test_the_coordinator_moves_an_action_due_date_with_a_reason(client, action, coordinator, police_lead):
    from notifications.models import Deadline, Notification
    from workflows.models import AuditEvent

    client.force_login(coordinator)
    page = client.get(action_url(action)).content.decode()
    assert action_url(action, "action_due_date") in page
    new_date = action.due_date + timedelta(days=21)
    url = action_url(action, "action_due_date")
    response = client.post(url, {**date_parts("new_due_date", new_date), "reason": ""})
    assert response.status_code == 400
    assert "Give the reason for the new due date" in response.content.decode()
    response = client.post(
        url, {**date_parts("new_due_date", timezone.localdate() - timedelta(days=1)), "reason": "Kept"}
    )
    assert response.status_code == 400
    assert "The new due date is in the past." in response.content.decode() and "Kept" in response.content.decode()
    assert Action.objects.get(pk=action.pk).due_date == action.due_date

    response = client.post(url, {**date_parts("new_due_date", new_date), "reason": "Agreed at the panel"})
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).due_date == new_date
    deadline = Deadline.objects.get(object_id=action.pk, kind="action_due")
    assert deadline.due_date == new_date
    # The owner's lead is told of the new date, in the inbox and by e-mail.
    told = Notification.objects.filter(kind="deadline_set", recipient=police_lead, due_date=new_date)
    assert set(told.values_list("channel", flat=True)) == {"in_app", "email"}
    event = AuditEvent.objects.get(verb="action.due_date_moved")
    assert event.detail["to"] == new_date.isoformat() and event.detail["reason"] == "Agreed at the panel"


def test_the_owner_lead_cannot_move_the_due_date(client, action, police_lead):
    client.force_login(police_lead)
    assert "action_due_date" not in client.get(action_url(action)).content.decode()
    response = client.post(
        action_url(action, "action_due_date"),
        {**date_parts("new_due_date", action.due_date + timedelta(days=7)), "reason": "More time"},
    )
    assert response.status_code == 403
    assert Action.objects.get(pk=action.pk).due_date == action.due_date


def test_a_verified_action_s_due_date_does_not_move(client, action, coordinator, police_lead):
    action_advance(actor=police_lead, action_id=action.pk, transition="complete", evidence="Done")
    action_advance(actor=coordinator, action_id=action.pk, transition="verify")
    client.force_login(coordinator)
    response = client.post(
        action_url(action, "action_due_date"),
        {**date_parts("new_due_date", action.due_date + timedelta(days=7)), "reason": "Late"},
        follow=True,
    )
    assert "is verified" in response.content.decode()
    assert Action.objects.get(pk=action.pk).due_date == action.due_date


# --- who reaches what -----------------------------------------------------------------------------


def urls_of(action: Action) -> list[tuple[str, str]]:
    ref = action.review.reference
    return [
        ("get", reverse("reviews:findings", args=[ref])),
        ("get", reverse("reviews:findings_edit", args=[ref])),
        ("get", reverse("reviews:findings_version", args=[ref, 1])),
        ("post", reverse("reviews:findings_sign_off", args=[ref])),
        ("post", reverse("reviews:findings_reopen", args=[ref])),
        ("get", reverse("reviews:recommendation_add", args=[ref])),
        ("get", reverse("reviews:recommendation_edit", args=[ref, action.recommendation_id])),
        ("post", reverse("reviews:recommendation_delete", args=[ref, action.recommendation_id])),
        ("get", reverse("reviews:review_actions", args=[ref])),
        ("get", reverse("reviews:action_add", args=[ref, action.recommendation_id])),
        ("get", action_url(action)),
        ("post", action_url(action, "action_progress")),
        ("post", action_url(action, "action_step", "complete")),
        ("post", action_url(action, "action_step", "verify")),
    ]


ACTION_URLS = {"action", "action_progress", "action_step"}


@pytest.mark.parametrize("index", range(14))
def test_an_outsider_gets_404_everywhere(client, action, outsider, index):
    method, url = urls_of(action)[index]
    client.force_login(outsider)
    response = getattr(client, method)(url, {"expected_state": "open", "evidence": "x", "reason": "x"})
    assert response.status_code == 404
    assert Action.objects.get(pk=action.pk).state == ActionState.OPEN


@pytest.mark.parametrize("name", ["get", "progress", "complete"])
def test_the_other_agency_s_lead_gets_404_on_the_action(client, action, gp_lead, name):
    client.force_login(gp_lead)
    if name == "get":
        response = client.get(action_url(action))
    elif name == "progress":
        response = client.post(action_url(action, "action_progress"), {"note": "x"})
    else:
        response = client.post(
            action_url(action, "action_step", "complete"), {"expected_state": "open", "evidence": "x"}
        )
    assert response.status_code == 404
    assert not Action.objects.get(pk=action.pk).updates.exists()


def test_the_scrutineer_sees_no_findings(client, action, scrutineer):
    client.force_login(scrutineer)
    assert client.get(reverse("reviews:findings", args=[action.review.reference])).status_code == 403


# --- the tracker and "My actions" -----------------------------------------------------------------


def make_actions(n: int, recommendation, coordinator, agencies) -> None:
    for i in range(n):
        add_action(
            recommendation,
            coordinator,
            owner_agency=agencies[i % len(agencies)],
            due_date=timezone.localdate() + timedelta(days=i * 5),
        )


def tracker_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reviews:action_tracker"))
    assert response.status_code == 200
    return len(captured)


def test_the_tracker_costs_the_same_for_3_or_30_actions(client, tracking, coordinator, police, gp, partnership):
    other = make_review(coordinator=coordinator, partnership=partnership, title="Child Z")
    assert other  # a second review of the same coordinator, no actions
    client.force_login(coordinator)
    make_actions(3, tracking, coordinator, [police, gp])
    three = tracker_queries(client)
    make_actions(27, tracking, coordinator, [police, gp])
    assert Action.objects.count() == 30
    assert tracker_queries(client) == three


def test_the_tracker_filters_by_agency_rag_and_overdue(client, tracking, coordinator, police, gp):
    near = add_action(tracking, coordinator, owner_agency=police, due_date=timezone.localdate())
    far = add_action(tracking, coordinator, owner_agency=gp, due_date=timezone.localdate() + timedelta(days=120))
    Action.objects.filter(pk=near.pk).update(due_date=timezone.localdate() - timedelta(days=1))  # now overdue
    client.force_login(coordinator)

    def shown(query: str) -> set[int]:
        html = client.get(reverse("reviews:action_tracker") + query).content.decode()
        return {int(pk) for pk in re.findall(r'id="action-(\d+)"', html)}

    assert shown("") == {near.pk, far.pk}
    assert shown(f"?agency={gp.pk}") == {far.pk}
    assert shown("?rag=red") == {near.pk}
    assert shown("?rag=green") == {far.pk}
    assert shown("?overdue=1") == {near.pk}
    assert shown("?agency=nonsense&rag=purple") == {near.pk, far.pk}


def test_the_tracker_exports_csv_streamed(client, tracking, coordinator, police):
    add_action(tracking, coordinator, description="=HYPERLINK(evil)")
    client.force_login(coordinator)
    response = client.get(reverse("reviews:action_tracker_export"))
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    lines = body.splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Review,Action,Recommendation")
    assert tracking.findings.review.reference in lines[1]
    assert "'=HYPERLINK(evil)" in lines[1]


def tracker_export_rows(client) -> list[list[str]]:
    response = client.get(reverse("reviews:action_tracker_export"))
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_every_cell_of_the_tracker_export_goes_through_the_one_csv_rule(client, tracking, coordinator, monkeypatch):
    add_action(tracking, coordinator)
    monkeypatch.setattr("ui.csv.neutralise", lambda value: "checked")
    client.force_login(coordinator)
    rows = tracker_export_rows(client)
    assert len(rows) == 2  # the headers and the action
    assert {cell for row in rows for cell in row} == {"checked"}


def test_the_tracker_export_neutralises_formulas_even_behind_a_tab(client, tracking, coordinator):
    action = add_action(tracking, coordinator)
    # The service strips what is typed; a row changed in the admin or by a migration may still hold these.
    Action.objects.filter(pk=action.pk).update(description="\t=cmd|' /C calc'!A0", owner_role="@head")
    client.force_login(coordinator)
    [_headers, row] = tracker_export_rows(client)
    assert row[3] == "'\t=cmd|' /C calc'!A0"
    assert row[5] == "'@head"


def test_the_tracker_shows_only_the_coordinator_s_reviews(client, action, outsider, other_partnership):
    client.force_login(outsider)
    html = client.get(reverse("reviews:action_tracker")).content.decode()
    assert action.review.reference not in html


def test_my_actions_shows_only_my_agency_s(client, tracking, coordinator, police_lead, police, gp, gp_lead):
    mine = add_action(tracking, coordinator, owner_agency=police)
    theirs = add_action(tracking, coordinator, owner_agency=gp)
    client.force_login(police_lead)
    html = client.get(reverse("reviews:my_actions")).content.decode()
    assert f'id="action-{mine.pk}"' in html
    assert f'id="action-{theirs.pk}"' not in html
    client.force_login(gp_lead)
    html = client.get(reverse("reviews:my_actions")).content.decode()
    assert f'id="action-{theirs.pk}"' in html and f'id="action-{mine.pk}"' not in html


def test_an_agency_not_serving_the_partnership_is_not_offered(client, tracking, coordinator, other_partnership):
    AgencyFactory(name="Southmere Police", serves=[other_partnership])
    client.force_login(coordinator)
    html = client.get(
        reverse("reviews:action_add", args=[tracking.findings.review.reference, tracking.pk])
    ).content.decode()
    assert "Southmere Police" not in html


# --- no inline script or style --------------------------------------------------------------------


def test_the_pages_carry_no_inline_script_or_style(client, action, coordinator, chair, police_lead):
    ref = action.review.reference
    client.force_login(coordinator)
    for url in [
        reverse("reviews:findings", args=[ref]),
        reverse("reviews:review_actions", args=[ref]),
        reverse("reviews:action_add", args=[ref, action.recommendation_id]),
        action_url(action),
        reverse("reviews:action_tracker"),
        reverse("reviews:findings_version", args=[ref, 1]),
        reverse("reviews:review", args=[ref]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_inline(response.content.decode())
    client.force_login(chair)
    assert_no_inline(client.get(reverse("reviews:chair")).content.decode())
    client.force_login(police_lead)
    assert_no_inline(client.get(reverse("reviews:my_actions")).content.decode())
    assert_no_inline(client.get(action_url(action)).content.decode())
