"""Agency contributions in the web UI: the coordinator's table and actions, the lead's requests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import ClosureDay, ReviewState, Role
from reviews.models.contributions import AgencyContribution, Ask, DueDateChange
from reviews.selectors.contributions import default_due_date
from reviews.services.contributions import contribution_request, contribution_request_extension
from tests.factories import AgencyFactory, UserFactory, advance_to, make_review, member
from tests.reviews.builders import add_entry, submit
from tests.reviews.pages import date_parts, url
from workflows.models import AuditEvent, TransitionLog

C = AgencyContribution


def state_of(contribution: AgencyContribution) -> str:
    return C.objects.get(pk=contribution.pk).state


# --- the coordinator's table --------------------------------------------------------------------


def test_the_table_shows_each_agency_with_its_clock_and_state(
    client, coordinator, police_contribution, gp_contribution
):
    client.force_login(coordinator)
    html = client.get(reverse("reviews:contributions", args=[police_contribution.review.reference])).content.decode()
    assert "Northbridge Police" in html and "Northbridge GP Federation" in html
    assert "Chronology, Agency report (IMR)" in html
    assert "govuk-tag--grey" in html and "Requested" in html
    assert police_contribution.due_date.strftime("%-d %b %Y") in html
    assert "working day" in html or "Due today" in html
    assert url("contribution", gp_contribution) in html
    assert reverse("reviews:contribution_invite", args=[police_contribution.review.reference]) in html


def test_the_review_page_links_to_contributions_and_the_chronology(client, coordinator, scoping):
    client.force_login(coordinator)
    html = client.get(reverse("reviews:review", args=[scoping.reference])).content.decode()
    assert reverse("reviews:contributions", args=[scoping.reference]) in html
    assert reverse("reviews:chronology", args=[scoping.reference]) in html


def test_an_agency_lead_sees_only_their_own_row(client, police_lead, police_contribution, gp_contribution):
    client.force_login(police_lead)
    response = client.get(reverse("reviews:contributions", args=[police_contribution.review.reference]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Northbridge Police" in html
    assert "Northbridge GP Federation" not in html
    assert url("contribution", gp_contribution) not in html


# --- inviting -----------------------------------------------------------------------------------


def invite_url(review) -> str:
    return reverse("reviews:contribution_invite", args=[review.reference])


def test_the_invite_form_offers_only_agencies_not_yet_asked_and_partnership_members(
    client, coordinator, scoping, police_contribution, gp, outsider, other_partnership
):
    AgencyFactory(name="Southmere Police", serves=[other_partnership])
    client.force_login(coordinator)
    html = client.get(invite_url(scoping)).content.decode()
    assert "Northbridge GP Federation" in html
    assert "Northbridge Police" not in html.split('id="id_agency"')[1].split("</select>")[0]
    assert "Southmere Police" not in html
    assert "outsider" not in html
    due = default_due_date(scoping)
    assert f'name="due_date-day" type="text" inputmode="numeric" value="{due.day}"' in html


def test_the_invite_form_offers_as_lead_only_members_of_an_agency_that_can_be_asked(
    client, coordinator, scoping, chair, gp, gp_lead, police_lead
):
    """Issue 12: every user was offered. The chair works for no agency, so is not on the list, and a
    lead posted for another agency than their own is refused with the reason, nothing written."""
    client.force_login(coordinator)
    html = client.get(invite_url(scoping)).content.decode()
    leads = html.split('id="id_lead"')[1].split("</select>")[0]
    assert f'value="{chair.pk}"' not in leads
    assert f'value="{coordinator.pk}"' not in leads
    assert f"{gp_lead.get_full_name()} (gp.lead), Northbridge GP Federation" in leads

    data = {"agency": gp.pk, "lead": police_lead.pk, "asks": [Ask.CHRONOLOGY]}
    response = client.post(invite_url(scoping), data | date_parts("due_date", default_due_date(scoping)))
    assert response.status_code == 400
    assert "does not work for GP: select a member of GP as its lead" in response.content.decode()
    response = client.post(
        invite_url(scoping), {**data, "lead": chair.pk} | date_parts("due_date", default_due_date(scoping))
    )
    assert response.status_code == 400
    assert "Select a member of an agency that can be asked" in response.content.decode()
    assert not C.objects.exists()


def test_the_coordinator_invites_an_agency(client, coordinator, scoping, gp, gp_lead):
    client.force_login(coordinator)
    due = default_due_date(scoping)
    response = client.post(
        invite_url(scoping),
        {
            "agency": gp.pk,
            "lead": gp_lead.pk,
            "asks": [Ask.CHRONOLOGY, Ask.AGENCY_REPORT],
            **date_parts("due_date", due),
        },
        follow=True,
    )
    assert "has been asked for a contribution" in response.content.decode()
    contribution = C.objects.get(agency=gp)
    assert (contribution.lead, contribution.due_date) == (gp_lead, due)
    assert contribution.asks == [Ask.CHRONOLOGY, Ask.AGENCY_REPORT]


def test_a_changed_due_date_needs_a_reason_and_what_was_typed_stays(client, coordinator, scoping, gp, gp_lead):
    client.force_login(coordinator)
    later = default_due_date(scoping) + timedelta(days=30)
    data = {"agency": gp.pk, "lead": gp_lead.pk, "asks": [Ask.AGENCY_REPORT], **date_parts("due_date", later)}
    response = client.post(invite_url(scoping), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "give a reason for choosing" in html
    assert 'href="#id_due_date_reason"' in html
    assert f'name="due_date-day" type="text" inputmode="numeric" value="{later.day}"' in html
    assert f'value="{Ask.AGENCY_REPORT}" checked' in html
    assert f'<option value="{gp.pk}" selected>' in html
    assert not C.objects.exists()

    response = client.post(invite_url(scoping), {**data, "due_date_reason": "Records held off site"})
    assert response.status_code == 302
    assert C.objects.get().due_date == later
    assert AuditEvent.objects.get(verb="contribution.requested").detail["due_date_reason"] == "Records held off site"


def test_inviting_without_asks_or_agency_shows_each_error(client, coordinator, scoping):
    client.force_login(coordinator)
    response = client.post(invite_url(scoping), {})
    html = response.content.decode()
    assert response.status_code == 400
    for message in ("Select the agency to ask", "Select the agency lead", "Select at least one thing to ask for"):
        assert message in html
    assert not C.objects.exists()


def test_agencies_cannot_be_asked_at_notification(client, coordinator, review, gp, gp_lead):
    client.force_login(coordinator)
    html = client.get(invite_url(review)).content.decode()
    assert "during scoping or agency submissions" in html
    assert 'name="agency"' not in html
    response = client.post(
        invite_url(review),
        {"agency": gp.pk, "lead": gp_lead.pk, "asks": [Ask.CHRONOLOGY]}
        | date_parts("due_date", default_due_date(review)),
    )
    assert response.status_code == 409
    assert not C.objects.exists()


@pytest.mark.parametrize("who", ["chair", "panel_member", "police_lead", "scrutineer"])
def test_only_the_coordinator_invites(client, scoping, request, who, gp, gp_lead):
    client.force_login(request.getfixturevalue(who))
    assert client.get(invite_url(scoping)).status_code == 403
    response = client.post(invite_url(scoping), {"agency": gp.pk, "lead": gp_lead.pk, "asks": ["chronology"]})
    assert response.status_code == 403
    assert not C.objects.exists()


# --- the coordinator's actions ------------------------------------------------------------------


def step(client, contribution, name: str, reason: str = "", expected: str | None = None):
    return client.post(
        url("contribution_step", contribution, name),
        {"expected_state": expected or state_of(contribution), "reason": reason, "confirmed": "yes"},
    )


def test_the_coordinator_accepts_a_submission(client, coordinator, police_lead, police_contribution):
    add_entry(police_contribution, police_lead)
    submit(police_contribution, police_lead)
    client.force_login(coordinator)
    html = client.get(url("contribution", police_contribution)).content.decode()
    assert url("contribution_step", police_contribution, "accept") in html
    assert "Custody record 2231" in html
    response = step(client, police_contribution, "accept")
    assert response.status_code == 302
    assert state_of(police_contribution) == "accepted"
    assert TransitionLog.objects.get(transition="accept").actor == coordinator


def test_returning_needs_a_reason_and_the_lead_sees_it_at_the_top(
    client, coordinator, police_lead, police_contribution
):
    add_entry(police_contribution, police_lead)
    submit(police_contribution, police_lead)
    client.force_login(coordinator)
    response = step(client, police_contribution, "return_to_agency", reason="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what the agency needs to change" in html
    assert 'href="#id_return_to_agency_reason"' in html
    assert 'id="details-return_to_agency" open' in html
    assert state_of(police_contribution) == "submitted"

    step(client, police_contribution, "return_to_agency", reason="Add the 2024 referrals")
    assert state_of(police_contribution) == "returned"
    client.force_login(police_lead)
    html = client.get(url("contribution", police_contribution)).content.decode()
    assert html.index('id="returned"') < html.index("<h1")
    assert "Add the 2024 referrals" in html
    assert url("contribution_step", police_contribution, "resubmit") in html
    assert url("entry_add", police_contribution) in html


def test_waiving_needs_a_reason(client, coordinator, police_contribution):
    client.force_login(coordinator)
    assert step(client, police_contribution, "waive").status_code == 400
    assert state_of(police_contribution) == "requested"
    assert step(client, police_contribution, "waive", reason="No records held").status_code == 302
    contribution = C.objects.get(pk=police_contribution.pk)
    assert (contribution.state, contribution.waiver_reason) == ("waived", "No records held")


def test_a_stale_step_is_refused(client, coordinator, police_lead, police_contribution):
    add_entry(police_contribution, police_lead)
    client.force_login(coordinator)
    # The coordinator's page showed "in progress"; the lead submits meanwhile, then the lead...
    submit(police_contribution, police_lead)
    response = step(client, police_contribution, "waive", reason="Not needed", expected="in_progress")
    assert response.status_code == 409
    assert "since you loaded the page" in response.content.decode()
    assert state_of(police_contribution) == "submitted"


def test_the_coordinator_moves_a_due_date_with_a_reason(client, coordinator, police_contribution):
    client.force_login(coordinator)
    new = police_contribution.due_date + timedelta(days=7)
    target = url("contribution_due_date", police_contribution)
    response = client.post(target, date_parts("new_due_date", new))
    assert response.status_code == 400
    assert "Give the reason for the new due date" in response.content.decode()
    response = client.post(target, {**date_parts("new_due_date", new), "reason": "Panel moved"})
    assert response.status_code == 302
    assert C.objects.get(pk=police_contribution.pk).due_date == new
    assert DueDateChange.objects.get().status == "moved"


def test_a_due_date_in_the_past_is_refused(client, coordinator, police_contribution):
    client.force_login(coordinator)
    response = client.post(
        url("contribution_due_date", police_contribution),
        {**date_parts("new_due_date", date(2020, 1, 6)), "reason": "Typo"},
    )
    assert response.status_code == 400
    assert "The new due date is in the past." in response.content.decode()
    assert C.objects.get(pk=police_contribution.pk).due_date == police_contribution.due_date


def test_extension_asked_by_the_lead_and_decided_by_the_coordinator(
    client, coordinator, police_lead, police_contribution
):
    later = police_contribution.due_date + timedelta(days=14)
    client.force_login(police_lead)
    target = url("contribution_extension", police_contribution)
    response = client.post(target, date_parts("proposed_due_date", later))
    assert response.status_code == 400
    assert "Say why you need more time" in response.content.decode()
    response = client.post(target, {**date_parts("proposed_due_date", later), "reason": "Officer on leave"})
    assert response.status_code == 302
    change = DueDateChange.objects.get()
    html = client.get(url("contribution", police_contribution)).content.decode()
    assert "Waiting for the review coordinator" in html

    client.force_login(coordinator)
    table = client.get(reverse("reviews:contributions", args=[police_contribution.review.reference])).content.decode()
    decide = url("contribution_decide_extension", police_contribution, change.pk)
    assert decide in table
    response = client.post(decide, {"decision": "refuse"})
    assert response.status_code == 400
    assert "Say why the extension is refused" in response.content.decode()
    assert DueDateChange.objects.get().status == "requested"
    response = client.post(decide, {"decision": "grant", "note": "Agreed"}, follow=True)
    assert "The extension was granted" in response.content.decode()
    assert C.objects.get(pk=police_contribution.pk).due_date == later
    # Deciding again changes nothing.
    response = client.post(decide, {"decision": "refuse", "note": "Changed my mind"}, follow=True)
    assert "already granted" in response.content.decode()
    assert C.objects.get(pk=police_contribution.pk).due_date == later


def test_granting_after_submission_comes_back_with_the_note_kept(client, coordinator, police_lead, police_contribution):
    from reviews.services.chronology import EntryData, entry_save
    from reviews.services.contributions import contribution_advance

    change = contribution_request_extension(
        actor=police_lead,
        contribution_id=police_contribution.pk,
        proposed_due_date=police_contribution.due_date + timedelta(days=14),
        reason="Officer on leave",
    )
    entry = EntryData(
        event_date=date(2025, 11, 3),
        source_record="Custody record 2231",
        what_happened="Call to the family home.",
        professional_role="Response officer",
    )
    entry_save(actor=police_lead, contribution_id=police_contribution.pk, data=entry)
    contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="submit")

    client.force_login(coordinator)
    response = client.post(
        url("contribution_decide_extension", police_contribution, change.pk),
        {"decision": "grant", "note": "Agreed at the panel call"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "there is no due date left to extend" in page
    assert "Agreed at the panel call" in page  # what the coordinator typed is still there
    assert DueDateChange.objects.get(pk=change.pk).status == "requested"
    assert C.objects.get(pk=police_contribution.pk).due_date == police_contribution.due_date


# --- the agency lead's contribution -------------------------------------------------------------


def test_the_lead_sees_what_is_asked_and_cannot_submit_empty(client, police_lead, police_contribution):
    client.force_login(police_lead)
    html = client.get(url("contribution", police_contribution)).content.decode()
    assert "Chronology" in html
    assert police_contribution.due_date.strftime("%-d %B %Y") in html
    assert "Submit: not possible yet" in html
    assert "add at least one chronology entry" in html
    assert url("contribution_step", police_contribution, "submit") not in html
    response = step(client, police_contribution, "submit")
    assert response.status_code == 409
    assert "add at least one chronology entry" in response.content.decode()
    assert state_of(police_contribution) == "requested"


def test_the_lead_submits_and_the_contribution_becomes_read_only(client, police_lead, police_contribution):
    entry = add_entry(police_contribution, police_lead)
    client.force_login(police_lead)
    html = client.get(url("contribution", police_contribution)).content.decode()
    assert f'href="{url("entry_edit", police_contribution, entry.pk)}">Edit' in html
    assert f'href="{url("entry_delete", police_contribution, entry.pk)}">Delete' in html
    response = step(client, police_contribution, "submit")
    assert response.status_code == 302
    assert state_of(police_contribution) == "submitted"
    html = client.get(url("contribution", police_contribution)).content.decode()
    assert "it is read-only" in html
    assert url("entry_edit", police_contribution, entry.pk) not in html
    assert url("entry_add", police_contribution) not in html
    # The editing pages send the lead back, and a forged POST changes nothing.
    response = client.get(url("entry_add", police_contribution), follow=True)
    assert "can no longer be changed" in response.content.decode()
    client.post(url("entry_delete", police_contribution, entry.pk))
    assert police_contribution.entries.count() == 1


def test_a_nil_return_needs_a_note(client, police_lead, police_contribution):
    client.force_login(police_lead)
    assert step(client, police_contribution, "record_nil_return").status_code == 400
    assert state_of(police_contribution) == "requested"
    step(client, police_contribution, "record_nil_return", reason="No involvement with this family")
    contribution = C.objects.get(pk=police_contribution.pk)
    assert (contribution.state, contribution.nil_return_note) == ("nil_return", "No involvement with this family")


def test_the_lead_cannot_accept_and_the_coordinator_cannot_submit(
    client, coordinator, police_lead, police_contribution
):
    add_entry(police_contribution, police_lead)
    client.force_login(coordinator)
    assert step(client, police_contribution, "submit").status_code == 403
    submit(police_contribution, police_lead)
    client.force_login(police_lead)
    assert step(client, police_contribution, "accept").status_code == 403
    assert state_of(police_contribution) == "submitted"


def test_an_unknown_step_is_404_and_a_get_is_405(client, coordinator, police_contribution):
    client.force_login(coordinator)
    assert client.post(url("contribution_step", police_contribution, "delete"), {}).status_code == 404
    assert client.get(url("contribution_step", police_contribution, "waive")).status_code == 405


def test_submitting_and_accepting_first_show_a_confirmation_page(client, coordinator, police_lead, police_contribution):
    """Issue 12: irreversible steps were one click. The button leads to a page saying what will
    happen; only its confirmed form takes the step."""
    add_entry(police_contribution, police_lead)
    client.force_login(police_lead)
    target = url("contribution_step", police_contribution, "submit")
    for response in (client.get(target), client.post(target, {"expected_state": "in_progress"})):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Submit the contribution?" in html
        assert "Police contribution to NSCP-RR-2026-001 will be sent to the review coordinator" in html
        assert 'name="confirmed" value="yes"' in html and 'name="expected_state" value="in_progress"' in html
    assert state_of(police_contribution) == "in_progress"
    assert client.post(target, {"expected_state": "in_progress", "confirmed": "yes"}).status_code == 302
    assert state_of(police_contribution) == "submitted"

    client.force_login(coordinator)
    html = client.get(url("contribution_step", police_contribution, "accept")).content.decode()
    assert "will be accepted as it stands" in html
    assert state_of(police_contribution) == "submitted"


# --- my requests --------------------------------------------------------------------------------


def test_my_requests_lists_every_review_the_lead_is_asked_on(client, police_lead, police_contribution, gp_contribution):
    client.force_login(police_lead)
    dashboard = client.get(reverse("reviews:dashboard")).content.decode()
    assert reverse("reviews:my_requests") in dashboard
    html = client.get(reverse("reviews:my_requests")).content.decode()
    assert police_contribution.review.reference in html
    assert url("contribution", police_contribution) in html
    assert url("contribution", gp_contribution) not in html
    assert "Northbridge GP Federation" not in html
    assert "Requested" in html


def test_my_requests_is_not_offered_to_others(client, chair, police_contribution):
    client.force_login(chair)
    assert reverse("reviews:my_requests") not in client.get(reverse("reviews:dashboard")).content.decode()
    assert "You have no contribution requests." in client.get(reverse("reviews:my_requests")).content.decode()


def test_my_requests_shows_overdue_requests(client, police_lead, police_contribution):
    C.objects.filter(pk=police_contribution.pk).update(due_date=timezone.localdate() - timedelta(days=14))
    client.force_login(police_lead)
    html = client.get(reverse("reviews:my_requests")).content.decode()
    assert "working days overdue" in html
    assert "reviews-overdue" in html


def _requests_for(lead, count: int, *, coordinator, partnership, police) -> None:
    for i in range(count):
        review = make_review(
            coordinator=coordinator,
            partnership=partnership,
            title=f"Child {i}",
            key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
        )
        advance_to(review, ReviewState.SCOPING, coordinator)
        contribution_request(actor=coordinator, review_id=review.pk, agency=police, lead=lead, asks=[Ask.CHRONOLOGY])


def test_my_requests_costs_the_same_queries_for_2_and_20_requests(client, coordinator, partnership, police):
    ClosureDay.objects.create(partnership=partnership, date=timezone.localdate() + timedelta(days=3), reason="Closed")
    lead = member(UserFactory(username="busy.lead"), partnership, agency=police)
    client.force_login(lead)
    counts = {}
    for total, more in ((2, 2), (20, 18)):
        _requests_for(lead, more, coordinator=coordinator, partnership=partnership, police=police)
        first = C.objects.filter(lead=lead).first()
        if total == 20:  # an open extension request shows in its row, from the same prefetch
            contribution_request_extension(
                actor=lead, contribution_id=first.pk, proposed_due_date=first.due_date + timedelta(days=30), reason="x"
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("reviews:my_requests"))
        assert response.content.decode().count("/contributions/") == total
        counts[total] = len(captured)
    assert counts[2] == counts[20] > 0, counts


def test_the_lead_role_on_one_review_does_not_list_another_agency(client, coordinator, partnership, police, gp):
    lead = member(UserFactory(username="dual.lead"), partnership, agency=police)
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
        roles=[(lead, Role.AGENCY_LEAD, police)],
    )
    advance_to(review, ReviewState.SCOPING, coordinator)
    other_lead = member(UserFactory(username="gp.other"), partnership, agency=gp)
    contribution_request(actor=coordinator, review_id=review.pk, agency=gp, lead=other_lead, asks=[Ask.CHRONOLOGY])
    client.force_login(lead)
    assert "Northbridge GP Federation" not in client.get(reverse("reviews:my_requests")).content.decode()


def test_the_new_pages_carry_no_inline_script_or_style(client, coordinator, gp_lead, gp_contribution):
    # The strict Content-Security-Policy of a later issue: every script a file, no style= attribute.
    import re

    entry = add_entry(gp_contribution, gp_lead)
    change = contribution_request_extension(
        actor=gp_lead, contribution_id=gp_contribution.pk, proposed_due_date=date(2099, 1, 5), reason="Leave"
    )
    review = gp_contribution.review
    pages = {
        coordinator: [
            reverse("reviews:contributions", args=[review.reference]),
            reverse("reviews:contribution_invite", args=[review.reference]),
            url("contribution", gp_contribution),
            url("contribution_due_date", gp_contribution),
            url("contribution_decide_extension", gp_contribution, change.pk),
            reverse("reviews:chronology", args=[review.reference]),
            reverse("reviews:chronology_print", args=[review.reference]),
        ],
        gp_lead: [
            reverse("reviews:my_requests"),
            url("contribution", gp_contribution),
            url("entry_add", gp_contribution),
            url("entry_edit", gp_contribution, entry.pk),
            url("entry_delete", gp_contribution, entry.pk),
            url("chronology_import", gp_contribution),
            url("report_edit", gp_contribution),
            reverse("reviews:chronology", args=[review.reference]),
        ],
    }
    for user, targets in pages.items():
        client.force_login(user)
        for target in targets:
            response = client.get(target)
            assert response.status_code == 200, target
            html = response.content.decode()
            assert all(body.strip() == "" for body in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S))
            assert "style=" not in html, target
            assert " on" + "click=" not in html
