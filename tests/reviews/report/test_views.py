"""The overview report's pages: who reads and writes them, the identity check on each section, the
diff escaped, and a constant number of queries however many sections."""

from __future__ import annotations

from uuid import uuid4

import pytest
from django.urls import reverse

from reviews.models import ReportSection, ReportVersion
from reviews.services.report import SectionData, report_section_save, report_version_new
from reviews.services.subjects import SubjectData, subject_add
from workflows.audit import AuditEvent


def url(review, name: str, **kwargs) -> str:
    return reverse(f"reviews:{name}", kwargs={"reference": review.reference, **kwargs})


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 200), ("chair", 200), ("panel_member", 200), ("police_lead", 403), ("scrutineer", 403)],
)
def test_the_report_is_read_by_the_coordinator_the_chair_and_the_panel(client, signed, drafted, who, status, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(signed, "overview_version", version=1))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "Agencies held pieces of the picture that no one put together." in html  # the signed findings
        assert "Shown from the signed findings, version 1" in html
        assert AuditEvent.objects.filter(verb="access.overview_report").exists()


def test_a_section_is_added_with_the_identity_check(client, signed, drafted, coordinator, chair):
    subject_add(
        actor=coordinator, review_id=signed.pk, data=SubjectData(pseudonym="Child K", full_name="Ava Tillbrook")
    )
    client.force_login(chair)
    form = {"heading": "Background", "kind": "text", "body": "Ava Tillbrook lived with her grandmother."}
    first = client.post(url(signed, "overview_section_add", version=1), form)
    assert first.status_code == 400
    html = first.content.decode()
    assert "use “Child K” instead" in html
    assert "Ava Tillbrook lived with her grandmother." in html  # what was typed stays
    assert not ReportSection.objects.filter(heading="Background").exists()
    fixed = client.post(url(signed, "overview_section_add", version=1), {**form, "body": "Child K lived with family."})
    assert fixed.status_code == 302
    assert ReportSection.objects.get(heading="Background").body == "Child K lived with family."


def test_a_bad_section_comes_back_with_its_message(client, signed, drafted, chair):
    client.force_login(chair)
    response = client.post(url(signed, "overview_section_add", version=1), {"heading": "", "kind": "text", "body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a heading for the section." in html
    assert ReportSection.objects.count() == 3


def test_a_frozen_version_is_not_offered_for_editing(client, signed, drafted, chair):
    report_version_new(actor=chair, review_id=signed.pk)
    client.force_login(chair)
    response = client.get(url(signed, "overview_section_add", version=1), follow=True)
    assert "Version 1 is not the newest: changes go into version 2." in response.content.decode()
    section = ReportSection.objects.filter(version__number=1).first()
    refused = client.post(url(signed, "overview_section_delete", version=1, section_id=section.pk))
    assert refused.status_code == 409
    assert ReportSection.objects.filter(version__number=1).count() == 3


def test_the_diff_page_marks_changes_and_escapes_the_text(client, signed, drafted, chair):
    report_version_new(actor=chair, review_id=signed.pk)
    intro = ReportSection.objects.get(version__number=2, heading="Introduction")
    report_section_save(
        actor=chair,
        review_id=signed.pk,
        number=2,
        section_id=intro.pk,
        data=SectionData(heading="Introduction", body="This review <em>examined</em> the help."),
    )
    client.force_login(chair)
    response = client.get(url(signed, "overview_diff"), {"before": "1", "after": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<ins>&lt;em&gt;examined&lt;/em&gt;</ins>" in html
    assert "<del>looked at</del>" in html
    assert "<em>examined</em>" not in html
    same = client.get(url(signed, "overview_diff"), {"before": "2", "after": "2"})
    assert same.status_code == 400 and "Choose two different versions." in same.content.decode()


def test_the_document_is_the_standalone_html(client, signed, drafted, panel_member):
    client.force_login(panel_member)
    response = client.get(url(signed, "overview_document", version=1))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response.content.decode().lstrip().startswith("<!DOCTYPE html>")


def test_the_version_page_costs_the_same_however_many_sections(
    client, signed, drafted, chair, django_assert_max_num_queries
):
    client.force_login(chair)
    with django_assert_max_num_queries(30) as few:
        client.get(url(signed, "overview_version", version=1))
    for i in range(20):
        report_section_save(
            actor=chair, review_id=signed.pk, number=1, data=SectionData(heading=f"Part {i}", body="Text.")
        )
        report_section_save(
            actor=chair, review_id=signed.pk, number=1, data=SectionData(heading=f"Found {i}", kind="findings")
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url(signed, "overview_version", version=1))
    with django_assert_max_num_queries(40) as report_page:
        client.get(url(signed, "overview_report"))
    report_version_new(actor=chair, review_id=signed.pk)
    with django_assert_max_num_queries(len(report_page.captured_queries)):
        client.get(url(signed, "overview_report"))


def test_the_review_page_links_to_the_report(client, signed, drafted, panel_member, scrutineer):
    client.force_login(panel_member)
    assert 'id="overview-report-link"' in client.get(url(signed, "review")).content.decode()
    client.force_login(scrutineer)
    assert 'id="overview-report-link"' not in client.get(url(signed, "review")).content.decode()


def test_starting_a_version_twice_with_one_form_starts_one(client, signed, drafted, chair):
    """A double click on "Start version 2" must not start versions 2 and 3 (the second would freeze
    the first as an empty copy)."""
    client.force_login(chair)
    form = {"note": "After the panel.", "submission": uuid4()}
    first = client.post(url(signed, "overview_version_new"), form)
    assert first.status_code == 302 and first["Location"] == url(signed, "overview_version", version=2)
    again = client.post(url(signed, "overview_version_new"), form, follow=True)
    assert "This form had already been sent: the version was started once, here it is." in again.content.decode()
    assert again.redirect_chain[-1][0] == url(signed, "overview_version", version=2)
    assert ReportVersion.objects.filter(report__review=signed).count() == 2
    without_token = client.post(url(signed, "overview_version_new"), {"note": ""})
    assert without_token.status_code == 400
    assert ReportVersion.objects.filter(report__review=signed).count() == 2
