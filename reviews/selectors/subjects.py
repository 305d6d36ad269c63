"""Restricted identities typed into free text: the one matcher every check runs.

Panel papers, chronologies, findings and published reports use pseudonyms ("Child A", "Nursery Z",
"K"); a real name, NHS number, date of birth or address typed into any of them would travel
wherever the text goes. Two checks ask this one matcher:

- each save of free text (``identity_hits``): a hit is a warning naming the field and the pseudonym
  to use, never the identity itself (the writer may not be allowed to read it). The writer can save
  anyway, which is audited by the caller;
- the identity-leak check of everything that leaves (reviews/selectors/leaks.py), which reads where
  each identity is (``IdentityMatcher.matches``) to show it in context.

What is looked for (docs/SECURITY.md, "Identity-leak check"):
- a subject's real name: the whole name, and each part of it on its own (a first name alone, a
  surname, each half of a hyphenated name), whole words only, any case, across line breaks. A part
  that is also an everyday word ("May", "Rose", "Brown") only when written with a capital, so "she
  may have" is not a name;
- the NHS number, however its digits are grouped or spaced ("943 476 5919", "943-476-5919");
- the date of birth in the forms people write it: "5 January 2025", "5th Jan 2025", "January 5,
  2025", "05/01/2025", "5/1/25", "5.1.2025", "2025-01-05" (a day and month without a year is not
  looked for: it matches too many other dates);
- the lines of the address with a number in them ("Flat 3", "27 Tanners Yard") and its postcode,
  with or without the space;
- the real names of a setting and of alleged perpetrators (``RestrictedName``): a setting by its
  whole name and that name without its generic words ("Little Acorns" of "Little Acorns Day
  Nursery"), a person as a subject's name is.

A match inside a pseudonym is never a hit ("Child" of a real name "Zara Child" in "Child A").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from reviews.models import Subject
from reviews.models.subjects import RestrictedName

# Name parts shorter than this match too much ordinary text ("Al", "Jo") to be worth a warning.
SHORTEST_NAME_PART = 3
# A UK postcode: outward code, optional space, inward code.
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)

# Names that are also everyday words (and months and days): matched only with a capital letter.
_EVERYDAY_WORDS = """
    april may june august sunday monday tuesday wednesday thursday friday saturday amber angel bay
    bell berry bill bishop black bloom blossom brook brown bush butcher carter chance charity child
    cook crystal dale dawn day dean destiny diamond dove faith fisher fox frank gay gold grace green
    grey hall harmony hart hazel heath hill holly honey hope hunter iris ivy jack jade jasper jet
    joy judge king knight lake lane lark law lily long love lucky major march marsh mark mason
    meadow miles mill moon more moss nice north page park parker patience penny piper poppy price
    pride queen rain rich river robin rock rose ruby rush sage savage say scarlett shepherd short
    sky small smith snow sparrow spring star steel stone storm summer sunny swan tanner taylor terry
    violet walker ward warden wells west white will winter wolf wood woods wren young
"""
EVERYDAY_WORDS = frozenset(_EVERYDAY_WORDS.split())
# Words a setting's name shares with every other setting: its distinctive part is what remains.
_SETTING_WORDS = """
    the and of st day nursery nurseries preschool pre-school school schools primary infant infants
    junior juniors academy college centre center children's childrens kids club care home homes
    house ltd limited llp plc cic trust group foundation montessori playgroup kindergarten creche
    crèche early years childcare
