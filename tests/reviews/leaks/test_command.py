"""`manage.py leak_check REFERENCE`: one line per identity not overridden, exit 1 if any, 0 if none,
2 for an unknown reference; never an identity in its output."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from reviews.selectors.leaks import unresolved_hits
from reviews.services.leaks import leak_override
from tests.reviews.builders import write_findings

ROOT = Path(__file__).resolve().parents[3]


def _run(reference: str) -> subprocess.CompletedProcess[str]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return subprocess.run(
        [sys.executable, "manage.py", "leak_check", reference],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_hits_are_printed_masked_and_exit_1(identified, drafting, coordinator, chair):
    write_findings(drafting, coordinator, findings="Oliver Bramwell-Tate was known to the school.", learning="None.")
    out = StringIO()
    # Three texts go out: the review's title, the findings and the learning.
    with pytest.raises(CommandError) as error:
        call_command("leak_check", identified.reference, stdout=out)
    assert error.value.returncode == 1
    assert str(error.value) == (
        "1 identity found in 3 outgoing texts of NSCP-RR-2026-001: write the pseudonym, or ask the chair to override."
    )
    assert out.getvalue() == (
        "findings: What the review found | real name of Child K | [name] was known to the school. | write “Child K”\n"
    )
    # Overridden by the chair, it no longer counts.
    hit = unresolved_hits(identified)[0]
    leak_override(actor=chair, review_id=identified.pk, fingerprint=hit.fingerprint, reason="Named in court.")
    out = StringIO()
    call_command("leak_check", identified.reference, stdout=out)
    assert out.getvalue() == "No identity found in 3 outgoing texts. (1 overridden by the chair)\n"


@pytest.mark.django_db
def test_no_hit_exits_0(identified, drafting, coordinator):
    write_findings(drafting, coordinator)  # the builder's findings and learning: pseudonymised
    out = StringIO()
    call_command("leak_check", identified.reference, stdout=out)
    # The review's title, the findings and the learning.
    assert out.getvalue() == "No identity found in 3 outgoing texts.\n"


@pytest.mark.django_db
def test_an_unknown_reference_exits_2():
    with pytest.raises(CommandError) as error:
        call_command("leak_check", "NSCP-RR-2099-999")
    assert error.value.returncode == 2
    assert str(error.value) == "No review with the reference NSCP-RR-2099-999."


@pytest.mark.django_db(transaction=True)
def test_the_exit_codes_from_a_terminal(identified, drafting, coordinator):
    unknown = _run("NSCP-RR-2099-999")
    assert unknown.returncode == 2, unknown.stderr
    assert "No review with the reference NSCP-RR-2099-999." in unknown.stderr

    clean = _run(identified.reference)
    assert (clean.returncode, clean.stdout) == (0, "No identity found in 1 outgoing text.\n"), clean.stderr

    write_findings(drafting, coordinator, findings="Seen at 27 Tanners Yard, NB7 5LD.", learning="None.")
    found = _run(identified.reference)
    assert found.returncode == 1, found.stderr
    assert found.stdout.splitlines() == [
        "findings: What the review found | address of Child K | Seen at [address], [postcode]. | write “Child K”",
        "findings: What the review found | postcode of Child K | Seen at [address], [postcode]. | write “Child K”",
    ]
    assert "2 identities found in 3 outgoing texts" in found.stderr
    assert "Tanners" not in found.stdout + found.stderr
