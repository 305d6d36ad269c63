"""The partnership administrator edits agency forms in the Django admin: every save is a new
version, answers keep theirs, and a definition that breaks its own schema is refused, saying where."""

from __future__ import annotations

import copy
import json
from html import unescape

from django.urls import reverse

from reviews.models.agencyforms import AgencyFormDefinition
from tests.reviews.agencyforms.conftest import FORM
from tests.reviews.builders import answer_form, submit

ADD = reverse("admin:reviews_agencyformdefinition_add")

NEW_FORM = {
    "title": "Supplementary form: road traffic collision",
    "sections": [
        {
            "title": "Circumstances",
            "fields": [
                {"name": "road_user", "label": "How was the child using the road?", "type": "text", "required": True}
            ],
        }
    ],
}


def change_url(form: AgencyFormDefinition) -> str:
    return reverse("admin:reviews_agencyformdefinition_change", args=[form.pk])


def test_an_administrator_adds_a_form_as_its_version_1(admin_client, db):
    response = admin_client.post(ADD, {"key": "rtc_supplementary", "definition": json.dumps(NEW_FORM)})
    assert response.status_code == 302
    form = AgencyFormDefinition.objects.get(key="rtc_supplementary")
    assert (form.version, form.title, form.definition) == (1, NEW_FORM["title"], NEW_FORM)


def test_changing_a_form_saves_the_next_version_and_leaves_submitted_answers_alone(
    admin_client, police_asked, police_lead
):
    answer_form(police_asked, police_lead, FORM, agency_role="Response policing")
    submit(police_asked, police_lead)
    v1 = AgencyFormDefinition.objects.get(key=FORM)
    edited = copy.deepcopy(v1.definition)
    edited["sections"][0]["fields"][0]["label"] = "Your agency's role (reworded)"
    response = admin_client.post(change_url(v1), {"definition": json.dumps(edited)}, follow=True)
    assert response.status_code == 200
    assert "Saved as version 2" in unescape(response.content.decode())
    assert list(AgencyFormDefinition.objects.filter(key=FORM).values_list("version", flat=True)) == [2, 1]
    v1.refresh_from_db()
    assert v1.definition["sections"][0]["fields"][0]["label"] == "What was your agency's role with the child or family?"
    answer_set = police_asked.form_answers.select_related("form").get()
    assert answer_set.form == v1
    assert answer_set.answers["agency_role"] == "Response policing"


def test_a_definition_that_breaks_its_schema_is_refused_saying_where_and_why(admin_client, db):
    broken = copy.deepcopy(NEW_FORM)
    broken["sections"][0]["fields"][0]["type"] = "colour"
    broken["sections"][0]["fields"].append({"name": "where", "label": "Where", "type": "choice"})
    response = admin_client.post(ADD, {"key": "rtc_supplementary", "definition": json.dumps(broken)})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "sections[0].fields[0].type: 'colour' is not one of" in html
    assert "sections[0].fields[1]: 'choices' is a required property" in html
    assert not AgencyFormDefinition.objects.exists()


def test_a_definition_that_is_not_json_is_refused(admin_client, db):
    response = admin_client.post(ADD, {"key": "rtc_supplementary", "definition": "{title: oops"})
    assert response.status_code == 200
    assert "Enter a valid JSON" in unescape(response.content.decode())
    assert not AgencyFormDefinition.objects.exists()


def test_a_bad_key_is_refused(admin_client, db):
    response = admin_client.post(ADD, {"key": "RTC form!", "definition": json.dumps(NEW_FORM)})
    assert response.status_code == 200
    assert "Use lower-case letters, digits and underscores, starting with a letter." in unescape(
        response.content.decode()
    )
    assert not AgencyFormDefinition.objects.exists()


def test_versions_cannot_be_deleted(admin_client, shipped_forms):
    form = AgencyFormDefinition.objects.get(key=FORM)
    response = admin_client.post(reverse("admin:reviews_agencyformdefinition_delete", args=[form.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AgencyFormDefinition.objects.filter(pk=form.pk).exists()
