"""URL guessing: an agency lead reaches only their own agency's contribution; everyone else who is
neither its lead nor the review's coordinator gets a 404 on every contribution URL, GET and POST."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse

from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import AgencyContribution, DueDateChange
from reviews.services.contributions import contribution_request_extension
from tests.factories import UserFactory, member
from tests.reviews.builders import add_entry
from tests.reviews.pages import csv_file, date_parts, entry_form, url
from workflows.models import AuditEvent, TransitionLog

POST_DATA = {
    **entry_form(),
    "expected_state": "in_progress",
    "reason": "Guessing",
    "decision": "grant",
    "note": "Guessing",
    **date_parts("new_due_date", date.today() + timedelta(days=90)),
    **date_parts("proposed_due_date", date.today() + timedelta(days=90)),
    "context": "Guessed context",
}


@pytest.fixture
def gp_work(gp_contribution, gp_lead):
    """The GP contribution with an entry and an open extension request: every URL has a target."""
    entry = add_entry(gp_contribution, gp_lead, source_record="GP record 1")
    change = contribution_request_extension(
        actor=gp_lead,
        contribution_id=gp_contribution.pk,
        proposed_due_date=AgencyContribution.objects.get(pk=gp_contribution.pk).due_date + timedelta(days=10),
        reason="Locum cover",
    )
    return gp_contribution, entry, change


def contribution_urls(contribution, entry, change) -> dict[str, str]:
    return {
        "detail": url("contribution", contribution),
        "submit": url("contribution_step", contribution, "submit"),
        "accept": url("contribution_step", contribution, "accept"),
        "waive": url("contribution_step", contribution, "waive"),
        "due_date": url("contribution_due_date", contribution),
        "extension": url("contribution_extension", contribution),
        "decide": url("contribution_decide_extension", contribution, change.pk),
        "entry_add": url("entry_add", contribution),
        "entry_edit": url("entry_edit", contribution, entry.pk),
        "entry_delete": url("entry_delete", contribution, entry.pk),
        "import": url("chronology_import", contribution),
        "template_csv": url("import_template_csv", contribution),
        "template_xlsx": url("import_template_xlsx", contribution),
        "report": url("report_edit", contribution),
    }


URL_NAMES = [
    "detail",
    "submit",
    "accept",
    "waive",
    "due_date",
    "extension",
    "decide",
    "entry_add",
    "entry_edit",
    "entry_delete",
    "import",
    "template_csv",
    "template_xlsx",
    "report",
]


def snapshot(contribution) -> tuple:
    fresh = AgencyContribution.objects.get(pk=contribution.pk)
    return (
        fresh.state,
        fresh.due_date,
        list(ChronologyEntry.objects.filter(contribution=fresh).values_list("id", "source_record", "what_happened")),
        list(DueDateChange.objects.filter(contribution=fresh).values_list("id", "status")),
        getattr(fresh, "report", None) is not None,
    )


@pytest.fixture
def member_without_role(partnership):
    return member(UserFactory(username="no.role"), partnership)


@pytest.mark.parametrize(
    "who",
    ["police_lead", "outsider", "member_without_role", "second_coordinator", "chair", "panel_member", "scrutineer"],
)
@pytest.mark.parametrize("url_name", URL_NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_its_lead_and_the_coordinator_reach_a_contribution(
    client, request, gp_work, police_contribution, who, url_name, method
):
    contribution, entry, change = gp_work
    before = snapshot(contribution)
    audit_before = AuditEvent.objects.count()
    logs_before = TransitionLog.objects.count()
    client.force_login(request.getfixturevalue(who))
    target = contribution_urls(contribution, entry, change)[url_name]
    if method == "post":
        data = dict(POST_DATA)
        if url_name == "import":
            from django.core.files.uploadedfile import SimpleUploadedFile

            data["file"] = SimpleUploadedFile("x.csv", csv_file("14/03/2025,,,Log,Guess,Officer,,"))
        response = client.post(target, data)
    else:
        response = client.get(target)
    assert response.status_code == 404
    html = response.content.decode()
    assert "GP record 1" not in html
    assert "Locum cover" not in html
    assert snapshot(contribution) == before
    assert AuditEvent.objects.count() == audit_before
    assert TransitionLog.objects.count() == logs_before


def test_the_police_lead_cannot_reach_a_gp_entry_through_their_own_contribution(
    client, police_lead, police_contribution, gp_work
):
    _contribution, gp_entry, gp_change = gp_work
    client.force_login(police_lead)
    for target in (
        url("entry_edit", police_contribution, gp_entry.pk),
        url("entry_delete", police_contribution, gp_entry.pk),
        url("contribution_decide_extension", police_contribution, gp_change.pk),
    ):
        assert client.get(target).status_code in (403, 404)
        assert client.post(target, POST_DATA).status_code in (403, 404)
    assert ChronologyEntry.objects.get(pk=gp_entry.pk).source_record == "GP record 1"
    assert DueDateChange.objects.get(pk=gp_change.pk).status == "requested"


def test_the_police_lead_does_reach_their_own_contribution(client, police_lead, police_contribution, gp_work):
    client.force_login(police_lead)
    for name in ("contribution", "entry_add", "chronology_import", "import_template_csv", "contribution_extension"):
        assert client.get(url(name, police_contribution)).status_code == 200, name


def test_an_unknown_contribution_is_404_like_a_forbidden_one(client, coordinator, scoping):
    client.force_login(coordinator)
    assert client.get(reverse("reviews:contribution", args=[scoping.reference, 999999])).status_code == 404


def test_a_contribution_of_another_review_is_404_under_this_reference(
    client, coordinator, partnership, police_contribution
):
    from tests.factories import make_review

    other = make_review(coordinator=coordinator, partnership=partnership, title="Another")
    client.force_login(coordinator)
    target = reverse("reviews:contribution", args=[other.reference, police_contribution.pk])
    assert client.get(target).status_code == 404


@pytest.mark.parametrize(
    "url_name", ["entry_add", "entry_edit", "entry_delete", "import", "report", "extension", "submit"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_coordinator_reads_but_does_not_write_for_the_agency(client, coordinator, gp_work, url_name, method):
    contribution, entry, change = gp_work
    before = snapshot(contribution)
    client.force_login(coordinator)
    target = contribution_urls(contribution, entry, change)[url_name]
    response = getattr(client, method)(target, POST_DATA if method == "post" else None)
    assert response.status_code == 403
    assert snapshot(contribution) == before


@pytest.mark.parametrize("url_name", ["due_date", "decide", "accept", "waive"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_lead_cannot_take_the_coordinators_steps(client, gp_lead, gp_work, url_name, method):
    contribution, entry, change = gp_work
    before = snapshot(contribution)
    client.force_login(gp_lead)
    target = contribution_urls(contribution, entry, change)[url_name]
    if url_name == "waive" and method == "get":
        assert client.get(target).status_code == 405
        return
    response = getattr(client, method)(target, POST_DATA if method == "post" else None)
    # Accepting an in-progress contribution is refused on its state (409) before the role is asked;
    # test_the_lead_cannot_accept_and_the_coordinator_cannot_submit covers the 403 on a submission.
    assert response.status_code == (409 if url_name == "accept" else 403)
    assert snapshot(contribution) == before


def test_the_refusal_names_the_party_the_page_is_for(client, coordinator, gp_lead, gp_work):
    contribution, entry, change = gp_work
    urls = contribution_urls(contribution, entry, change)
    reference = contribution.review.reference
    client.force_login(coordinator)
    response = client.get(urls["extension"])
    assert response.status_code == 403
    shown = unescape(response.content.decode())
    assert f"You need the {contribution.agency} lead's role on {reference} to ask for an extension." in shown
    client.force_login(gp_lead)
    response = client.get(urls["due_date"])
    assert response.status_code == 403
    shown = unescape(response.content.decode())
    assert f"You need the review coordinator's role on {reference} to move a due date." in shown


@pytest.mark.parametrize("name", ["contributions", "contribution_invite", "chronology", "chronology_print"])
def test_signed_out_visitors_are_sent_to_sign_in(client, police_contribution, name):
    response = client.get(reverse(f"reviews:{name}", args=[police_contribution.review.reference]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.get(url("contribution", police_contribution))
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["outsider", "member_without_role"])
@pytest.mark.parametrize(
    "name",
    [
        "contributions",
        "contribution_invite",
        "chronology",
        "chronology_print",
        "chronology_export",
        "chronology_release",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_review_wide_pages_are_404_without_a_role(client, request, police_contribution, who, name, method):
    client.force_login(request.getfixturevalue(who))
    review = police_contribution.review
    response = getattr(client, method)(reverse(f"reviews:{name}", args=[review.reference]))
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.chronology_released_at is None
