"""Screening audit notes for details that could identify a child.

A case-file audit note should be about the audit ("case 7: review late after move"), never
about the child: under UK GDPR a note that names a child, or gives their date of birth, is
their personal data, shown to everyone who can see the audit and kept for years.
:func:`screen_note` finds what looks like a personal identifier, so the bot can refuse the
note with a private explanation (:func:`explain`) unless the auditor has checked it
(``--checked``).

What counts as likely (each rule is in one function below):

* a date of birth: a date next to "DOB", "d.o.b.", "born", "date of birth" or "birthday";
* an age: "aged 15", "age 15", "15 years old", "15-year-old", "15yo", or a name with an age
  ("Jane, 15", "Jane (15)");
* a Police National Computer number: ``2008/0123456A``, ``08/123456A``, or "PNC" and a
  number;
* a case, CMS or ChildView reference: "CMS 123456", "case ref AB1234567", "ChildView
  12345", letters then six or more digits (``AB1234567``, also the shape of a National
  Insurance number), or any number of six or more digits;
* an NHS number: ten digits, optionally spaced 3-3-4, whose mod-11 check digit is right (or
  any ten digits after "NHS");
* a UK postcode (``TS18 1AA``), a UK phone number (``07700 900123``, ``01642 123456``,
  ``+44 7700 900123``) and an email address;
* a name: two capitalised words next to "DOB", "aged", "YP", "CYP", "young person" or
  "child" ("YP John Smith", "Jane Doe DOB ...").

Audit notes are full of numbers and dates that are not personal ("17 of 20 reviewed on
time", "R1 audit for March", "2 reviews late due to staff sickness", "audited 2014-02-20"),
so a rule needs context (a keyword next to it) or a shape that audit figures never have.

Design: standard library only, and linear in the length of the text. The text is split once
into words (one regular expression with a single quantifier); each rule then looks at each
word and a fixed number of its neighbours, with string operations bounded by the word's
length. Words longer than :data:`MAX_WORD` characters are never identifiers and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "date_of_birth",
    "age",
    "pnc",
    "case_reference",
    "nhs_number",
    "postcode",
    "phone",
    "email",
    "name",
]

SAFE_EXAMPLE = "case 7: review late after move"
MAX_WORD = 254  # the longest email address; no identifier is longer
_SHOWN = 24  # characters of a finding kept (redacted) for the explanation

REASONS: dict[Kind, str] = {
    "date_of_birth": "a date of birth",
    "age": "a child's age",
    "pnc": "a Police National Computer (PNC) number",
    "case_reference": "a case, CMS or ChildView reference number",
    "nhs_number": "an NHS number",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
    "name": "a person's name",
}


_OVERLAPPING: frozenset[Kind] = frozenset({"name", "age"})


@dataclass(frozen=True)
class Finding:
    """A likely personal identifier: what kind, the text found (redacted), and why."""

    kind: Kind
    text: str  # shortened and redacted: "J••• S••••", never the identifier itself
    reason: str  # plain English: "looks like a date of birth (a date next to 'DOB')"


# --- words -------------------------------------------------------------------------------------

# A word is a run of anything but spaces and the punctuation that separates words; what came
# between two words (a comma, a bracket) is kept as the gap before the second.
_WORD = re.compile(r"[^\s,;:()\[\]{}<>\"“”|]+")
_QUOTES = "'\u2018\u2019"  # straight and curly apostrophes
_EDGE = ".!?*_~" + _QUOTES


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    raw: str
    core: str  # without sentence punctuation at either end
    lower: str
    gap: str  # the text between the previous word and this one (at most 8 characters)


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        raw = match.group()
        gap = text[previous_end:start] if start - previous_end <= 8 else " " * 9
        previous_end = end
        if len(raw) > MAX_WORD:
            words.append(_Word(start, end, "", "", "", gap))
            continue
        core = raw.strip(_EDGE)
        words.append(_Word(start, end, raw, core, core.lower(), gap))
    return words


# --- vocabulary --------------------------------------------------------------------------------


def _vocabulary(*words: str) -> frozenset[str]:
    return frozenset(" ".join(words).split())


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ORDINALS = ("st", "nd", "rd", "th")
_BIRTH_WORDS = frozenset({"dob", "d.o.b", "birth", "born", "birthday", "b'day", "bday"})
_DATE_FILLERS = frozenset({"on", "is", "was", "the", "of", "-", "\u2013", "date", "dated"})
_AGE_WORDS = frozenset({"aged", "age"})
_YEARS_WORDS = frozenset({"years", "year", "yrs", "yr"})
_YO_WORDS = frozenset({"yo", "y/o", "y.o"})
_PERSON_WORDS = frozenset({"yp", "cyp", "child", "dob", "d.o.b", "aged"})
_NAME_FILLERS = frozenset({"is", "was", "called", "named", "name", "-", "\u2013"})
_REF_WORDS = frozenset({"cms", "childview", "cv", "ref", "reference", "urn", "id", "crn"})
_REF_FILLERS = frozenset({"ref", "reference", "no", "number", "num", "id", "#", "nr"})
_NOT_AGE_AFTER = frozenset(
    {
        "of",
        "out",
        "cases",
        "case",
        "files",
        "file",
        "reviews",
        "review",
        "per",
        "percent",
        "audited",
        "compliant",
        "reviewed",
        "days",
        "weeks",
        "months",
        "hours",
    }
)
# Capitalised words that are not names: what audit notes start sentences with, and the
# names of months, days, teams, plans and services.
_NOT_NAMES = frozenset(
    {
        *_MONTHS,
        *_vocabulary("monday tuesday wednesday thursday friday saturday sunday"),
        *_vocabulary(
            "a an and the this that these those it its he she they his her their them we our "
            "i you my your no not yes new old late early after before due with without on in "
            "at for from to of by as but or if so then when while was were is are has had "
            "have did does done will would should could may might must can also all any some "
            "each every both most more less next last first second third final only other "
            "same such very still just again"
        ),
        *_vocabulary(
            "audit audits audited auditor case cases file files review reviews reviewed plan "
            "plans planning team teams manager managers management board yos yot yjs service "
            "services court courts panel panels order orders report reports child children "
            "childrens young person people yp cyp dob aged age born staff sickness leave "
            "asset assetplus aim police social care health education school schools cms "
            "childview nhs pnc protection looked need needs exploitation criminal sexual "
            "safeguarding referral referrals intervention interventions officer officers "
            "worker workers practitioner practitioners placement placements home custody "
            "remand bail release licence youth rehabilitation justice resettlement risk "
            "harm safety wellbeing vulnerability assessment assessments contact contacts "
            "supervision appointment appointments visit visits missed attended seen moved "
            "placed recorded completed outstanding overdue sample samples quality standard "
            "standards target targets recommendation recommendations inspection hmip "
            "compliance compliant evidence action actions note notes update updates "
            "council borough county city district north south east west central unit "
            "partnership partner partners agency agencies victim victims mr mrs ms miss dr"
        ),
    }
)


# --- the screen --------------------------------------------------------------------------------


class _Screen:
    """One pass of every rule over the words of a note; a word claimed by one rule is not
    reported again by a later, less specific one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = _words(text)
        # The kinds already found in each word: a number found as a phone number is not
        # also a long number; a name or an age may overlap anything else.
        self.taken: list[set[Kind]] = [set() for _ in self.words]
        self.found: list[tuple[int, Finding]] = []

    def add(self, kind: Kind, first: int, last: int, why: str) -> None:
        for kinds in self.taken[first : last + 1]:
            if kind in kinds or (kind not in _OVERLAPPING and kinds - _OVERLAPPING):
                return
        for index in range(first, last + 1):
            self.taken[index].add(kind)
        start = self.words[first].start
        found = self.text[start : self.words[last].end]
        self.found.append(
            (start, Finding(kind, redact(found), f"looks like {REASONS[kind]} ({why})"))
        )

    def word(self, index: int) -> _Word | None:
        return self.words[index] if 0 <= index < len(self.words) else None

    def lower(self, index: int) -> str:
        word = self.word(index)
        return word.lower if word is not None else ""

    def run(self) -> list[Finding]:
        for rule in (
            self.emails,
            self.dates_of_birth,
            self.pnc_numbers,
            self.phones,
            self.nhs_numbers,
            self.references,
            self.postcodes,
            self.ages,
            self.names,
            self.long_numbers,
        ):
            rule()
        return [finding for _, finding in sorted(self.found, key=lambda pair: pair[0])]

    # --- email -----------------------------------------------------------------------------

    def emails(self) -> None:
        for index, word in enumerate(self.words):
            if "@" in word.core and _is_email(word.core):
                self.add("email", index, index, "an address with @ and a domain")

    # --- dates of birth --------------------------------------------------------------------

    def dates_of_birth(self) -> None:
        for index, word in enumerate(self.words):
            if word.lower not in _BIRTH_WORDS:
                continue
            why = f"a date next to '{'born' if word.lower == 'born' else word.core}'"
            # After the keyword ("DOB 01/03/2008", "born on the 1st of March 2008") ...
            start = index + 1
            while self.lower(start) in _DATE_FILLERS and start < index + 3:
                start += 1
            length = self.date_at(start)
            if length:
                self.add("date_of_birth", start, start + length - 1, why)
                continue
            # ... or just before it ("01/03/2008 (DOB)", "1 March 2008 - date of birth").
            end = index - 1
            while self.lower(end) in _DATE_FILLERS | {"date"} and end > index - 4:
                end -= 1
            found = self.date_ending_at(end)
            if found is not None:
                self.add("date_of_birth", found, end, why)

    def date_at(self, index: int) -> int:
        """How many words the date starting at ``index`` takes, or 0."""
        word = self.word(index)
        if word is None:
            return 0
        if _numeric_date(word.lower):
            return 1
        day = _day(word.lower)
        month = index + 2 if self.lower(index + 1) == "of" else index + 1
        if day and self.lower(month) in _MONTHS:  # 1 March [2008], 1st of March [2008]
            return month - index + (2 if _year(self.lower(month + 1)) else 1)
        if word.lower in _MONTHS and _day(self.lower(index + 1)):  # March 1 [2008]
            return 3 if _year(self.lower(index + 2)) else 2
        if word.lower in _MONTHS and _year(self.lower(index + 1)):  # March 2008
            return 2
        if len(word.lower) == 4 and _year(word.lower):  # born 2008
            return 1
        return 0

    def date_ending_at(self, end: int) -> int | None:
        """The first word of a date that ends at word ``end``, or None."""
        for start in range(end, end - 4, -1):
            if start >= 0 and self.date_at(start) == end - start + 1:
                return start
        return None

    # --- PNC numbers -----------------------------------------------------------------------

    def pnc_numbers(self) -> None:
        for index, word in enumerate(self.words):
            if _is_pnc(word.core):
                self.add("pnc", index, index, "the shape of a PNC number, year/number and letter")
            elif word.lower == "pnc":
                for after in range(index + 1, index + 4):
                    following = self.word(after)
                    if following is not None and _digits(following.core) >= 4:
                        self.add("pnc", index, after, "a number after 'PNC'")
                        break

    # --- phone numbers ---------------------------------------------------------------------

    def phones(self) -> None:
        index = 0
        while index < len(self.words):
            length = self.phone_at(index)
            if length:
                self.add("phone", index, index + length - 1, "a UK mobile or landline number")
                index += length
            else:
                index += 1

    def phone_at(self, index: int) -> int:
        """The number of words of the longest UK phone number starting at ``index``, or 0."""
        word = self.word(index)
        if word is None or not word.core.startswith(("+", "0", "(")):
            return 0
        digits = ""
        best = 0
        for length in range(1, 5):
            part = self.word(index + length - 1)
            if part is None or not _phone_chars(part.core):
                break
            if length > 1 and not _phone_gap(part.gap):
                break
            digits += "".join(c for c in part.core if c.isdigit())
            if _uk_phone(digits, international=word.core.startswith("+")):
                best = length
        return best

    # --- NHS numbers -----------------------------------------------------------------------

    def nhs_numbers(self) -> None:
        for index in range(len(self.words)):
            for length in (1, 3):
                digits = self.nhs_digits(index, length)
                if digits is None:
                    continue
                after_nhs = any(self.lower(i) == "nhs" for i in range(index - 3, index))
                if _nhs_valid(digits):
                    self.add(
                        "nhs_number",
                        index,
                        index + length - 1,
                        "ten digits with a valid check digit",
                    )
                elif after_nhs:
                    self.add("nhs_number", index, index + length - 1, "ten digits after 'NHS'")

    def nhs_digits(self, index: int, length: int) -> str | None:
        words = [self.word(i) for i in range(index, index + length)]
        parts = [w.core for w in words if w is not None]
        if len(parts) != length:
            return None
        if length == 1:
            digits = parts[0].replace("-", "").replace(" ", "")
            groups = parts[0].split("-")
            if len(groups) not in (1, 3) or (
                len(groups) == 3 and [len(g) for g in groups] != [3, 3, 4]
            ):
                return None
        else:
            if [len(p) for p in parts] != [3, 3, 4] or not all(
                _phone_gap(w.gap) for w in words[1:] if w is not None
            ):
                return None
            digits = "".join(parts)
        return digits if len(digits) == 10 and digits.isascii() and digits.isdigit() else None

    # --- case, CMS and ChildView references ------------------------------------------------

    def references(self) -> None:
        for index, word in enumerate(self.words):
            keyword, last = word.lower, index
            if keyword == "child" and self.lower(index + 1) == "view":
                keyword, last = "childview", index + 1
            if keyword in _REF_WORDS or keyword == "case":
                self.reference_after(index, last, keyword)
        for index, word in enumerate(self.words):
            if _letters_then_digits(word.core):
                self.add("case_reference", index, index, "letters followed by six or more digits")

    def reference_after(self, index: int, last: int, keyword: str) -> None:
        """A record number after the keyword at ``index`` to ``last``."""
        after = last + 1
        if keyword == "case" and self.lower(after) not in _REF_FILLERS:
            # "case 7" is how notes anonymise; "case 123456" is a record number.
            following = self.word(after)
            if following is not None and _reference_number(following.core, 5):
                self.add("case_reference", index, after, "a long number after 'case'")
            return
        while self.lower(after) in _REF_FILLERS and after < last + 3:
            after += 1
        following = self.word(after)
        if following is not None and _reference_number(following.core, 3):
            shown = "ChildView" if keyword == "childview" else self.words[index].core
            self.add("case_reference", index, after, f"a number after '{shown}'")

    # --- postcodes -------------------------------------------------------------------------

    def postcodes(self) -> None:
        for index, word in enumerate(self.words):
            following = self.word(index + 1)
            if (
                following is not None
                and following.gap == " "
                and _postcode(word.core, following.core)
            ):
                self.add("postcode", index, index + 1, "a UK postcode")
            elif 5 <= len(word.core) <= 7 and _postcode(word.core[:-3], word.core[-3:]):
                self.add("postcode", index, index, "a UK postcode")

    # --- ages ------------------------------------------------------------------------------

    def ages(self) -> None:
        for index, word in enumerate(self.words):
            lower = word.lower
            if (
                lower in _AGE_WORDS
                and _age(self.lower(index + 1))
                and self.lower(index + 2) not in _NOT_AGE_AFTER
            ):  # aged 15, but not "aged 15 days"
                self.add("age", index, index + 1, f"a number after '{word.core}'")
            elif _age_word(lower):  # 15yo, 15-year-old
                self.add("age", index, index, "an age in years")
            elif _age(lower) and (
                self.lower(index + 1) in _YO_WORDS
                or (self.lower(index + 1) in _YEARS_WORDS and self.lower(index + 2) == "old")
            ):  # 15 years old, 15 yo
                last = index + (1 if self.lower(index + 1) in _YO_WORDS else 2)
                self.add("age", index, last, "an age in years")
            elif _is_name(word.core):
                self.name_with_age(index)

    def name_with_age(self, index: int) -> None:
        """``Jane, 15`` or ``Jane (15)``: a name, then a child's age set apart."""
        following = self.word(index + 1)
        if following is None or not _age(following.raw, low=8, high=21):
            return
        gap = following.gap.strip()
        if gap not in (",", "(", "-", "\u2013"):
            return
        after = self.word(index + 2)
        if after is not None and (
            (after.gap == " " and after.lower in _NOT_AGE_AFTER)
            or after.gap.strip()[:1] in ("/", "%")
        ):
            return  # "Team B, 15 cases": a count, not an age
        self.add("age", index, index + 1, "a name with an age")

    # --- names -----------------------------------------------------------------------------

    def names(self) -> None:
        for index, word in enumerate(self.words):
            keyword = word.lower
            if keyword == "young" and self.lower(index + 1) in ("person", "people"):
                keyword, index = "young person", index + 1
            elif keyword not in _PERSON_WORDS:
                continue
            shown = word.core if keyword != "young person" else "young person"
            # After: "YP John Smith", "child: Jane Doe", "young person called John Smith".
            start = index + 1
            if self.lower(start) in _NAME_FILLERS:
                start += 1
            if self.name_pair(start):
                self.add("name", start, start + 1, f"a capitalised name next to '{shown}'")
                continue
            # Before: "John Smith DOB 01/03/2008", "Jane Doe, aged 15", "Jane Doe (YP)".
            first = index - (3 if keyword == "young person" else 2)
            if self.name_pair(first):
                self.add("name", first, first + 1, f"a capitalised name next to '{shown}'")

    def name_pair(self, index: int) -> bool:
        first, second = self.word(index), self.word(index + 1)
        return (
            first is not None
            and second is not None
            and second.gap == " "
            and _is_name(first.raw.rstrip(_QUOTES))
            and _is_name(second.core)
        )

    # --- long numbers ----------------------------------------------------------------------

    def long_numbers(self) -> None:
        for index, word in enumerate(self.words):
            if len(word.core) >= 6 and word.core.isascii() and word.core.isdigit():
                self.add("case_reference", index, index, "a number of six or more digits")


