"""Two partnerships' postcode areas and intake contacts: Northbridge (NB, and the one district
SM9 of Southmere's area) and Southmere (SM)."""

from __future__ import annotations

import pytest

from reviews.models import IntakeContact, PostcodeArea


@pytest.fixture
def areas(partnership, other_partnership):
    for prefix, owner in (("NB", partnership), ("SM", other_partnership), ("SM9", partnership)):
        PostcodeArea.objects.create(prefix=prefix, partnership=owner)
    IntakeContact.objects.create(partnership=partnership, email="cdop@northbridge.example.org", phone="01632 960 000")
    IntakeContact.objects.create(partnership=other_partnership, email="cdop@southmere.example.org")
    return partnership, other_partnership
