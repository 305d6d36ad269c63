"""Agency contributions: asking, each state change, extensions, and the panel waiting for all."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviews.models import ReviewState
from reviews.models.chronology import ChronologyEntry
from reviews.models.contributions import AgencyContribution, Ask, DueDateChange
from reviews.permissions import is_agency_lead
from reviews.selectors.contributions import default_due_date
from reviews.services.chronology import EntryData, entry_save, report_save_draft
from reviews.services.contributions import (
    contribution_advance,
    contribution_change_due_date,
    contribution_decide_extension,
    contribution_request,
    contribution_request_extension,
)
from reviews.services.review import review_advance
from tests.factories import AgencyFactory, advance_to
from workflows.calendar import add_working_days
from workflows.models import TransitionLog
from workflows.runner import TransitionRefused

C = AgencyContribution


@pytest.fixture
def scoping(review, coordinator):
    return advance_to(review, ReviewState.SCOPING, coordinator)


@pytest.fixture
def police_contribution(scoping, coordinator, police, police_lead):
    return contribution_request(
        actor=coordinator, review_id=scoping.pk, agency=police, lead=police_lead, asks=[Ask.CHRONOLOGY]
    )


@pytest.fixture
def gp_contribution(scoping, coordinator, gp, gp_lead):
    return contribution_request(actor=coordinator, review_id=scoping.pk, agency=gp, lead=gp_lead, asks=[Ask.CHRONOLOGY])


def an_entry(**changes) -> EntryData:
    values = {
        "event_date": date(2025, 11, 3),
        "source_record": "Custody record 2231",
        "what_happened": "Call to the family home; mother's partner arrested.",
        "professional_role": "Response officer",
        "significant": True,
    }
    values.update(changes)
    return EntryData(**values)


def state_of(contribution) -> str:
    return C.objects.get(pk=contribution.pk).state


def test_rapid_review_summaries_default_to_working_day_10_of_the_clock(scoping, police_contribution):
    # The fixture review was notified on Wed 4 Mar 2026: day 10 is Wed 18 Mar, unless that has passed.
    expected = max(add_working_days(date(2026, 3, 4), 10), timezone.localdate())
    assert default_due_date(scoping) == expected
    assert police_contribution.due_date == expected


def test_a_due_date_other_than_the_default_needs_a_reason(scoping, coordinator, gp, gp_lead):
    later = timezone.localdate() + timedelta(days=60)
    with pytest.raises(ValidationError) as refused:
        contribution_request(
            actor=coordinator, review_id=scoping.pk, agency=gp, lead=gp_lead, asks=[Ask.CHRONOLOGY], due_date=later
        )
    assert "give a reason" in refused.value.message_dict["due_date_reason"][0]
    assert not C.objects.exists()
    contribution = contribution_request(
        actor=coordinator,
        review_id=scoping.pk,
        agency=gp,
        lead=gp_lead,
        asks=[Ask.CHRONOLOGY],
        due_date=later,
        due_date_reason="GP records are held off site",
    )
    assert contribution.due_date == later


def test_agencies_are_asked_only_during_scoping_or_submissions(review, coordinator, police, police_lead):
    with pytest.raises(TransitionRefused, match="during scoping or agency submissions"):
        contribution_request(
            actor=coordinator, review_id=review.pk, agency=police, lead=police_lead, asks=["chronology"]
        )


def test_agency_not_serving_the_partnership_is_refused(scoping, coordinator, police_lead, other_partnership):
    elsewhere = AgencyFactory(name="Southmere Police", serves=[other_partnership])
    with pytest.raises(ValidationError) as refused:
        contribution_request(
            actor=coordinator, review_id=scoping.pk, agency=elsewhere, lead=police_lead, asks=["chronology"]
        )
    assert "does not serve" in refused.value.message_dict["agency"][0]


def test_only_the_coordinator_asks(scoping, chair, police, police_lead):
    with pytest.raises(PermissionDenied):
        contribution_request(actor=chair, review_id=scoping.pk, agency=police, lead=police_lead, asks=["chronology"])


def test_first_entry_starts_work_and_submission_needs_content(police_contribution, police_lead):
    with pytest.raises(TransitionRefused) as refused:
        contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="submit")
    assert "add at least one chronology entry" in refused.value.reasons[0]

    entry_save(actor=police_lead, contribution_id=police_contribution.pk, data=an_entry())
    assert state_of(police_contribution) == "in_progress"
    contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="submit")
    assert state_of(police_contribution) == "submitted"


def test_an_extension_cannot_be_granted_once_the_contribution_is_submitted(
    police_contribution, police_lead, coordinator
):
    original = police_contribution.due_date
    asked = contribution_request_extension(
        actor=police_lead,
        contribution_id=police_contribution.pk,
        proposed_due_date=original + timedelta(days=14),
        reason="Officer on leave",
    )
    entry_save(actor=police_lead, contribution_id=police_contribution.pk, data=an_entry())
    contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="submit")

    with pytest.raises(ValidationError, match="submitted: there is no due date left to extend"):
        contribution_decide_extension(actor=coordinator, change_id=asked.pk, grant=True, note="Agreed")
    assert C.objects.get(pk=police_contribution.pk).due_date == original
    assert DueDateChange.objects.get(pk=asked.pk).status == "requested"
    # Refusing it, with a note, closes the request.
    contribution_decide_extension(actor=coordinator, change_id=asked.pk, grant=False, note="Submitted already")
    assert DueDateChange.objects.get(pk=asked.pk).status == "refused"


def test_submitted_contribution_is_locked_until_returned(police_contribution, police_lead, coordinator):
    entry_save(actor=police_lead, contribution_id=police_contribution.pk, data=an_entry())
    contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="submit")
    with pytest.raises(TransitionRefused, match="can no longer be changed"):
        entry_save(actor=police_lead, contribution_id=police_contribution.pk, data=an_entry())

    with pytest.raises(TransitionRefused):  # returning needs a reason
        contribution_advance(actor=coordinator, contribution_id=police_contribution.pk, transition="return_to_agency")
    contribution_advance(
        actor=coordinator,
        contribution_id=police_contribution.pk,
        transition="return_to_agency",
        reason="Add the 2024 referrals",
    )
    returned = C.objects.get(pk=police_contribution.pk)
    assert (returned.state, returned.return_reason) == ("returned", "Add the 2024 referrals")
    entry_save(actor=police_lead, contribution_id=police_contribution.pk, data=an_entry(source_record="Referral 7"))
    contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="resubmit")
    contribution_advance(actor=coordinator, contribution_id=police_contribution.pk, transition="accept")
    accepted = C.objects.get(pk=police_contribution.pk)
    assert (accepted.state, accepted.times_submitted) == ("accepted", 2)


def test_agency_lead_cannot_accept_and_coordinator_cannot_submit(police_contribution, police_lead, coordinator):
    entry_save(actor=police_lead, contribution_id=police_contribution.pk, data=an_entry())
    with pytest.raises(PermissionDenied):
        contribution_advance(actor=coordinator, contribution_id=police_contribution.pk, transition="submit")
    contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="submit")
    with pytest.raises(PermissionDenied):
        contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="accept")
    assert state_of(police_contribution) == "submitted"


def test_a_refused_step_names_the_role_it_needs(police_contribution, police_lead, coordinator):
    reference = police_contribution.review.reference
    entry_save(actor=police_lead, contribution_id=police_contribution.pk, data=an_entry())
    with pytest.raises(PermissionDenied) as refused:
        contribution_advance(actor=coordinator, contribution_id=police_contribution.pk, transition="submit")
    assert str(refused.value) == f"You need the Police lead's role on {reference} to submit the contribution."
    contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="submit")
    with pytest.raises(PermissionDenied) as refused:
        contribution_advance(actor=police_lead, contribution_id=police_contribution.pk, transition="accept")
    assert str(refused.value) == f"You need the review coordinator's role on {reference} to accept the contribution."
    assert state_of(police_contribution) == "submitted"


def test_another_agencys_lead_cannot_touch_the_contribution(police_contribution, gp_lead, gp_contribution):
    with pytest.raises(PermissionDenied):
        entry_save(actor=gp_lead, contribution_id=police_contribution.pk, data=an_entry())
    with pytest.raises(PermissionDenied):
        contribution_advance(
            actor=gp_lead,
            contribution_id=police_contribution.pk,
            transition="record_nil_return",
            reason="No involvement",
        )
    assert not ChronologyEntry.objects.exists()


def test_nil_return_and_waiver_record_their_reasons(police_contribution, gp_contribution, police_lead, coordinator):
    contribution_advance(
        actor=police_lead,
        contribution_id=police_contribution.pk,
        transition="record_nil_return",
        reason="No involvement with this child or family",
    )
    contribution_advance(
        actor=coordinator,
        contribution_id=gp_contribution.pk,
        transition="waive",
        reason="Family not registered with a Northbridge GP",
    )
    assert C.objects.get(pk=police_contribution.pk).nil_return_note == "No involvement with this child or family"
    assert C.objects.get(pk=gp_contribution.pk).waiver_reason == "Family not registered with a Northbridge GP"
    assert TransitionLog.objects.filter(transition__in=["record_nil_return", "waive"]).count() == 2


def test_entry_dates_future_or_after_cut_off_are_refused_antenatal_allowed(police_contribution, police_lead, scoping):
    with pytest.raises(ValidationError) as refused:
        entry_save(
            actor=police_lead,
            contribution_id=police_contribution.pk,
            data=an_entry(event_date=timezone.localdate() + timedelta(days=1)),
        )
    assert refused.value.message_dict["event_date"] == ["The date is in the future."]
    scoping.chronology_cutoff_on = date(2026, 3, 2)
    scoping.save(update_fields=["chronology_cutoff_on"])
    with pytest.raises(ValidationError) as refused:
        entry_save(
            actor=police_lead, contribution_id=police_contribution.pk, data=an_entry(event_date=date(2026, 3, 5))
        )
    assert "after the review's cut-off (02 March 2026)" in refused.value.message_dict["event_date"][0]
    # Child A was born 5 Jan 2024: an antenatal booking in 2023 is a valid entry.
    entry = entry_save(
        actor=police_lead, contribution_id=police_contribution.pk, data=an_entry(event_date=date(2023, 7, 1))
    )
    assert entry.event_date == date(2023, 7, 1)


def test_extension_asked_by_the_lead_granted_or_refused_by_the_coordinator(
    police_contribution, police_lead, coordinator
):
    original = police_contribution.due_date
    later = original + timedelta(days=14)
    with pytest.raises(ValidationError):
        contribution_request_extension(
            actor=police_lead, contribution_id=police_contribution.pk, proposed_due_date=later, reason=""
        )
    asked = contribution_request_extension(
        actor=police_lead, contribution_id=police_contribution.pk, proposed_due_date=later, reason="Officer on leave"
    )
    with pytest.raises(ValidationError, match="already waiting"):
        contribution_request_extension(
            actor=police_lead, contribution_id=police_contribution.pk, proposed_due_date=later, reason="Again"
        )
    with pytest.raises(ValidationError):  # refusing needs a note
        contribution_decide_extension(actor=coordinator, change_id=asked.pk, grant=False)
    with pytest.raises(PermissionDenied):
        contribution_decide_extension(actor=police_lead, change_id=asked.pk, grant=True)
    contribution_decide_extension(actor=coordinator, change_id=asked.pk, grant=True, note="Agreed")
    assert C.objects.get(pk=police_contribution.pk).due_date == later
    assert DueDateChange.objects.get(pk=asked.pk).status == "granted"

    second = contribution_request_extension(
        actor=police_lead,
        contribution_id=police_contribution.pk,
        proposed_due_date=later + timedelta(days=7),
        reason="More records",
    )
    contribution_decide_extension(actor=coordinator, change_id=second.pk, grant=False, note="Panel date is fixed")
    assert C.objects.get(pk=police_contribution.pk).due_date == later


def test_coordinator_moves_a_due_date_with_a_reason(police_contribution, coordinator):
    new_date = police_contribution.due_date + timedelta(days=3)
    with pytest.raises(ValidationError):
        contribution_change_due_date(
            actor=coordinator, contribution_id=police_contribution.pk, new_due_date=new_date, reason=" "
        )
    contribution_change_due_date(
        actor=coordinator, contribution_id=police_contribution.pk, new_due_date=new_date, reason="Panel moved"
    )
    assert C.objects.get(pk=police_contribution.pk).due_date == new_date
    assert DueDateChange.objects.get().status == "moved"


def test_agency_report_saved_as_draft_then_required_before_submission(scoping, coordinator, gp, gp_lead):
    contribution = contribution_request(
        actor=coordinator, review_id=scoping.pk, agency=gp, lead=gp_lead, asks=[Ask.AGENCY_REPORT]
    )
    report_save_draft(actor=gp_lead, contribution_id=contribution.pk, sections={"context": "Two GPs on leave"})
    report_save_draft(actor=gp_lead, contribution_id=contribution.pk, sections={"analysis": "Missed referral"})
    with pytest.raises(TransitionRefused) as refused:
        contribution_advance(actor=gp_lead, contribution_id=contribution.pk, transition="submit")
    assert "complete the agency report" in refused.value.reasons[0]
    assert "Lessons" in refused.value.reasons[0]
    report = C.objects.get(pk=contribution.pk).report
    assert (report.context, report.analysis) == ("Two GPs on leave", "Missed referral")


def test_panel_waits_for_every_agency_and_names_them(
    scoping, coordinator, police_contribution, gp_contribution, police_lead
):
    review_advance(actor=coordinator, review_id=scoping.pk, transition="request_submissions")
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=scoping.pk, transition="convene_panel")
    assert refused.value.reasons == [
        "2 of 2 agencies have not had a submission accepted, nil-returned or waived: GP, Police."
    ]
    contribution_advance(
        actor=police_lead,
        contribution_id=police_contribution.pk,
        transition="record_nil_return",
        reason="No involvement",
    )
    with pytest.raises(TransitionRefused) as refused:
        review_advance(actor=coordinator, review_id=scoping.pk, transition="convene_panel")
    assert refused.value.reasons == ["1 of 2 agencies has not had a submission accepted, nil-returned or waived: GP."]
    contribution_advance(actor=coordinator, contribution_id=gp_contribution.pk, transition="waive", reason="Not needed")
    review_advance(actor=coordinator, review_id=scoping.pk, transition="convene_panel")
    assert scoping.__class__.objects.get(pk=scoping.pk).state == "panel"


def test_extension_asked_only_by_this_agencys_lead_and_decided_once(
    police_contribution, police_lead, gp_lead, coordinator
):
    later = police_contribution.due_date + timedelta(days=14)
    with pytest.raises(PermissionDenied):
        contribution_request_extension(
            actor=gp_lead, contribution_id=police_contribution.pk, proposed_due_date=later, reason="Not my agency"
        )
    asked = contribution_request_extension(
        actor=police_lead, contribution_id=police_contribution.pk, proposed_due_date=later, reason="Officer on leave"
    )
    contribution_decide_extension(actor=coordinator, change_id=asked.pk, grant=True, note="Agreed")
    # A second click on "grant" (or a refusal after the grant) changes nothing and says why.
    with pytest.raises(TransitionRefused, match="already granted"):
        contribution_decide_extension(actor=coordinator, change_id=asked.pk, grant=False, note="Changed my mind")
    assert C.objects.get(pk=police_contribution.pk).due_date == later
    assert DueDateChange.objects.get(pk=asked.pk).status == "granted"


def test_agency_lead_means_that_agency_on_that_review_only(police_contribution, police_lead, gp_lead, police, gp):
    review_id = police_contribution.review_id
    assert is_agency_lead(police_lead, review_id=review_id, agency_id=police.pk)
    assert not is_agency_lead(police_lead, review_id=review_id, agency_id=gp.pk)
    assert not is_agency_lead(gp_lead, review_id=review_id, agency_id=police.pk)
    assert not is_agency_lead(AnonymousUser(), review_id=review_id, agency_id=police.pk)
    assert not is_agency_lead(None, review_id=review_id, agency_id=police.pk)


def test_the_chair_is_not_accepted_as_a_schools_lead_nor_told_of_the_request(scoping, coordinator, chair, partnership):
    """Issue 12: the chair was accepted as the schools' lead and e-mailed the request."""
    from notifications.models import Notification
    from reviews.models import AgencyKind, ReviewRole, Role
    from workflows.models import AuditEvent

    schools = AgencyFactory(
        name="Northbridge Schools", short_name="Schools", kind=AgencyKind.EDUCATION, serves=[partnership]
    )
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        contribution_request(actor=coordinator, review_id=scoping.pk, agency=schools, lead=chair, asks=[Ask.CHRONOLOGY])
    assert error.value.message_dict == {
        "lead": [
            f"{chair.get_full_name()} does not work for Schools: only a member of Schools can be its agency lead. "
            "A partnership administrator records which agency a member works for."
        ]
    }
    assert not C.objects.filter(agency=schools).exists()
    assert not ReviewRole.objects.filter(user=chair, role=Role.AGENCY_LEAD).exists()
    assert not Notification.objects.filter(recipient=chair).exists()
    assert AuditEvent.objects.count() == audits
