"""Signed findings are on the audit chain (workflows.chain): a signed version rewritten behind the
application's back, with the immutability trigger disabled, is named by `verify_audit`."""

from __future__ import annotations

import pytest

from reviews.models import SignedFindings
from reviews.services.findings import findings_reopen, findings_sign_off
from tests.factories import read_hash
from tests.reviews.builders import write_findings
from tests.tampering import tamper, verify_audit

pytestmark = [pytest.mark.postgres]

SIGNED = "reviews_signedfindings"


@pytest.fixture
def two_versions(drafting, coordinator, chair) -> list[SignedFindings]:
    write_findings(drafting, coordinator)
    findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    findings_reopen(actor=chair, review_id=drafting.pk, reason="A late report from the GP.")
    write_findings(drafting, coordinator, learning="With the GP's report.")
    findings_sign_off(actor=chair, review_id=drafting.pk, read_hash=read_hash(drafting.pk))
    return list(SignedFindings.objects.order_by("id"))


def test_signed_versions_verify(two_versions):
    passed, output = verify_audit()

    assert passed, output
    assert f"{SIGNED}: OK: 2 rows" in output.splitlines()


def test_a_signed_version_rewritten_with_the_trigger_disabled_is_named(two_versions):
    first, second = two_versions

    tamper(
        SIGNED,
        f"UPDATE {SIGNED} SET content = jsonb_set(content, '{{learning}}', '\"Nothing\"') WHERE id = %s",
        [second.pk],
    )
    passed, output = verify_audit()

    assert not passed
    assert f"{SIGNED}: BROKEN at row id {second.pk}: its MAC does not match" in output
    assert f"The last row it can vouch for is id {first.pk} (row 1 of the chain)." in output