"""
SETTING_WORDS = frozenset(_SETTING_WORDS.split())

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


@dataclass(frozen=True)
class IdentityHit:
    field: str
    pseudonym: str
    what: str  # "real name", "NHS number", "date of birth", "address"

    @property
    def message(self) -> str:
        return f"This looks like the {self.what} of {self.pseudonym}: use “{self.pseudonym}” instead."


@dataclass(frozen=True)
class IdentityPattern:
    pseudonym: str
    # What it is, as the leak check names it: "real name", "first name", "surname", "NHS number",
    # "date of birth", "address", "postcode", "setting's real name", "perpetrator's real name" ...
    what: str
    # The kind the free-text warning names (one warning per field, subject and kind): "real name",
    # "NHS number", "date of birth" or "address".
    kind: str
    regex: re.Pattern[str]
    # Words every match contains, lower case: a text without it is not searched (a str.find is a
    # hundred times cheaper than a regex over a long chronology). Empty: always searched.
    needle: str = ""


@dataclass(frozen=True)
class IdentityMatch:
    pattern: IdentityPattern
    start: int
    end: int


def _words(text: str, *, capitalised: bool = False) -> re.Pattern[str]:
    """``text`` as whole words, any run of spaces (a line break included) between its words; any
    case, or if ``capitalised``, only as a name is written (Rose, ROSE; not rose)."""
    parts = [re.escape(part) for part in text.split()]
    body = r"\s+".join(parts)
    if capitalised:
        # Case-sensitive: the word with its first letter upper case, or all in capitals.
        first, rest = text[:1], text[1:]
        body = "(?:" + re.escape(first.upper() + rest.lower()) + "|" + re.escape(text.upper()) + ")"
        return re.compile(r"(?<!\w)" + body + r"(?!\w)")
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)


def _needle(words: str) -> str:
    """The longest word of ``words``, lower case: the most selective to look for first."""
    return max(words.split(), key=len, default="").lower()


def _nhs_number(digits: str) -> re.Pattern[str]:
    # Written as 9434765919, 943 476 5919, 943-476-5919, or grouped some other way.
    return re.compile(r"(?<!\d)" + r"[ \t\r\n-]{0,3}".join(digits) + r"(?!\d)")


def _date_of_birth(born: date) -> re.Pattern[str]:
    """The date as people write it, with the year (four digits, or two in the numeric forms)."""
    day = rf"0?{born.day}" if born.day < 10 else str(born.day)
    month_number = rf"0?{born.month}" if born.month < 10 else str(born.month)
    name = MONTHS[born.month - 1]
    # Full, three-letter or "Sept"; an abbreviation may end with a full stop.
    month_name = rf"(?:{name}|{name[:3]}\.?" + (r"|sept\.?" if born.month == 9 else "") + ")"
    ordinal = r"(?:st|nd|rd|th)?"
    year = str(born.year)
    short_year = rf"(?:{year}|{year[2:]})"
    forms = [
        rf"{day}{ordinal}\s+(?:of\s+)?{month_name},?\s+{year}",  # 5 January 2025, 5th of Jan 2025
        rf"{month_name}\s+{day}{ordinal},?\s+{year}",  # January 5, 2025
        rf"{day}\s*([/.-])\s*{month_number}\s*\1\s*{short_year}",  # 05/01/2025, 5/1/25, 5.1.2025
        rf"{year}\s*([/.-])\s*{month_number}\s*\2\s*{day}",  # 2025-01-05
    ]
    return re.compile(r"(?<![\w/.-])(?:" + "|".join(forms) + r")(?![\w/]|[.-]\d)", re.IGNORECASE)


def _name_parts(full_name: str) -> list[str]:
    """The parts of a name worth looking for alone: each word, and each half of a hyphenated one."""
    parts: list[str] = []
    for word in re.split(r"[\s,]+", full_name.strip()):
        word = word.strip(".'’()")
        pieces = [word, *word.split("-")] if "-" in word else [word]
        parts.extend(piece for piece in pieces if len(piece) >= SHORTEST_NAME_PART and piece not in parts)
    return parts


def _person(pseudonym: str, full_name: str, whose: str = "") -> list[IdentityPattern]:
    """A person's whole name ("real name") and its parts (first name, surname, middle name)."""
    if not full_name.strip():
        return []
    words = [word for word in re.split(r"[\s,]+", full_name.strip()) if word]
    # A one-word name that is also an everyday word ("Will", "Hope") counts only with its capital.
    everyday_name = len(words) == 1 and full_name.strip().lower() in EVERYDAY_WORDS
    whole = _words(full_name, capitalised=everyday_name)
    patterns = [IdentityPattern(pseudonym, f"{whose}real name", "real name", whole, _needle(full_name))]
    for part in _name_parts(full_name):
        if part == full_name.strip():
            continue
        position = next((i for i, word in enumerate(words) if part == word or part in word.split("-")), 0)
        what = "first name" if position == 0 else "surname" if position == len(words) - 1 else "middle name"
        everyday = part.lower() in EVERYDAY_WORDS
        patterns.append(
            IdentityPattern(pseudonym, f"{whose}{what}", "real name", _words(part, capitalised=everyday), _needle(part))
        )
    return patterns


def _setting(pseudonym: str, real_name: str) -> list[IdentityPattern]:
    """A setting by its whole name, and by what is left without its generic words."""
    one_word = len(real_name.split()) == 1 and real_name.strip().lower() in EVERYDAY_WORDS
    whole = _words(real_name, capitalised=one_word)
    patterns = [IdentityPattern(pseudonym, "setting's real name", "real name", whole, _needle(real_name))]
    words = real_name.split()
    distinctive = [word for word in words if word.lower().strip(".,'’") not in SETTING_WORDS]
    core = " ".join(distinctive)
    if distinctive and len(core) >= SHORTEST_NAME_PART and core != real_name.strip():
        everyday = len(distinctive) == 1 and core.lower() in EVERYDAY_WORDS
        patterns.append(
            IdentityPattern(
                pseudonym, "setting's real name", "real name", _words(core, capitalised=everyday), _needle(core)
            )
        )
    return patterns


