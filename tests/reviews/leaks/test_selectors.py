"""The identity-leak check finds every form of a restricted identity in an outgoing text, across
line breaks and in any case, never flags a pseudonym, and shows each hit masked."""

from __future__ import annotations

import pytest

from reviews.selectors.leaks import fingerprint, leak_hits
from reviews.selectors.subjects import IdentityMatcher, identity_hits
from reviews.services.subjects import SubjectData, restricted_name_add, subject_add
from tests.reviews.leaks.conftest import FULL_NAME

pytestmark = pytest.mark.django_db

SOURCE = "report v1 §2 Background"


def _found(review, text: str) -> list[tuple[str, str, str]]:
    """(what, pseudonym, the words matched) of each hit in ``text``."""
    return [(hit.what, hit.pseudonym, text[hit.start : hit.end]) for hit in leak_hits(review, {SOURCE: text})]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Child K's names: whole, first name alone, surname, each half of the hyphenated surname.
        ("The report was read to Oliver Bramwell-Tate's family.", ("real name", "Child K", FULL_NAME)),
        ("Oliver was not seen at school.", ("first name", "Child K", "Oliver")),
        ("Oliver's nursery place ended.", ("first name", "Child K", "Oliver")),  # possessive: the name
        ("The Bramwell-Tate household moved.", ("surname", "Child K", "Bramwell-Tate")),
        ("Mr Tate did not attend.", ("surname", "Child K", "Tate")),
        # The NHS number, plain, spaced and dashed.
        ("NHS number 9434765919 on the referral.", ("NHS number", "Child K", "9434765919")),
        ("NHS number 943 476 5919 on the referral.", ("NHS number", "Child K", "943 476 5919")),
        ("NHS number 943-476-5919 on the referral.", ("NHS number", "Child K", "943-476-5919")),
        # Child A's date of birth, 5 January 2024, in the forms people write it.
        ("She was born on 5 January 2024 at home.", ("date of birth", "Child A", "5 January 2024")),
        ("She was born on 5 Jan 2024 at home.", ("date of birth", "Child A", "5 Jan 2024")),
        ("She was born on 5th January 2024 at home.", ("date of birth", "Child A", "5th January 2024")),
        ("She was born on January 5, 2024 at home.", ("date of birth", "Child A", "January 5, 2024")),
        ("DOB 05/01/2024.", ("date of birth", "Child A", "05/01/2024")),
        ("DOB 5/1/24.", ("date of birth", "Child A", "5/1/24")),
        ("DOB 5.1.2024.", ("date of birth", "Child A", "5.1.2024")),
        ("DOB 2024-01-05.", ("date of birth", "Child A", "2024-01-05")),
        # Child K's, 21 November 2023, with a two-digit day and month.
        ("Born 21/11/2023 at Northbridge General.", ("date of birth", "Child K", "21/11/2023")),
        # The address: a numbered line, the postcode with and without its space.
        ("The family lived at 27 Tanners Yard until May.", ("address", "Child K", "27 Tanners Yard")),
        ("The family lived in Flat 3 until May.", ("address", "Child K", "Flat 3")),
        ("Visits to NB7 5LD stopped.", ("postcode", "Child K", "NB7 5LD")),
        ("Visits to NB75LD stopped.", ("postcode", "Child K", "NB75LD")),
        # The setting's real name, whole and without its generic words.
        (
            "Staff at Little Acorns Day Nursery raised no concern.",
            ("setting's real name", "Nursery Z", "Little Acorns Day Nursery"),
        ),
        ("Staff at Little Acorns raised no concern.", ("setting's real name", "Nursery Z", "Little Acorns")),
        # The alleged perpetrator's real name, whole, first name and surname.
        ("Kevin Marsh was suspended.", ("perpetrator's real name", "K", "Kevin Marsh")),
        ("Kevin was suspended.", ("perpetrator's first name", "K", "Kevin")),
        ("Mr Marsh was suspended.", ("perpetrator's surname", "K", "Marsh")),
    ],
)
def test_each_form_of_an_identity_is_caught_with_the_pseudonym_to_use(identified, text, expected):
    assert _found(identified, text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("read to Oliver\nBramwell-Tate on the ward", ("real name", "Child K", "Oliver\nBramwell-Tate")),
        ("NHS number 943\n476 5919", ("NHS number", "Child K", "943\n476 5919")),
        ("born on 5\nJanuary 2024", ("date of birth", "Child A", "5\nJanuary 2024")),
        ("lived at 27 Tanners\r\nYard", ("address", "Child K", "27 Tanners\r\nYard")),
        ("visits to NB7\n5LD", ("postcode", "Child K", "NB7\n5LD")),
        ("staff at Little Acorns Day\nNursery", ("setting's real name", "Nursery Z", "Little Acorns Day\nNursery")),
        ("Kevin\nMarsh was suspended", ("perpetrator's real name", "K", "Kevin\nMarsh")),
    ],
)
def test_an_identity_split_across_a_line_break_is_caught(identified, text, expected):
    assert _found(identified, text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OLIVER BRAMWELL-TATE", ("real name", "Child K", "OLIVER BRAMWELL-TATE")),
        ("oliver bramwell-tate", ("real name", "Child K", "oliver bramwell-tate")),
        ("seen with oliver", ("first name", "Child K", "oliver")),
        ("born 5 JANUARY 2024", ("date of birth", "Child A", "5 JANUARY 2024")),
        ("born 5 jan 2024", ("date of birth", "Child A", "5 jan 2024")),
        ("at 27 TANNERS YARD", ("address", "Child K", "27 TANNERS YARD")),
        ("at nb7 5ld", ("postcode", "Child K", "nb7 5ld")),
        ("at LITTLE ACORNS DAY NURSERY", ("setting's real name", "Nursery Z", "LITTLE ACORNS DAY NURSERY")),
        ("MR MARSH", ("perpetrator's surname", "K", "MARSH")),
    ],
)
def test_an_identity_in_another_case_is_caught(identified, text, expected):
    assert _found(identified, text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        # The pseudonyms themselves, in any case, across a line break.
        "Child K and Child A were seen by K at Nursery Z.",
        "CHILD K was collected from NURSERY\nZ by k.",
        # Near misses: another date, another number, a longer word, another postcode.
        "Seen on 15 January 2024, 5 January 2023, 05/01/2025, 25/1/24 and 2024-01-15.",
        "Seen on 01/05/2024 (the first of May).",
        "Reference 9434765918, and 94347659190 is longer.",
        "The Olivers and Mr Oliverson were neighbours.",  # a name that contains the first name
        "The acorns fell; the little ones played.",  # a word of the setting's name alone
        "She may have walked by the marsh.",  # everyday words that are also names, in lower case
        "Seen in Flat 31 at 127 Tanners Yard, NB7 5LE.",
        "She lives in Millbrook.",  # a town alone is not the address
        "The child was seen at a day nursery.",
    ],
)
def test_pseudonyms_and_near_misses_are_not_flagged(identified, text):
    assert _found(identified, text) == []