# --- word tests (each linear in the word) ------------------------------------------------------


def _digits(word: str) -> int:
    return sum(c.isdigit() for c in word)


def _is_email(word: str) -> bool:
    local, _, domain = word.rpartition("@")
    if not local or not domain or len(local) > 64 or "." not in domain:
        return False
    labels = domain.split(".")
    return all(label and all(c.isalnum() or c == "-" for c in label) for label in labels) and (
        labels[-1].isalpha() and len(labels[-1]) >= 2
    )


def _numeric_date(word: str) -> bool:
    """``2008-03-01``, ``01/03/2008``, ``1.3.08``: three numbers that make a calendar date."""
    for separator in "-/.":
        parts = word.split(separator)
        if len(parts) == 3:
            break
    else:
        return False
    if not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        return False
    first, second, third = (int(p) for p in parts)
    if len(parts[0]) == 4:  # year first
        return 1 <= second <= 12 and 1 <= third <= 31
    if len(parts[2]) not in (2, 4):
        return False
    return (1 <= first <= 31 and 1 <= second <= 12) or (1 <= first <= 12 and 1 <= second <= 31)


def _day(word: str) -> bool:
    for suffix in _ORDINALS:
        if word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word.isascii() and word.isdigit() and len(word) <= 2 and 1 <= int(word) <= 31


