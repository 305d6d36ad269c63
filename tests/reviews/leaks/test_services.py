"""The chair's override of one identity found: only the chair, only with a reason free of
identities, only of a current hit, once; audited without the identity; the hit is then resolved."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews.models import LeakOverride
from reviews.selectors.leaks import leak_hits, outgoing_texts, unresolved_hits
from reviews.services.leaks import MESSAGES, leak_override
from workflows.audit import AuditEvent

pytestmark = pytest.mark.django_db

REPORT = "report v1 §3 Analysis"


@pytest.fixture
def with_hit(identified, report_texts):
    """The report names Child K by first name and gives Child A's date of birth: two hits."""
    report_texts[REPORT] = "Oliver was seen on 5 January 2024 by the midwife."
    hits = unresolved_hits(identified)
    assert [(hit.what, hit.pseudonym) for hit in hits] == [("first name", "Child K"), ("date of birth", "Child A")]
    return hits


def test_the_chair_overrides_a_hit_with_a_reason_and_it_is_no_longer_unresolved(identified, with_hit, chair):
    name_hit, birth_hit = with_hit
    override = leak_override(
        actor=chair, review_id=identified.pk, fingerprint=birth_hit.fingerprint, reason="The family asked for it."
    )

    assert (override.source, override.what, override.pseudonym, override.chair) == (
        REPORT,
        "date of birth",
        "Child A",
        chair,
    )
    assert [hit.fingerprint for hit in unresolved_hits(identified)] == [name_hit.fingerprint]
    # leak_hits still lists it: the page shows it as overridden.
    assert len(leak_hits(identified, outgoing_texts(identified))) == 2
    event = AuditEvent.objects.get(verb="leak.overridden")
    assert event.actor == chair
    assert event.detail == {
        "source": REPORT,
        "what": "date of birth",
        "pseudonym": "Child A",
        "fingerprint": birth_hit.fingerprint,
        "reason": "The family asked for it.",
    }
    assert "2024" not in json.dumps(event.detail) and "January" not in json.dumps(event.detail)


@pytest.mark.parametrize("who", ["coordinator", "panel_member", "police_lead", "scrutineer"])
def test_only_the_chair_may_override(identified, with_hit, who, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="You need the chair's role on NSCP-RR-2026-001 to override an identity"):
        leak_override(actor=actor, review_id=identified.pk, fingerprint=with_hit[0].fingerprint, reason="Fine.")
    assert not LeakOverride.objects.exists()
    assert not AuditEvent.objects.filter(verb="leak.overridden").exists()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", MESSAGES["reason"]),
        ("   ", MESSAGES["reason"]),
        # The override and its audit row are read by people who may not read identities.
        ("Oliver's mother agreed.", MESSAGES["reason_identity"]),
    ],
)
def test_a_reason_is_required_and_must_hold_no_identity(identified, with_hit, chair, reason, message):
    with pytest.raises(ValidationError) as error:
        leak_override(actor=chair, review_id=identified.pk, fingerprint=with_hit[0].fingerprint, reason=reason)
    assert error.value.message_dict == {"reason": [message]}
    assert not LeakOverride.objects.exists()
    assert not AuditEvent.objects.filter(verb="leak.overridden").exists()


def test_only_a_current_hit_may_be_overridden(identified, with_hit, chair, report_texts):
    stale = with_hit[0].fingerprint
    report_texts[REPORT] = "Child K was seen by the midwife."  # fixed since the page was read
    with pytest.raises(ValidationError) as error:
        leak_override(actor=chair, review_id=identified.pk, fingerprint=stale, reason="Fine.")
    assert error.value.message_dict == {"fingerprint": [MESSAGES["gone"]]}
    with pytest.raises(ValidationError):
        leak_override(actor=chair, review_id=identified.pk, fingerprint="0" * 64, reason="Fine.")
    assert not LeakOverride.objects.exists()


def test_a_hit_is_overridden_once(identified, with_hit, chair):
    leak_override(actor=chair, review_id=identified.pk, fingerprint=with_hit[0].fingerprint, reason="Fine.")
    with pytest.raises(ValidationError) as error:
        leak_override(actor=chair, review_id=identified.pk, fingerprint=with_hit[0].fingerprint, reason="Again.")
    assert error.value.message_dict == {"fingerprint": [MESSAGES["done"]]}
    assert LeakOverride.objects.count() == 1
    assert AuditEvent.objects.filter(verb="leak.overridden").count() == 1


def test_an_override_covers_its_own_text_only(identified, with_hit, chair, report_texts):
    """The same first name in another text is another hit: the chair decides each."""
    leak_override(actor=chair, review_id=identified.pk, fingerprint=with_hit[0].fingerprint, reason="Fine.")
    report_texts["report v1 §4 Findings"] = "Oliver again."
    assert [(hit.source, hit.what) for hit in unresolved_hits(identified)] == [
        (REPORT, "date of birth"),
        ("report v1 §4 Findings", "first name"),
    ]


def test_publication_waits_for_every_hit_to_be_fixed_or_overridden(identified, with_hit, chair, report_texts):
    from reviews.conditions.leaks import leak_refusal, no_identity_leaks

    assert no_identity_leaks.explain(identified) == (
        "2 identities found in the outgoing texts of NSCP-RR-2026-001 are not overridden: write the pseudonym, "
        "or ask the chair to override (Identities in outgoing texts)."
    )
    leak_override(actor=chair, review_id=identified.pk, fingerprint=with_hit[0].fingerprint, reason="Fine.")
    report_texts[REPORT] = "Oliver was seen by the midwife."  # the date of birth taken out
    assert no_identity_leaks(identified)
    assert leak_refusal(identified, {"published report": "Oliver"}) is not None  # another text: another hit
