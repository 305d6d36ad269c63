"""The agency lead writes a chronology (by form and by file) and the agency report."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from reviews.imports.chronology import HEADERS
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import AgencyContribution
from tests.reviews.builders import add_entry
from tests.reviews.pages import csv_file, date_parts, entry_form, once, url

# --- the entry form -----------------------------------------------------------------------------


def test_the_lead_adds_an_entry(client, police_lead, police_contribution):
    client.force_login(police_lead)
    html = client.get(url("entry_add", police_contribution)).content.decode()
    assert "Professional&#x27;s role (not their name)" in html
    assert 'name="event_date-day"' in html
    assert 'value="month"' in html and 'value="approximate"' in html
    response = client.post(url("entry_add", police_contribution), entry_form(), follow=True)
    assert "Entry added." in response.content.decode()
    entry = ChronologyEntry.objects.get()
    assert (entry.event_date, entry.event_time, entry.significant) == (date(2025, 3, 14), time(22, 10), True)
    assert entry.agency_comment == "First police contact with the family."
    assert AgencyContribution.objects.get(pk=police_contribution.pk).state == "in_progress"
    assert "Custody record 2231" in response.content.decode()


def test_a_second_click_on_save_adds_the_entry_once(client, police_lead, police_contribution):
    import re

    client.force_login(police_lead)
    html = client.get(url("entry_add", police_contribution)).content.decode()
    token = re.search(r'name="submission" value="([0-9a-f-]{36})"', html).group(1)
    first = client.post(url("entry_add", police_contribution), {**entry_form(), "submission": token})
    second = client.post(url("entry_add", police_contribution), {**entry_form(), "submission": token}, follow=True)
    assert ChronologyEntry.objects.count() == 1
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "already been sent" in second.content.decode()


def test_save_and_add_another_returns_to_a_blank_form(client, police_lead, police_contribution):
    client.force_login(police_lead)
    response = client.post(url("entry_add", police_contribution), {**entry_form(), "add_another": "1"})
    assert response["Location"] == url("entry_add", police_contribution)


def test_a_bad_entry_keeps_everything_typed_and_saves_nothing(client, police_lead, police_contribution):
    client.force_login(police_lead)
    future = timezone.localdate() + timedelta(days=10)
    data = entry_form(**date_parts("event_date", future), professional_role="", event_time="25:99")
    response = client.post(url("entry_add", police_contribution), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Give the professional&#x27;s role (not their name)" in html
    assert "Enter the time on the 24-hour clock" in html
    assert 'href="#id_professional_role"' in html
    # Typed values are all still there.
    assert f'name="event_date-day" type="text" inputmode="numeric" value="{future.day}"' in html
    assert 'value="25:99"' in html
    assert 'value="Custody record 2231"' in html
    assert "Arrest at the family home; child present.</textarea>" in html
    assert "First police contact with the family.</textarea>" in html
    assert 'name="significant" type="checkbox" value="on" checked' in html
    assert 'value="exact" checked' in html
    assert not ChronologyEntry.objects.exists()

    # Once the form is fine, the service's own rule (no future dates) is shown on the date field.
    response = client.post(url("entry_add", police_contribution), entry_form(**date_parts("event_date", future)))
    assert response.status_code == 400
    assert "The date is in the future." in response.content.decode()
    assert 'href="#id_event_date-day"' in response.content.decode()
    assert not ChronologyEntry.objects.exists()


def test_a_month_only_date_may_leave_the_day_blank(client, police_lead, police_contribution):
    client.force_login(police_lead)
    data = entry_form(**{"event_date-day": "", "event_date-month": "3", "event_date-year": "2025"})
    data["date_precision"] = "month"
    response = client.post(url("entry_add", police_contribution), data)
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get()
    assert (entry.event_date, entry.date_precision) == (date(2025, 3, 1), "month")
    # ...but an exact date needs its day.
    data["date_precision"] = "exact"
    response = client.post(url("entry_add", police_contribution), data)
    assert response.status_code == 400
    assert "must include a day" in response.content.decode()


def test_the_lead_edits_and_deletes_an_entry(client, police_lead, police_contribution):
    entry = add_entry(police_contribution, police_lead, event_date=date(2025, 2, 1), date_precision="month")
    client.force_login(police_lead)
    html = client.get(url("entry_edit", police_contribution, entry.pk)).content.decode()
    assert 'value="Custody record 2231"' in html
    assert 'name="event_date-day" type="text" inputmode="numeric" value=""' in html
    assert 'value="month" checked' in html
    response = client.post(
        url("entry_edit", police_contribution, entry.pk), entry_form(source_record="Custody record 9"), follow=True
    )
    assert "Entry saved." in response.content.decode()
    entry.refresh_from_db()
    assert entry.source_record == "Custody record 9"
    assert ChronologyEntry.objects.count() == 1

    assert "Delete this entry?" in client.get(url("entry_delete", police_contribution, entry.pk)).content.decode()
    response = client.post(url("entry_delete", police_contribution, entry.pk), follow=True)
    assert "Entry deleted." in response.content.decode()
    assert not ChronologyEntry.objects.exists()


# --- import -------------------------------------------------------------------------------------


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_the_import_page_offers_both_templates(client, police_lead, police_contribution):
    client.force_login(police_lead)
    html = client.get(url("chronology_import", police_contribution)).content.decode()
    assert url("import_template_csv", police_contribution) in html
    assert url("import_template_xlsx", police_contribution) in html
    assert 'enctype="multipart/form-data"' in html

    response = client.get(url("import_template_csv", police_contribution))
    assert response["Content-Disposition"] == 'attachment; filename="chronology-template.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [",".join(HEADERS)]

    response = client.get(url("import_template_xlsx", police_contribution))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Chronology", "Notes"]
    assert [c.value for c in workbook["Chronology"][1]] == HEADERS
    notes = [row[0] for row in workbook["Notes"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert notes[: len(HEADERS)] == HEADERS


def test_a_good_csv_is_imported(client, police_lead, police_contribution):
    client.force_login(police_lead)
    data = csv_file(
        "14/03/2025,,09:30,Custody record 2231,Arrest at the family home,Response officer,Child present,yes",
        "03/2025,,,Intelligence log 88,Neighbour reported shouting,Call handler,,no",
    )
    response = client.post(
        url("chronology_import", police_contribution), {"file": upload("police.csv", data), **once()}
    )
    assert response.status_code == 302
    assert ChronologyEntry.objects.count() == 2
    html = client.get(response["Location"]).content.decode()
    assert "2 entries imported." in html
    assert "March 2025 (month only)" in html


def test_a_filled_in_xlsx_template_is_imported(client, police_lead, police_contribution):
    client.force_login(police_lead)
    template = client.get(url("import_template_xlsx", police_contribution)).content
    workbook = load_workbook(io.BytesIO(template))
    workbook["Chronology"].append([date(2025, 3, 14), "", "09:30", "PNC", "Caution", "Analyst", "", "no"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        url("chronology_import", police_contribution), {"file": upload("police.xlsx", buffer.getvalue()), **once()}
    )
    assert response.status_code == 302
    assert ChronologyEntry.objects.get().source_record == "PNC"


def test_three_bad_rows_are_all_listed_and_nothing_is_saved(client, police_lead, police_contribution):
    client.force_login(police_lead)
    data = csv_file(
        "14/03/2025,,,Custody record 2231,Arrest,Response officer,,yes",
        "31/02/2025,,,Log 1,Call,Call handler,,no",
        "15/03/2025,,,Log 2,,Call handler,,no",
        "16/03/2025,,,Log 3,Visit,Officer,,perhaps",
    )
    response = client.post(
        url("chronology_import", police_contribution), {"file": upload("police.csv", data), **once()}
    )
    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    for message in (
        "Row 3, Date: &#x27;31/02/2025&#x27; is not a date",
        "Row 4, What happened: Say what happened.",
        "Row 5, Significant: &#x27;perhaps&#x27; is not yes or no.",
    ):
        assert message in summary
    assert summary.count("<li>") == 3
    assert "The file was not imported: fix the 3 problems" in html
    assert "<title>Error: " in html
    assert not ChronologyEntry.objects.exists()
    assert AgencyContribution.objects.get(pk=police_contribution.pk).state == "requested"


def test_a_windows_1252_file_is_imported(client, police_lead, police_contribution):
    client.force_login(police_lead)
    data = csv_file("14/03/2025,,,Café log – 12,Visit to the café,Officer,,no", encoding="cp1252")
    response = client.post(
        url("chronology_import", police_contribution), {"file": upload("police.csv", data), **once()}
    )
    assert response.status_code == 302
    assert ChronologyEntry.objects.get().source_record == "Café log – 12"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("police.pdf", b"%PDF-1.4", "The selected file must be a .csv or .xlsx file"),
        ("police.csv", b"x" * 200, "The selected file must be smaller than"),
        ("police.xlsx", b"not a workbook", "is not an Excel workbook"),
        ("police.csv", b"Name,Age\nA,1\n", "missing: Date, Source record"),
    ],
)
def test_files_of_another_kind_or_too_big_are_refused(
    client, settings, police_lead, police_contribution, name, data, message
):
    settings.CHRONOLOGY_IMPORT_MAX_BYTES = 100
    client.force_login(police_lead)
    response = client.post(url("chronology_import", police_contribution), {"file": upload(name, data), **once()})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ChronologyEntry.objects.exists()


def test_no_file_chosen_is_an_error(client, police_lead, police_contribution):
    client.force_login(police_lead)
    response = client.post(url("chronology_import", police_contribution), {})
    assert response.status_code == 400
    assert "Select a .csv or .xlsx file" in response.content.decode()


# --- the agency report --------------------------------------------------------------------------

FULL_REPORT = {
    **date_parts("records_secured_on", date(2026, 3, 5)),
    "terms_of_reference": "All five questions answered.",
    "context": "Two GPs on long-term leave.",
    "methodology": "Read the practice record; interviewed the duty GP.",
    "analysis": "A referral was not followed up.",
    "good_practice": "Prompt home visit.",
    "lessons": "Follow up safeguarding referrals.",
    "recommendations": "Audit referral follow-up.",
    "author_role": "Named GP for safeguarding",
}


def test_the_report_is_saved_as_a_draft_again_and_again(client, gp_lead, gp_contribution):
    client.force_login(gp_lead)
    target = url("report_edit", gp_contribution)
    html = client.get(target).content.decode()
    assert "Date records were secured" in html and "Author&#x27;s role" in html
    response = client.post(target, {"context": "Two GPs on leave"}, follow=True)
    assert "Draft saved." in response.content.decode()
    assert "Two GPs on leave</textarea>" in response.content.decode()
    client.post(target, {"context": "Two GPs on leave", "analysis": "Missed referral"})
    report = AgencyContribution.objects.get(pk=gp_contribution.pk).report
    assert (report.context, report.analysis) == ("Two GPs on leave", "Missed referral")


def test_submitting_needs_every_report_section(client, gp_lead, gp_contribution):
    add_entry(gp_contribution, gp_lead)
    client.force_login(gp_lead)
    client.post(url("report_edit", gp_contribution), {"context": "Only this"})
    html = client.get(url("contribution", gp_contribution)).content.decode()
    assert "Submit: not possible yet" in html
    assert "complete the agency report" in html
    client.post(url("report_edit", gp_contribution), FULL_REPORT)
    html = client.get(url("contribution", gp_contribution)).content.decode()
    assert "Submit: not possible yet" not in html
    response = client.post(
        url("contribution_step", gp_contribution, "submit"), {"expected_state": "in_progress", "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert AgencyContribution.objects.get(pk=gp_contribution.pk).state == "submitted"
    # Submitted: the report is shown, read-only, and its form sends the lead back.
    html = client.get(url("contribution", gp_contribution)).content.decode()
    assert "Audit referral follow-up." in html
    assert url("report_edit", gp_contribution) not in html
    client.post(url("report_edit", gp_contribution), {**FULL_REPORT, "lessons": "Changed after submission"})
    assert AgencyContribution.objects.get(pk=gp_contribution.pk).report.lessons == "Follow up safeguarding referrals."


def test_a_report_date_in_the_future_is_refused(client, gp_lead, gp_contribution):
    client.force_login(gp_lead)
    future = timezone.localdate() + timedelta(days=5)
    response = client.post(
        url("report_edit", gp_contribution), {**date_parts("records_secured_on", future), "context": "Kept"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The date records were secured is in the future." in html
    assert "Kept</textarea>" in html
    assert not hasattr(AgencyContribution.objects.get(pk=gp_contribution.pk), "report")


def test_no_report_page_when_no_report_was_asked(client, police_lead, police_contribution):
    client.force_login(police_lead)
    assert client.get(url("report_edit", police_contribution)).status_code == 404


def test_an_entry_added_without_its_token_is_refused_but_an_edit_needs_none(client, police_lead, police_contribution):
    client.force_login(police_lead)
    no_token = {k: v for k, v in entry_form().items() if k != "submission"}
    response = client.post(url("entry_add", police_contribution), no_token)
    assert response.status_code == 400
    assert "sent without its one-time code" in response.content.decode()
    assert not ChronologyEntry.objects.exists()
    entry = add_entry(police_contribution, police_lead)
    edited = client.post(url("entry_edit", police_contribution, entry.pk), {**no_token, "source_record": "Log 9"})
    assert edited.status_code == 302
    assert ChronologyEntry.objects.get().source_record == "Log 9"