def _year(word: str) -> bool:
    word = word.rstrip(",.")
    if not (word.isascii() and word.isdigit()):
        return False
    if len(word) == 2:
        return True
    return len(word) == 4 and 1990 <= int(word) <= 2039


def _is_pnc(word: str) -> bool:
    """``2008/0123456A`` or ``08/123456A``: a year, a serial number and a check letter."""
    year, slash, rest = word.partition("/")
    return (
        bool(slash)
        and len(year) in (2, 4)
        and year.isascii()
        and year.isdigit()
        and 5 <= len(rest) <= 8
        and rest[:-1].isascii()
        and rest[:-1].isdigit()
        and rest[-1].isascii()
        and rest[-1].isalpha()
    )


def _phone_chars(word: str) -> bool:
    return bool(word) and len(word) <= 20 and all(c.isdigit() or c in "+-()" for c in word)


def _phone_gap(gap: str) -> bool:
    return 0 < len(gap) <= 3 and all(c in " ()-" for c in gap)


def _uk_phone(digits: str, *, international: bool) -> bool:
    if not digits.isascii():
        return False
    if international or digits.startswith("0044"):
        digits = digits[4:] if digits.startswith("0044") else digits
        if not digits.startswith("44"):
            return False
        digits = digits[2:]
        digits = digits if digits.startswith("0") else "0" + digits
    if digits.startswith("07"):
        return len(digits) == 11
    return digits[:2] in ("01", "02", "03") and len(digits) in (10, 11)


