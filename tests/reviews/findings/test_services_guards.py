"""Issue 12: the chair signs only what they read, a later save never silently overwrites an earlier
one, and sending the findings for sign-off tells the chair (in the app and by e-mail)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from notifications.models import Deadline, DeadlineKind, DeadlineState, Notification
from reviews.models import Findings, FindingsState, SignedFindings
from reviews.selectors.findings import draft_hash, signed_content
from reviews.services.findings import (
    FindingsChanged,
    FindingsData,
    findings_save,
    findings_send_for_sign_off,
    findings_sign_off,
)
from tests.factories import read_hash
from tests.reviews.builders import add_recommendation, write_findings
from workflows.models import AuditEvent
from workflows.runner import TransitionRefused


def _findings(review) -> Findings:
    return Findings.objects.select_related("review").get(review=review)


def test_findings_changed_after_the_chair_read_them_are_not_signed_and_the_refusal_says_what_changed(
    drafting, coordinator, chair, police
):
    write_findings(drafting, coordinator)
    read = signed_content(_findings(drafting))
    read_hash_then = read_hash(drafting.pk)
    # While the chair reads, the coordinator changes the learning and adds a recommendation.
    write_findings(drafting, coordinator, learning="A different lesson.")
    add_recommendation(drafting, coordinator, police, what="Audit the bruising protocol.")

    with pytest.raises(FindingsChanged) as refused:
        findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash_then, read_content=read)

    assert refused.value.reasons == [
        "The learning changed.",
        "Recommendation R1 was added: Audit the bruising protocol.",
    ]
    findings = _findings(drafting)
    assert findings.state == FindingsState.DRAFT and findings.version == 0
    assert not SignedFindings.objects.exists()
    # Read again, it is signed.
    assert findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk)).version == 1


def test_the_later_of_two_saves_of_the_same_version_is_refused(drafting, coordinator, chair):
    write_findings(drafting, coordinator)
    both_read = draft_hash(_findings(drafting))
    findings_save(
        actor=coordinator, review_id=drafting.pk, data=FindingsData(findings="The coordinator's"), based_on=both_read
    )
    saves = AuditEvent.objects.filter(verb="findings.saved").count()

    with pytest.raises(FindingsChanged) as refused:
        findings_save(actor=chair, review_id=drafting.pk, data=FindingsData(findings="The chair's"), based_on=both_read)

    assert f"{coordinator.get_full_name()} saved the findings at" in refused.value.message
    assert _findings(drafting).findings == "The coordinator's"
    assert AuditEvent.objects.filter(verb="findings.saved").count() == saves


def test_sending_for_sign_off_tells_the_chair_in_the_app_and_by_email(drafting, coordinator, chair):
    write_findings(drafting, coordinator)

    findings_send_for_sign_off(actor=coordinator, review_id=drafting.pk)

    findings = _findings(drafting)
    assert findings.state == FindingsState.AWAITING_SIGN_OFF
    deadline = Deadline.objects.get(kind=DeadlineKind.FINDINGS_SIGN_OFF)
    assert (deadline.object_id, deadline.state) == (findings.pk, DeadlineState.OPEN)
    assert list(deadline.recipients.all()) == [chair]
    told = Notification.objects.filter(recipient=chair, kind=Notification.Kind.DEADLINE_SET)
    assert sorted(told.values_list("channel", flat=True)) == ["email", "in_app"]
    assert told.get(channel="email").context["what"] == "Findings to sign off"
    assert AuditEvent.objects.filter(verb="findings.sent_for_sign_off").exists()

    findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET


@pytest.mark.parametrize("who", ["chair", "panel_member", "police_lead"])
def test_only_the_coordinator_sends_for_sign_off(drafting, coordinator, request, who):
    write_findings(drafting, coordinator)
    with pytest.raises(PermissionDenied):
        findings_send_for_sign_off(actor=request.getfixturevalue(who), review_id=drafting.pk)
    assert _findings(drafting).state == FindingsState.DRAFT
    assert (
        not Notification.objects.exists() or not Deadline.objects.filter(kind=DeadlineKind.FINDINGS_SIGN_OFF).exists()
    )


def test_incomplete_findings_are_not_sent(drafting, coordinator):
    write_findings(drafting, coordinator, learning="")
    with pytest.raises(TransitionRefused) as refused:
        findings_send_for_sign_off(actor=coordinator, review_id=drafting.pk)
    assert refused.value.reasons == ["Before sign-off, write the learning."]
    assert not Deadline.objects.filter(kind=DeadlineKind.FINDINGS_SIGN_OFF).exists()
