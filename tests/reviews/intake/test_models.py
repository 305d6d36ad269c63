"""Postcodes and the prefixes a partnership covers (reviews/models/intake.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reviews.models import PostcodeArea
from reviews.models.intake import normalise_postcode, postcode_prefixes


@pytest.mark.parametrize(
    ("typed", "prefixes"),
    [
        ("nb3 7qt", ["NB3", "NB"]),
        ("NB37QT", ["NB3", "NB"]),
        ("SW1A 1AA", ["SW1A", "SW"]),
        ("M1 1AE", ["M1", "M"]),
        ("B33 8TH", ["B33", "B"]),
        ("not a postcode", []),
        ("NB3", []),
    ],
)
def test_the_prefixes_that_would_cover_a_postcode(typed, prefixes):
    assert postcode_prefixes(typed) == prefixes


def test_postcodes_are_written_one_way():
    assert normalise_postcode("  sw1a   1aa ") == "SW1A 1AA"
    assert normalise_postcode("SW1A 1A") == ""


@pytest.mark.parametrize("prefix", ["NB", "nb3", "SW1A", "M"])
def test_a_prefix_is_an_area_or_a_district(prefix):
    area = PostcodeArea(prefix=prefix)
    area.clean()
    assert area.prefix == prefix.upper()


@pytest.mark.parametrize("prefix", ["3NB", "NB 3", "NBX3", ""])
def test_anything_else_is_refused_with_the_reason(prefix):
    with pytest.raises(ValidationError) as refused:
        PostcodeArea(prefix=prefix).clean()
    assert refused.value.message_dict["prefix"] == ["Enter a postcode area (e.g. NB) or district (e.g. NB3)."]