def _nhs_valid(digits: str) -> bool:
    """The NHS number's mod-11 check: weights 10 to 2 on the first nine digits."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _reference_number(word: str, least: int) -> bool:
    """A record number: letters and digits (and - or /), at least ``least`` digits, and not
    a year, a date, a percentage or audit figures."""
    if not word or not all(c.isalnum() or c in "-/" for c in word) or "/" in word:
        return False
    digits = _digits(word)
    if digits < least:
        return False
    return not (len(word) == 4 and word.isdigit() and 1990 <= int(word) <= 2099)


def _letters_then_digits(word: str) -> bool:
    """``AB1234567`` (a record number) or ``AB123456C`` (a National Insurance number)."""
    if not word.isascii() or not word.isalnum() or len(word) > 16:
        return False
    letters = len(word) - len(word.lstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if not 1 <= letters <= 4:
        return False
    rest = word[letters:]
    if rest[-1:].isalpha():
        rest = rest[:-1]
    return len(rest) >= 6 and rest.isdigit()


_AREAS_ONE = "BEGLMNSW"  # the one-letter postcode areas: Birmingham, London, Glasgow, ...
_AREA_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"
_AREA_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _postcode(outward: str, inward: str) -> bool:
    """``TS18`` + ``1AA``: a UK postcode's outward and inward codes."""
    if not (2 <= len(outward) <= 4 and len(inward) == 3 and (outward + inward).isascii()):
        return False
    upper_out, upper_in = outward.upper(), inward.upper()
    if not (outward.isupper() and inward[1:].isupper()) and inward[1:].lower() in _ORDINALS:
        return False  # "r1 3rd", "m6 4th": an ordinal, not an inward code
    if not (upper_in[0].isdigit() and all(c in _INWARD_LETTERS for c in upper_in[1:])):
        return False
    if upper_out[0] in _AREAS_ONE and upper_out[1:2].isdigit():
        area, district = upper_out[:1], upper_out[1:]
    elif upper_out[0] in _AREA_FIRST and upper_out[1:2] in tuple(_AREA_SECOND):
        area, district = upper_out[:2], upper_out[2:]
    else:
        return False
    return (
        len(area) >= 1
        and 1 <= len(district) <= 2
        and district[0].isdigit()
        and (len(district) == 1 or district[1].isdigit() or district[1].isalpha())
    )


