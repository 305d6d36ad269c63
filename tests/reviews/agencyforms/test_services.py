"""Publishing form versions, asking for forms, the agency lead's answers and their freezing."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews.models.agencyforms import AgencyFormAnswers, AgencyFormDefinition
from reviews.models.contributions import AgencyContribution, ContributionState
from reviews.selectors.agencyforms import contribution_forms, current_definitions, side_by_side
from reviews.services.agencyforms import agency_form_publish, agency_form_save, agency_forms_load_defaults
from reviews.services.contributions import contribution_advance, contribution_request
from tests.reviews.agencyforms.conftest import FORM
from tests.reviews.builders import answer_form, complete_answers, submit
from workflows.runner import TransitionRefused


def current(key: str = FORM) -> AgencyFormDefinition:
    return current_definitions([key])[key]


def next_version_of(form: AgencyFormDefinition) -> dict:
    """The form reworded, one question dropped and a new required one added."""
    definition = copy.deepcopy(form.definition)
    first = definition["sections"][0]["fields"]
    first[0]["label"] = "REWORDED: your agency's role"
    definition["sections"][-1]["fields"].pop()  # the last question goes
    definition["sections"][-1]["fields"].append(
        {"name": "new_required", "label": "A question added later", "type": "text", "required": True}
    )
    return definition


# --- definitions ------------------------------------------------------------------------------------


def test_loading_the_shipped_forms_stores_each_once(shipped_forms):
    assert set(shipped_forms.values()) == {"stored version 1"}
    again = agency_forms_load_defaults()
    assert set(again.values()) == {"kept version 1"}
    assert AgencyFormDefinition.objects.count() == len(shipped_forms)


def test_loading_again_keeps_an_administrators_version_unless_told_to_update(shipped_forms, coordinator):
    agency_form_publish(actor=coordinator, key=FORM, definition=next_version_of(current()))
    assert agency_forms_load_defaults()[FORM] == "kept version 2"
    assert agency_forms_load_defaults(update=True)[FORM] == "stored version 3"  # the shipped text again
    assert current().definition == AgencyFormDefinition.objects.get(key=FORM, version=1).definition


def test_publishing_stores_the_next_version_and_leaves_the_last_as_it_was(shipped_forms, coordinator):
    v1 = current()
    before = copy.deepcopy(v1.definition)
    v2 = agency_form_publish(actor=coordinator, key=FORM, definition=next_version_of(v1))
    assert (v2.version, v2.key) == (2, FORM)
    v1.refresh_from_db()
    assert v1.definition == before
    assert current() == v2


def test_a_stored_version_cannot_be_changed_in_place(shipped_forms):
    v1 = current()
    v1.definition = {"title": "changed", "sections": []}
    with pytest.raises(ValueError, match="never changed"):
        v1.save()


def test_an_invalid_definition_is_refused_with_each_problem_and_nothing_stored(shipped_forms, coordinator):
    broken = copy.deepcopy(current().definition)
    broken["sections"][0]["fields"][0]["type"] = "colour"
    del broken["title"]
    with pytest.raises(ValidationError) as refused:
        agency_form_publish(actor=coordinator, key=FORM, definition=broken)
    problems = refused.value.message_dict["definition"]
    assert "the definition: 'title' is a required property" in problems
    assert any(p.startswith("sections[0].fields[0].type: 'colour' is not one of") for p in problems)
    assert AgencyFormDefinition.objects.filter(key=FORM).count() == 1


# --- asking -----------------------------------------------------------------------------------------


def test_a_contribution_asks_for_forms_by_name_on_their_current_version(police_asked):
    answer_set = police_asked.form_answers.get()
    assert (answer_set.form.key, answer_set.form.version, answer_set.answers) == (FORM, 1, {})


def test_asking_for_a_form_that_does_not_exist_is_refused_and_nothing_is_asked(
    shipped_forms, scoping, coordinator, police, police_lead
):
    with pytest.raises(ValidationError) as refused:
        contribution_request(
            actor=coordinator, review_id=scoping.pk, agency=police, lead=police_lead, asks=[], forms=["no_such_form"]
        )
    assert refused.value.message_dict == {"forms": ["No such agency form: no_such_form."]}
    assert not AgencyContribution.objects.exists()
    assert not AgencyFormAnswers.objects.exists()


# --- answering ----------------------------------------------------------------------------------------


def test_a_draft_keeps_what_is_answered_and_starts_the_contribution(police_asked, police_lead):
    agency_form_save(
        actor=police_lead,
        contribution_id=police_asked.pk,
        form_key=FORM,
        answers={"agency_role": "  Response policing  ", "good_practice": ""},
    )
    answer_set = police_asked.form_answers.get()
    assert answer_set.answers == {"agency_role": "Response policing"}  # blank answers are absent
    police_asked.refresh_from_db()
    assert police_asked.state == ContributionState.IN_PROGRESS


def test_saving_to_submit_names_every_required_question_missing_and_changes_nothing(police_asked, police_lead):
    agency_form_save(actor=police_lead, contribution_id=police_asked.pk, form_key=FORM, answers={"agency_role": "A"})
    with pytest.raises(ValidationError) as refused:
        agency_form_save(
            actor=police_lead,
            contribution_id=police_asked.pk,
            form_key=FORM,
            answers={"agency_role": "Changed"},
            complete=True,
        )
    assert refused.value.message_dict == {
        "summary_of_involvement": [
            "Enter an answer to ‘Summary of your agency's involvement with the child and family’"
        ],
        "immediate_safeguarding": [
            "Enter an answer to ‘Immediate safeguarding action taken (for this child and any others)’"
        ],
        "emerging_learning": ["Enter an answer to ‘Emerging learning for your agency or the partnership’"],
        "cspr_view": [
            "Select an answer to ‘In your agency's view, is a local child safeguarding practice review needed?’"
        ],
    }
    assert police_asked.form_answers.get().answers == {"agency_role": "A"}


def test_a_wrong_answer_is_refused_naming_the_question(police_asked, police_lead):
    with pytest.raises(ValidationError) as refused:
        agency_form_save(
            actor=police_lead, contribution_id=police_asked.pk, form_key=FORM, answers={"cspr_view": "perhaps"}
        )
    assert list(refused.value.message_dict) == ["cspr_view"]
    assert police_asked.form_answers.get().answers == {}


def test_the_contribution_cannot_be_submitted_until_the_form_is_complete(police_asked, police_lead):
    with pytest.raises(TransitionRefused) as refused:
        submit(police_asked, police_lead)
    assert "answer every required question of the Rapid review agency summary (5 unanswered)" in str(
        refused.value.reasons
    )
    answer_form(police_asked, police_lead, FORM)
    submit(police_asked, police_lead)
    police_asked.refresh_from_db()
    assert police_asked.state == ContributionState.SUBMITTED


def test_only_the_agencys_own_lead_answers(police_asked, gp_lead, coordinator):
    for someone in (gp_lead, coordinator):
        with pytest.raises(PermissionDenied, match="You need the .* lead's role"):
            agency_form_save(actor=someone, contribution_id=police_asked.pk, form_key=FORM, answers={})


def test_a_form_not_asked_of_the_agency_cannot_be_answered(police_asked, police_lead):
    with pytest.raises(ValidationError, match="not asked of your agency"):
        agency_form_save(
            actor=police_lead, contribution_id=police_asked.pk, form_key="cardiac_supplementary", answers={}
        )


def test_submitted_answers_are_frozen_until_the_coordinator_returns_them(police_asked, police_lead, coordinator):
    answer_form(police_asked, police_lead, FORM)
    submit(police_asked, police_lead)
    with pytest.raises(TransitionRefused, match="can no longer be changed"):
        agency_form_save(
            actor=police_lead, contribution_id=police_asked.pk, form_key=FORM, answers={"agency_role": "Changed"}
        )
    assert police_asked.form_answers.get().answers["agency_role"] == "Answer to agency_role"
    contribution_advance(
        actor=coordinator, contribution_id=police_asked.pk, transition="return_to_agency", reason="Say more"
    )
    agency_form_save(
        actor=police_lead,
        contribution_id=police_asked.pk,
        form_key=FORM,
        answers=complete_answers(current().definition, agency_role="Changed"),
        complete=True,
    )
    assert police_asked.form_answers.get().answers["agency_role"] == "Changed"


def test_a_new_version_never_changes_what_was_submitted(police_asked, gp_asked, police_lead, coordinator, gp, gp_lead):
    v1 = current()
    answer_form(police_asked, police_lead, FORM, cspr_reason="Learning about information sharing")
    submit(police_asked, police_lead)
    submitted = copy.deepcopy(police_asked.form_answers.get().answers)

    v2 = agency_form_publish(actor=coordinator, key=FORM, definition=next_version_of(v1))

    answer_set = police_asked.form_answers.select_related("form").get()
    assert answer_set.form == v1  # still on the version it was written on
    assert answer_set.answers == submitted
    assert answer_set.missing() == {}  # v2's new required question is not asked of it
    shown = contribution_forms(police_asked)[0]
    labels = [label for section in shown.sections for label, _ in section.rows]
    assert "What was your agency's role with the child or family?" in labels
    assert "REWORDED: your agency's role" not in labels
    assert ("Why", "Learning about information sharing") in shown.sections[-1].rows  # v2 dropped it; v1 keeps it
    # The form already asked of the GP (not yet answered) stays on v1 too.
    assert gp_asked.form_answers.get().form == v1
    assert v2.version == 2


def test_side_by_side_shows_submitted_answers_per_question_and_hides_drafts(
    police_asked, gp_asked, police_lead, gp_lead, scoping
):
    answer_form(police_asked, police_lead, FORM, agency_role="Police: response and CID", cspr_view="yes")
    submit(police_asked, police_lead)
    answer_form(gp_asked, gp_lead, FORM, agency_role="GP: registered practice")  # a draft, not submitted

    compared = side_by_side(scoping, FORM)
    assert [c.contribution.agency.name for c in compared.columns] == ["Northbridge GP Federation", "Northbridge Police"]
    assert [c.sent for c in compared.columns] == [False, True]
    by_label = {q.label: q.answers for q in compared.questions}
    assert by_label["What was your agency's role with the child or family?"] == ["", "Police: response and CID"]
    assert by_label["In your agency's view, is a local child safeguarding practice review needed?"] == ["", "Yes"]
    assert by_label["Good practice"] == ["", "Not answered"]
