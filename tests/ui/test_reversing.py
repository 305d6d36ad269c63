"""address_for_each gives, for every key, the address reverse() gives."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from ui.reversing import address_for_each


@pytest.mark.parametrize("name", ["reviews:entry_edit", "reviews:entry_delete"])
def test_every_key_gets_the_address_reverse_gives(name):
    address = address_for_each(name, "NSCP-2026-0042", 17)
    for pk in (1, 9, 10, 42, 987, 123456789, 2**40):
        assert address(pk) == reverse(name, args=["NSCP-2026-0042", 17, pk])
    assert address(5) != address(6)


def test_under_a_prefix_too():
    try:
        set_script_prefix("/safeguarding/")
        assert address_for_each("reviews:entry_edit", "NSCP-2026-0042", 17)(3) == reverse(
            "reviews:entry_edit", args=["NSCP-2026-0042", 17, 3]
        )
        assert address_for_each("reviews:entry_edit", "NSCP-2026-0042", 17)(3).startswith("/safeguarding/")
    finally:
        set_script_prefix("/")


def test_a_key_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        address_for_each("reviews:entry_edit", "NSCP-2026-0042", 17)("5/../../admin")