def _age(word: str, low: int = 5, high: int = 25) -> bool:
    return word.isascii() and word.isdigit() and len(word) <= 2 and low <= int(word) <= high


def _age_word(word: str) -> bool:
    """``15yo``, ``15y/o``, ``15yrs``, ``15-year-old``, ``15-years-old``."""
    number = word[: len(word) - len(word.lstrip("0123456789"))]
    if not _age(number):
        return False
    rest = word[len(number) :].lstrip("-")
    return rest in (
        "yo",
        "y/o",
        "y.o",
        "yrs",
        "yr",
        "year-old",
        "years-old",
        "yr-old",
        "yrs-old",
        "yearold",
    )


def _is_name(word: str) -> bool:
    """A capitalised word that could be a name: ``Jane``, ``O'Brien``, ``Smith-Jones``."""
    if not 2 <= len(word) <= 30 or not word[0].isupper() or word.isupper():
        return False
    if not all(c.isalpha() or c in "-" + _QUOTES for c in word):
        return False
    return word.lower() not in _NOT_NAMES


def redact(text: str) -> str:
    """``John Smith`` → ``J••• S••••``: the first character of each word, the rest masked, so
    an explanation can say where the problem is without repeating the identifier."""
    shown = text[:_SHOWN]
    out: list[str] = []
    start_of_word = True
    for char in shown:
        if char.isalnum():
            out.append(char if start_of_word else "•")
            start_of_word = False
        else:
            out.append(char if not char.isspace() else " ")
            start_of_word = True
    return "".join(out) + ("…" if len(text) > _SHOWN else "")


