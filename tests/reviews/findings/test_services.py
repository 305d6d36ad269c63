"""Findings, recommendations and the CDR analysis; the chair's sign-off, its hash and versions;
reopening; and the review's move to action tracking waiting for the sign-off."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from reviews.models import Findings, FindingsState, Recommendation, ReviewKind, ReviewState, Role, SignedFindings
from reviews.selectors.findings import (
    content_hash,
    findings_match_signed,
    partnership_themes,
    signed_content,
    signed_version_verifies,
)
from reviews.services.findings import (
    FindingsData,
    RecommendationData,
    findings_reopen,
    findings_save,
    findings_sign_off,
    recommendation_delete,
    recommendation_save,
    themes_set,
)
from reviews.services.review import review_advance
from reviews.services.roles import review_role_grant
from tests.factories import AgencyFactory, advance_to, make_review, read_hash
from tests.reviews.builders import add_recommendation, write_findings
from workflows.models import AuditEvent, TransitionLog
from workflows.runner import TransitionRefused, run_transition


def findings_of(review) -> Findings:
    return Findings.objects.get(review=review)


def state_snapshot(review) -> tuple:
    findings = Findings.objects.filter(review=review).first()
    return (
        findings and (findings.state, findings.findings, findings.learning, findings.themes, findings.version),
        list(Recommendation.objects.filter(findings__review=review).values_list("number", "what", "due_by")),
        SignedFindings.objects.filter(findings__review=review).count(),
    )


# --- drafting -------------------------------------------------------------------------------------


def test_the_coordinator_and_the_chair_draft_findings(drafting, coordinator, chair):
    write_findings(drafting, coordinator)
    write_findings(drafting, chair, learning="Changed by the independent reviewer.")
    findings = findings_of(drafting)
    assert findings.state == FindingsState.DRAFT
    assert findings.learning == "Changed by the independent reviewer."
    assert findings.themes == ["Neglect", "Domestic abuse"]
    assert findings.updated_by == chair


@pytest.mark.parametrize("who", ["panel_member", "police_lead", "scrutineer", "outsider"])
def test_others_may_not_draft(drafting, who, request):
    with pytest.raises(PermissionDenied, match="You need the review coordinator's or the chair's role on"):
        write_findings(drafting, request.getfixturevalue(who))
    assert not Findings.objects.filter(review=drafting, findings__gt="").exists()


def test_findings_are_written_in_the_findings_stage_only(review, coordinator):
    advance_to(review, ReviewState.PANEL, coordinator)
    with pytest.raises(TransitionRefused, match="findings are written in the findings stage"):
        write_findings(review, coordinator)


def test_themes_come_from_the_partnership_list(drafting, coordinator, partnership):
    assert "Neglect" in partnership_themes(partnership)
    with pytest.raises(ValidationError) as error:
        write_findings(drafting, coordinator, themes=["Neglect", "Made up"])
    assert error.value.message_dict["themes"] == ["Not a theme on the partnership's list: Made up."]

    themes_set(actor=coordinator, partnership=partnership, names=["Neglect", " Cost of living  ", "neglect"])
    assert partnership_themes(partnership) == ["Neglect", "Cost of living"]
    write_findings(drafting, coordinator, themes=["Cost of living"])
    assert findings_of(drafting).themes == ["Cost of living"]


def test_only_a_coordinator_of_the_partnership_edits_its_themes(partnership, chair):
    with pytest.raises(PermissionDenied):
        themes_set(actor=chair, partnership=partnership, names=["Neglect"])


# --- recommendations: SMART -----------------------------------------------------------------------


def test_a_recommendation_is_numbered_and_owned(drafting, coordinator, police, gp):
    first = add_recommendation(drafting, coordinator, police)
    second = add_recommendation(drafting, coordinator, gp, what="Flag the family on the GP record.")
    assert (first.number, second.number) == (1, 2)
    assert second.owner_agency == gp


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"what": "  "}, "what", "Say what is to change."),
        ({"owner_agency": None}, "owner_agency", "Choose the agency that owns the recommendation."),
        ({"due_by": None}, "due_by", "Give the date by when it is to be done."),
        ({"due_by": date.today() - timedelta(days=1)}, "due_by", "The date by when it is to be done is in the past."),
        ({"success_measure": ""}, "success_measure", "Say how success will be measured."),
    ],
)
def test_a_recommendation_must_be_smart(drafting, coordinator, police, changes, field, message):
    write_findings(drafting, coordinator)
    before = state_snapshot(drafting)
    with pytest.raises(ValidationError) as error:
        add_recommendation(drafting, coordinator, police, **changes)
    assert error.value.message_dict[field] == [message]
    assert state_snapshot(drafting) == before


def test_a_recommendation_is_owned_by_an_agency_serving_the_partnership(drafting, coordinator, other_partnership):
    elsewhere = AgencyFactory(name="Southmere Police", serves=[other_partnership])
    with pytest.raises(ValidationError, match="does not serve"):
        add_recommendation(drafting, coordinator, elsewhere)


def test_a_recommendation_can_be_changed_and_removed_while_draft(drafting, coordinator, police):
    recommendation = add_recommendation(drafting, coordinator, police)
    recommendation_save(
        actor=coordinator,
        review_id=drafting.pk,
        recommendation_id=recommendation.pk,
        data=RecommendationData(
            what="Changed", owner_agency=police, due_by=recommendation.due_by, success_measure="Measured"
        ),
    )
    assert Recommendation.objects.get(pk=recommendation.pk).what == "Changed"
    recommendation_delete(actor=coordinator, review_id=drafting.pk, recommendation_id=recommendation.pk)
    assert not Recommendation.objects.filter(pk=recommendation.pk).exists()


# --- sign-off -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "panel_member", "police_lead", "scrutineer", "outsider"])
def test_only_the_chair_may_sign_off(drafting, coordinator, police, who, request):
    write_findings(drafting, coordinator)
    add_recommendation(drafting, coordinator, police)
    before = state_snapshot(drafting)
    with pytest.raises(PermissionDenied) as refused:
        findings_sign_off(actor=request.getfixturevalue(who), review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    assert str(refused.value) == f"You need the chair's role on {drafting.reference} to sign off the findings."
    assert state_snapshot(drafting) == before
    assert not TransitionLog.objects.filter(transition="sign_off").exists()


def test_the_sign_off_step_itself_names_the_chairs_role(drafting, coordinator, police):
    """findings_sign_off checks the chair first; the transition's own permission, asked by the
    runner under the lock, refuses in the same words."""
    write_findings(drafting, coordinator)
    add_recommendation(drafting, coordinator, police)
    with pytest.raises(PermissionDenied) as refused:
        run_transition(
            queryset=Findings.objects.select_related("review"),
            pk=findings_of(drafting).pk,
            name="sign_off",
            actor=coordinator,
            arguments={"by": coordinator, "content_hash": "0" * 64},
        )
    assert str(refused.value) == f"You need the chair's role on {drafting.reference} to sign off the findings."
    assert findings_of(drafting).state == FindingsState.DRAFT
    assert not TransitionLog.objects.filter(transition="sign_off").exists()


def test_sign_off_records_who_when_and_the_hash_of_the_content(drafting, coordinator, chair, police):
    write_findings(drafting, coordinator)
    add_recommendation(drafting, coordinator, police)
    before = timezone.now()

    version = findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))

    findings = findings_of(drafting)
    assert findings.state == FindingsState.SIGNED_OFF
    assert (findings.signed_by, findings.version) == (chair, 1)
    assert findings.signed_at >= before
    assert (version.version, version.signed_by, version.signed_at) == (1, chair, findings.signed_at)
    # The hash is SHA-256 of the canonical JSON (sorted keys, compact, UTF-8) of what was signed.
    canonical = json.dumps(version.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert version.content_hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest() == findings.content_hash
    assert version.content["recommendations"][0]["owner_agency"]["name"] == "Northbridge Police"
    assert version.content["themes"] == ["Neglect", "Domestic abuse"]
    assert signed_version_verifies(version)
    assert findings_match_signed(findings)
    event = AuditEvent.objects.filter(verb="findings.signed_off").get()
    assert event.detail == {"version": 1, "sha256": version.content_hash}


def test_the_hash_changes_when_the_content_changes(drafting, coordinator, police):
    write_findings(drafting, coordinator)
    recommendation = add_recommendation(drafting, coordinator, police)
    findings = findings_of(drafting)
    first = content_hash(signed_content(findings))
    assert content_hash(signed_content(findings)) == first  # stable

    recommendation_save(
        actor=coordinator,
        review_id=drafting.pk,
        recommendation_id=recommendation.pk,
        data=RecommendationData(
            what=recommendation.what,
            owner_agency=police,
            due_by=recommendation.due_by + timedelta(days=1),
            success_measure=recommendation.success_measure,
        ),
    )
    assert content_hash(signed_content(findings_of(drafting))) != first


def test_a_tampered_snapshot_no_longer_verifies(drafting, coordinator, chair):
    write_findings(drafting, coordinator)
    version = findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    version.content["learning"] = "Something the chair never signed."
    assert not signed_version_verifies(version)


def test_sign_off_waits_for_the_findings_and_the_learning(drafting, coordinator, chair):
    write_findings(drafting, coordinator, learning="")
    with pytest.raises(TransitionRefused) as refused:
        findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    assert refused.value.reasons == ["Before sign-off, write the learning."]
    assert findings_of(drafting).state == FindingsState.DRAFT


# --- frozen once signed ---------------------------------------------------------------------------


@pytest.fixture
def signed(drafting, coordinator, chair, police):
    write_findings(drafting, coordinator)
    recommendation = add_recommendation(drafting, coordinator, police)
    findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    return drafting, recommendation


@pytest.mark.parametrize("who", ["coordinator", "chair"])
@pytest.mark.parametrize("edit", ["findings", "add_recommendation", "change_recommendation", "remove_recommendation"])
def test_signed_findings_cannot_be_edited(signed, police, who, edit, request):
    review, recommendation = signed
    actor = request.getfixturevalue(who)
    before = state_snapshot(review)
    with pytest.raises(TransitionRefused) as refused:
        if edit == "findings":
            write_findings(review, actor, learning="Changed after sign-off")
        elif edit == "add_recommendation":
            add_recommendation(review, actor, police)
        elif edit == "change_recommendation":
            recommendation_save(
                actor=actor,
                review_id=review.pk,
                recommendation_id=recommendation.pk,
                data=RecommendationData(
                    what="Changed", owner_agency=police, due_by=recommendation.due_by, success_measure="x"
                ),
            )
        else:
            recommendation_delete(actor=actor, review_id=review.pk, recommendation_id=recommendation.pk)
    message = str(refused.value)
    assert message.startswith(f"The findings of {review.reference} were signed off by ")
    assert "(version 1) and can no longer be changed. Only the chair can reopen them, giving a reason." in message
    assert state_snapshot(review) == before


def test_reopening_needs_the_chair_and_a_reason(signed, coordinator, chair):
    review, _ = signed
    with pytest.raises(
        PermissionDenied, match=f"You need the chair's role on {review.reference} to reopen the findings"
    ):
        findings_reopen(actor=coordinator, review_id=review.pk, reason="Typo")
    with pytest.raises(ValidationError) as error:
        findings_reopen(actor=chair, review_id=review.pk, reason="  ")
    assert error.value.message_dict["reason"] == ["Give the reason for reopening the signed findings."]
    assert findings_of(review).state == FindingsState.SIGNED_OFF


def test_reopen_is_logged_and_the_next_sign_off_is_a_new_version(signed, coordinator, chair):
    review, _ = signed
    first = SignedFindings.objects.get(findings__review=review)

    findings_reopen(actor=chair, review_id=review.pk, reason="  The GP's evidence arrived late.  ")

    log = TransitionLog.objects.filter(transition="reopen").get()
    assert (log.actor, log.reason, log.from_state, log.to_state) == (
        chair,
        "The GP's evidence arrived late.",
        "signed_off",
        "draft",
    )
    assert AuditEvent.objects.filter(verb="findings.reopened", detail__reason="The GP's evidence arrived late.")
    assert findings_of(review).reopen_reason == "The GP's evidence arrived late."

    write_findings(review, coordinator, learning="Learning rewritten with the GP's evidence.")
    second = findings_sign_off(actor=chair, review_id=review.pk, read_hash=read_hash(review.pk))

    assert second.version == 2
    assert second.content_hash != first.content_hash
    versions = list(SignedFindings.objects.filter(findings__review=review).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    # The earlier version stays readable exactly as signed, and still verifies.
    assert versions[0].content["learning"] == "Escalate concerns about a non-mobile baby's bruising at once."
    assert all(signed_version_verifies(v) for v in versions)
    assert findings_of(review).version == 2


def test_a_signed_version_is_immutable(signed):
    review, _ = signed
    version = SignedFindings.objects.get(findings__review=review)
    version.content_hash = "0" * 64
    with pytest.raises(ValidationError, match="can never be changed"):
        version.save()
    with pytest.raises(ValidationError, match="can never be deleted"):
        version.delete()


@pytest.mark.postgres
def test_the_database_refuses_to_change_a_signed_version(signed):
    review, _ = signed
    assert connection.vendor == "postgresql"
    with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
        SignedFindings.objects.filter(findings__review=review).update(content_hash="0" * 64)
    with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
        SignedFindings.objects.filter(findings__review=review)._raw_delete(connection.alias)


def test_findings_cannot_be_reopened_once_actions_are_tracked(signed, coordinator, chair):
    review, _ = signed
    review_advance(actor=coordinator, review_id=review.pk, transition="start_action_tracking")
    with pytest.raises(TransitionRefused) as refused:
        findings_reopen(actor=chair, review_id=review.pk, reason="Late change")
    assert refused.value.reasons == [
        f"{review.reference} is at Action tracking: findings are signed off and reopened in the findings stage."
    ]


# --- the review waits for the sign-off ------------------------------------------------------------


def test_action_tracking_waits_for_signed_findings(drafting, coordinator, chair):
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    assert refused.value.reasons == [
        "No findings have been written yet: draft them and ask the chair to sign them off."
    ]
    write_findings(drafting, coordinator)
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    assert refused.value.reasons == ["The chair has not signed off the findings yet."]

    findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    moved = review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    assert moved.state == ReviewState.ACTION_TRACKING


# --- the CDR analysis -----------------------------------------------------------------------------


@pytest.fixture
def cdr_drafting(partnership, coordinator, chair, police, police_lead):
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.CHILD_DEATH,
        key_dates={"incident_on": date(2026, 3, 2), "notified_on": date(2026, 3, 3)},
        roles=[(chair, Role.CHAIR, None), (police_lead, Role.AGENCY_LEAD, police)],
    )
    advance_to(review, ReviewState.PANEL, coordinator)
    return review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")


ANALYSIS = {
    "factors_child": "Born at 31 weeks.",
    "factors_family": "Parental substance misuse.",
    "factors_physical": "Unsafe sleeping arrangement.",
    "factors_services": "Health visitor contacts missed.",
    "factors_child_relevance": 1,
    "factors_family_relevance": 2,
    "factors_physical_relevance": 2,
    "factors_services_relevance": 0,
    "category_of_death": 10,
    "category_rationale": "No cause found at post-mortem; categories 1 to 9 do not apply.",
    "modifiable_factors": "yes",
}


def test_a_child_death_review_is_signed_off_with_its_analysis(cdr_drafting, coordinator, chair):
    write_findings(cdr_drafting, coordinator, category_of_death=10)
    with pytest.raises(TransitionRefused) as refused:
        findings_sign_off(actor=chair, review_id=cdr_drafting.pk, read_hash=read_hash(cdr_drafting.pk))
    assert refused.value.reasons == [
        "Before sign-off, write the level of relevance of: factors intrinsic to the child; factors in the family "
        "and social environment; factors in the physical environment; factors in service provision, why the "
        "category of death was chosen, whether there were modifiable factors."
    ]

    write_findings(cdr_drafting, coordinator, **ANALYSIS)
    version = findings_sign_off(actor=chair, review_id=cdr_drafting.pk, read_hash=read_hash(cdr_drafting.pk))
    assert version.content["cdr_analysis"] == ANALYSIS
    assert version.content["learning"] == "Escalate concerns about a non-mobile baby's bruising at once."


def test_the_analysis_is_frozen_once_the_chair_signs_it_off(cdr_drafting, coordinator, chair):
    write_findings(cdr_drafting, coordinator, **ANALYSIS)
    version = findings_sign_off(actor=chair, review_id=cdr_drafting.pk, read_hash=read_hash(cdr_drafting.pk))

    with pytest.raises(TransitionRefused, match="can no longer be changed"):
        write_findings(cdr_drafting, coordinator, **{**ANALYSIS, "factors_family_relevance": 1})
    findings = findings_of(cdr_drafting)
    assert (findings.factors_family_relevance, findings.category_rationale) == (2, ANALYSIS["category_rationale"])
    assert findings_match_signed(findings)
    assert signed_version_verifies(version)
    # Changed behind the services' back, the live analysis no longer matches what the chair signed.
    Findings.objects.filter(pk=findings.pk).update(category_rationale="Something else.")
    assert not findings_match_signed(findings_of(cdr_drafting))


def test_findings_signed_before_the_analysis_was_completed_still_match_their_hash(cdr_drafting, coordinator, chair):
    """Levels of relevance and the rationale joined the signed content in issue 13: empty, they are left
    out of it, so a CDR signed before then still hashes to what its chair signed."""
    write_findings(cdr_drafting, coordinator, **ANALYSIS)
    findings = findings_of(cdr_drafting)
    legacy = {**ANALYSIS}
    for key in [k for k in legacy if k.endswith("_relevance")] + ["category_rationale"]:
        del legacy[key]
    Findings.objects.filter(pk=findings.pk).update(
        category_rationale="", **{k: None for k in ANALYSIS if k.endswith("_relevance")}
    )
    assert signed_content(findings_of(cdr_drafting))["cdr_analysis"] == legacy


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"category_of_death": 11}, "category_of_death"), ({"modifiable_factors": "maybe"}, "modifiable_factors")],
)
def test_the_analysis_takes_only_the_listed_answers(cdr_drafting, coordinator, changes, field):
    with pytest.raises(ValidationError) as error:
        findings_save(actor=coordinator, review_id=cdr_drafting.pk, data=FindingsData(findings="x", **changes))
    assert field in error.value.message_dict


def test_other_kinds_carry_no_analysis(drafting, coordinator, chair):
    write_findings(drafting, coordinator, category_of_death=1)
    assert findings_of(drafting).category_of_death is None
    assert (
        "cdr_analysis"
        not in findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk)).content
    )


def test_a_second_chair_may_sign_off(drafting, coordinator, panel_member):
    review_role_grant(actor=coordinator, review_id=drafting.pk, user=panel_member, role=Role.CHAIR)
    write_findings(drafting, coordinator)
    assert (
        findings_sign_off(actor=panel_member, review_id=drafting.pk, read_hash=read_hash(drafting.pk)).signed_by
        == panel_member
    )