def _address(pseudonym: str, address: str) -> list[IdentityPattern]:
    patterns = []
    # The lines with a number in them ("Flat 3", "27 Tanners Yard"): a town alone is not an address.
    for line in re.split(r"[\n,]", address):
        line = POSTCODE.sub("", line).strip()
        if any(char.isdigit() for char in line):
            patterns.append(IdentityPattern(pseudonym, "address", "address", _words(line), _needle(line)))
    for postcode in POSTCODE.findall(address):
        compact = re.sub(r"\s+", "", postcode)
        outward, inward = compact[:-3], compact[-3:]
        regex = re.compile(rf"(?<![A-Za-z0-9]){re.escape(outward)}\s*{re.escape(inward)}(?![A-Za-z0-9])", re.IGNORECASE)
        patterns.append(IdentityPattern(pseudonym, "postcode", "address", regex, outward.lower()))
    return patterns


def _subject_patterns(subject: Subject) -> list[IdentityPattern]:
    pseudonym = subject.pseudonym
    patterns: list[IdentityPattern] = []
    identity = getattr(subject, "identity", None)
    if identity is not None:
        patterns.extend(_person(pseudonym, identity.full_name))
        if identity.nhs_number:
            patterns.append(IdentityPattern(pseudonym, "NHS number", "NHS number", _nhs_number(identity.nhs_number)))
        patterns.extend(_address(pseudonym, identity.address))
    if subject.date_of_birth:
        patterns.append(
            IdentityPattern(
                pseudonym,
                "date of birth",
                "date of birth",
                _date_of_birth(subject.date_of_birth),
                # Every form ends or starts with the year, in full or its last two digits.
                str(subject.date_of_birth.year)[2:],
            )
        )
    return patterns


def _restricted_name_patterns(name: RestrictedName) -> list[IdentityPattern]:
    if name.what == RestrictedName.What.SETTING:
        return _setting(name.pseudonym, name.real_name)
    return _person(name.pseudonym, name.real_name, whose="perpetrator's ")


def review_subjects(review_ids: Iterable[int]) -> list[Subject]:
    """The subjects of the reviews with their restricted identities: one query."""
    return list(Subject.objects.filter(review_id__in=list(review_ids)).select_related("identity"))


def review_restricted_names(review_ids: Iterable[int]) -> list[RestrictedName]:
    """The real names of settings and alleged perpetrators recorded on the reviews: one query."""
    return list(RestrictedName.objects.filter(review_id__in=list(review_ids)))


class IdentityMatcher:
    """The identities of some reviews, read (two queries) and compiled once, to check many texts
    (an import's rows, every outgoing text of a review) without a query or a compilation each."""

    def __init__(self, review_ids: Iterable[int]) -> None:
        review_ids = list(review_ids)
        subjects = review_subjects(review_ids)
        names = review_restricted_names(review_ids)
        self.patterns: list[IdentityPattern] = []
        for subject in subjects:
            self.patterns.extend(_subject_patterns(subject))
        for name in names:
            self.patterns.extend(_restricted_name_patterns(name))
        pseudonyms = {subject.pseudonym for subject in subjects} | {name.pseudonym for name in names}
        self.pseudonyms = [_words(pseudonym) for pseudonym in sorted(pseudonyms) if pseudonym.strip()]

    def matches(self, text: str) -> list[IdentityMatch]:
        """Where each identity is in ``text``, in order: the longest match where several overlap
        (a whole name, not also its first name), none inside a pseudonym. Matches of exactly the same
        words all stay: "Smith" is the surname of every Smith recorded, each named in the warning."""
        if not text or not self.patterns:
            return []
        lowered = text.lower()
        found = [
            IdentityMatch(pattern, match.start(), match.end())
            for pattern in self.patterns
            if pattern.needle in lowered
            for match in pattern.regex.finditer(text)
        ]
        if not found:
            return []
        masks = [(m.start(), m.end()) for regex in self.pseudonyms for m in regex.finditer(text)]
        found = [hit for hit in found if not any(start <= hit.start and hit.end <= end for start, end in masks)]
        found.sort(key=lambda hit: (hit.start, hit.start - hit.end))
        kept: list[IdentityMatch] = []
        for hit in found:
            if kept and hit.start < kept[-1].end:
                last = kept[-1]
                if (hit.start, hit.end) == (last.start, last.end):
                    kept.append(hit)  # the same words, another person's (siblings' surname)
                continue  # inside (or across) one already kept
            kept.append(hit)
        return kept

    def hits(self, texts: Mapping[str, str]) -> list[IdentityHit]:
        found: dict[IdentityHit, None] = {}  # in order, each once
        for field, text in texts.items():
            for match in self.matches(text):
                found[IdentityHit(field=field, pseudonym=match.pattern.pseudonym, what=match.pattern.kind)] = None
        return list(found)


def identity_hits(texts: Mapping[str, str], *, review_ids: Iterable[int]) -> list[IdentityHit]:
    """Each field of ``texts`` (field name -> text about to be saved) that holds a real name, NHS
    number, date of birth or address of a subject of these reviews (the review written about, or
    every review on a panel's agenda), or the real name of a setting or alleged perpetrator recorded
    on them: once per field, person and kind of identity."""
    return IdentityMatcher(review_ids).hits(texts)