# --- the interface -----------------------------------------------------------------------------


def screen_note(text: str) -> list[Finding]:
    """The likely personal identifiers in an audit note, in the order they appear."""
    if not text:
        return []
    return _Screen(text).run()


@dataclass(frozen=True)
class Explanation:
    """Why a note was refused, in parts a reply can lay out: why it matters, what was found
    (redacted), a safe example and how to send it again marked as checked."""

    why: str
    found: tuple[str, ...]
    safe: str
    checked: str


def explanation(
    findings: Sequence[Finding] | Iterable[Finding],
    *,
    example: str = f"audit R1 17/20 {SAFE_EXAMPLE} --checked",
    what: str = "note",
) -> Explanation:
    """The parts of :func:`explain`. ``example`` is a command marked as checked, as it is
    typed where the explanation will be read ("/yos audit ..." on Slack); ``what`` names
    the text ("note", or "reason" for a close or reopen)."""
    return Explanation(
        why=f"What is recorded here is seen by others and kept for a long time, so the {what} "
        "should describe the audit, not the child or family.",
        found=tuple(f"{f.text}: {f.reason}" for f in findings),
        safe=f"Describe the case the way the audit sheet does, for example: “{SAFE_EXAMPLE}”.",
        checked=f"If you have checked and the {what} does not identify anyone (a reference "
        "that is not personal, say), send the same command again with --checked anywhere in "
        f"it, for example: {example}",
    )


def explain(
    findings: Sequence[Finding] | Iterable[Finding],
    *,
    example: str = f"audit R1 17/20 {SAFE_EXAMPLE} --checked",
    what: str = "note",
) -> str:
    """A private explanation of why a note was not recorded, a safe example, and how to send
    it again marked as checked, as plain text (see :func:`explanation`)."""
    parts = explanation(findings, example=example, what=what)
    lines = [
        f"Nothing was recorded: the {what} looks like it could identify a child. {parts.why}",
        "",
        "What looks like personal data:",
        *(f"• {found}" for found in parts.found),
        "",
        parts.safe,
        "",
        parts.checked,
    ]
    return "\n".join(lines)


def explain_briefly(findings: Sequence[Finding] | Iterable[Finding]) -> str:
    """One sentence for a form field: what looks like personal data, redacted, and a safe
    example; the caller adds how to record the note anyway."""
    found = "; ".join(f"{f.text} ({REASONS[f.kind]})" for f in findings)
    return (
        f"This note looks like it could identify a child: {found}. Describe the audit, not "
        f"the child, for example “{SAFE_EXAMPLE}”."
    )