def test_a_real_name_part_inside_a_pseudonym_is_not_flagged(review, coordinator):
    """A mother whose surname is Child: "Child A" is a pseudonym, "Mrs Child" is her name, "the
    child" an everyday word."""
    from reviews.services.subjects import SubjectData, subject_add

    subject_add(
        actor=coordinator, review_id=review.pk, data=SubjectData(pseudonym="Mother M", full_name="Harriet Child")
    )
    assert _found(review, "Child A was with the child and Mother M.") == []
    assert _found(review, "Mrs Child brought Child A.") == [("surname", "Mother M", "Child")]


def test_a_whole_name_is_one_hit_not_also_its_parts(identified):
    hits = leak_hits(identified, {SOURCE: "Oliver Bramwell-Tate and Oliver"})
    assert [(hit.what, hit.start, hit.end) for hit in hits] == [("real name", 0, 20), ("first name", 25, 31)]


def test_the_context_masks_every_identity_in_it(identified):
    text = (
        "Background. The health visitor saw Oliver Bramwell-Tate, NHS number 943 476 5919, "
        "at 27 Tanners Yard on a home visit; nothing was noted."
    )
    hits = leak_hits(identified, {SOURCE: text})
    assert [hit.what for hit in hits] == ["real name", "NHS number", "address"]
    # The name is at 35-55, the number at 68-80, the address at 85-100 of 136 characters. The
    # name's window is 0-95, widened to 100 so the address it cuts into is masked whole; the
    # number's is 28-120.
    assert hits[0].context == "Background. The health visitor saw [name], NHS number [NHS number], at [address]…"
    assert hits[1].context == "…or saw [name], NHS number [NHS number], at [address] on a home visit; no…"
    for hit in hits:
        for secret in ("Oliver", "Bramwell", "943", "5919", "Tanners"):
            assert secret not in hit.context
        assert hit.source == SOURCE
        assert hit.message == f"The {hit.what} of Child K: write “Child K” instead."


def test_the_fingerprint_is_keyed_stable_and_holds_no_identity(identified):
    """The same identity in the same place, written with other spacing or case, is the same hit;
    in another text, another hit."""
    first = leak_hits(identified, {SOURCE: "Seen: Oliver Bramwell-Tate."})[0]
    again = leak_hits(identified, {SOURCE: "Later seen again by OLIVER  bramwell-tate."})[0]
    elsewhere = leak_hits(identified, {"panel papers": "Seen: Oliver Bramwell-Tate."})[0]
    assert first.fingerprint == again.fingerprint != elsewhere.fingerprint
    assert len(first.fingerprint) == 64
    assert first.fingerprint == fingerprint(SOURCE, "real name", "Child K", "oliver bramwell tate")
    # Keyed: the plain SHA-256 of what it covers is something else.
    import hashlib

    plain = hashlib.sha256("\x1f".join((SOURCE, "real name", "Child K", "oliverbramwelltate")).encode()).hexdigest()
    assert first.fingerprint != plain


def test_a_review_without_identities_has_no_hits(review):
    review.subjects.all().delete()
    assert leak_hits(review, {SOURCE: "Oliver Bramwell-Tate, 943 476 5919, 5 January 2024"}) == []


def test_a_one_word_name_that_is_an_everyday_word_counts_only_with_its_capital(review, coordinator):
    """An alleged perpetrator known only as "Will": "the panel will meet" is no hit, "Will said" is."""
    restricted_name_add(actor=coordinator, review_id=review.pk, pseudonym="P", real_name="Will", what="perpetrator")
    matcher = IdentityMatcher([review.pk])
    assert matcher.matches("The panel will meet on Monday.") == []
    assert [m.pattern.pseudonym for m in matcher.matches("Will said he had left.")] == ["P"]


def test_words_that_are_several_peoples_are_reported_for_each(review, coordinator):
    """Siblings share a surname: "Mr Smith" names both, each with the pseudonym to use."""
    for pseudonym, name in (("Child B", "Lily Smith"), ("Child C", "Tom Smith")):
        subject_add(actor=coordinator, review_id=review.pk, data=SubjectData(pseudonym=pseudonym, full_name=name))
    hits = identity_hits({"note": "Mr Smith visited."}, review_ids=[review.pk])
    assert sorted(hit.pseudonym for hit in hits) == ["Child B", "Child C"]
