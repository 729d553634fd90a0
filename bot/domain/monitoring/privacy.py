"""Screening audit notes for details that could identify a child.

A case-file audit note should be about the audit ("case 7: review late after move"), never
about the child: under UK GDPR a note that names a child, or gives their date of birth, is
their personal data, shown to everyone who can see the audit and kept for years.
:func:`screen_note` finds what looks like a personal identifier, so the bot can refuse the
note with a private explanation (:func:`explain`) unless the auditor has checked it
(``--checked``).

The note is read as it was meant, not as it was typed (:func:`normalise`): NFKC (full-width
digits are digits), invisible format characters such as zero-width spaces removed, every
kind of space a space and every dash a hyphen, and letters that look like digits inside a
number read as digits (``077OO 9OO123``). What counts as likely (each rule is one method of
:class:`_Screen`):

* a date of birth: a date in any separator or spacing after "DOB", "D.O.B", "d/o/b", "b.",
  "born", "date of birth" or "birthday", with or without a space ("dob03/04/2008"), or
  before "(DOB)";
* an age: "aged 15", "15 years old", "15yo", "fourteen-year-old", or an age next to a name
  ("Jane, 15", "Jane (15)", "Jordan is 15", "Brooklyn, fourteen");
* a Police National Computer number: ``2008/0123456A``, ``08/123456A``, or "PNC" and a
  number;
* a National Insurance number, with or without spaces (``AB 12 34 56 C``);
* a case or record reference: a number after "case", "ref", "CMS", "ChildView", "URN" and
  the like that is longer than the small numbers notes use to anonymise ("case 7" passes,
  "case 23/0451" and "ref no. AB/12345" do not), letters then six or more digits, or any
  number of six or more digits;
* an NHS number: ten digits, however grouped, whose mod-11 check digit is right (or any ten
  digits after "NHS");
* a phone number, as the ``phonenumbers`` library reads one (UK first), including the
  Ofcom drama ranges; an email address, also written "(at)" or " at ... dot ";
* a street address (a house number, a name and Road, Lane, Street, Close ...) and a UK
  postcode (``TS18 1AA``, ``TS181AA``);
* a name: a first name from ONS's list of baby names (``data/first-names-ons.txt``) in any
  case, hyphenated or with an apostrophe; a first name that is also an everyday word
  ("Grace", "Will", "Summer") only with something that makes it a person: a word such as
  "YP", "child", "mum" or "carer" before it, an age, a school year or a surname after it;
  initials after "YP" or "child" ("child K.L."); and two capitalised words next to "YP",
  "child", "DOB" or "aged".

Audit notes are full of numbers, dates, documents, teams and staff that are not personal
("17 of 20 reviewed on time", "ASSET+ not updated within 10 days", "Harbour Team", "Audit by
Sam Jones (team manager)"), so a rule needs context (a keyword next to it) or a shape that
audit figures never have. ``tests/privacy_corpus`` holds the labelled notes the rules are
measured on.

Design: standard library and ``phonenumbers`` only, and linear in the length of the text.
The text is split once into words (one regular expression with a single quantifier); each
rule then looks at each word and a fixed number of its neighbours, or runs a regular
expression whose every repetition is bounded. Words longer than :data:`MAX_WORD` characters
are never identifiers and are skipped. The name list is read once, with the first note.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal[
    "date_of_birth",
    "age",
    "pnc",
    "case_reference",
    "nhs_number",
    "postcode",
    "address",
    "phone",
    "email",
    "name",
]

SAFE_EXAMPLE = "case 7: review late after move"
MAX_WORD = 254  # the longest email address; no identifier is longer
_SHOWN = 24  # characters of a finding kept (redacted) for the explanation
FIRST_NAMES = Path(__file__).resolve().parents[3] / "data" / "first-names-ons.txt"

REASONS: dict[Kind, str] = {
    "date_of_birth": "a date of birth",
    "age": "a child's age",
    "pnc": "a Police National Computer (PNC) number",
    "case_reference": "a case, CMS or ChildView reference number",
    "nhs_number": "an NHS number",
    "postcode": "a postcode",
    "address": "a street address",
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


# --- reading the note as it was meant ----------------------------------------------------------


class _Folding(dict[int, int | str | None]):
    """``str.translate`` table, filled as characters are met: format characters (zero-width
    spaces, joiners, bidi marks, soft hyphens) removed, any script's digits ASCII digits,
    spaces made plain, dashes hyphens, curly quotes straight and fraction slashes
    slashes."""

    def __missing__(self, code: int) -> int | str | None:
        char = chr(code)
        category = unicodedata.category(char)
        folded: int | str | None = code
        if category == "Cf":
            folded = None
        elif category == "Nd":  # any script's digits: ٢٠٠٨ is 2008
            folded = str(unicodedata.decimal(char))
        elif category == "Zs":
            folded = " "
        elif category == "Pd" or char == "\u2212":
            folded = "-"
        elif char in "\u2018\u2019\u201a\u201b\u02bc\u2032`\u00b4":
            folded = "'"
        elif char in "\u201c\u201d\u201e\u201f\u2033":
            folded = '"'
        elif char in "\u2044\u2215":
            folded = "/"
        self[code] = folded
        return folded


_FOLDING = _Folding()
# A number with letters that look like digits in it (077OO, 9OO123, 2OO8, l0): a run of
# digits and look-alikes standing alone, that has at least one real digit.
_LOOKALIKE_RUN = re.compile(r"(?<![A-Za-z0-9|])[0-9OolI|]{2,24}(?![A-Za-z0-9|])")
_AS_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})


def _digits_for_lookalikes(match: re.Match[str]) -> str:
    run = match.group()
    if any(c.isdigit() for c in run):
        return run.translate(_AS_DIGITS)
    return run


def normalise(text: str) -> str:
    """The note as it was meant: NFKC, no format characters, plain spaces and hyphens, and
    look-alike letters inside a number read as digits (``077OO`` is ``07700``)."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = text.translate(_FOLDING)
    return _LOOKALIKE_RUN.sub(_digits_for_lookalikes, text)


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
    key: str  # lower-case, without a possessive ("O'Brien's" -> "o'brien")
    possessive: bool


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        raw = match.group()
        gap = text[previous_end:start] if start - previous_end <= 8 else " " * 9
        previous_end = end
        if len(raw) > MAX_WORD:
            words.append(_Word(start, end, "", "", "", gap, "", False))
            continue
        core = raw.strip(_EDGE)
        lower = core.lower()
        key, possessive = lower, False
        stripped = raw.rstrip(".!?*_~")
        if stripped.lower().endswith("'s") and len(stripped) > 3:
            key, possessive = stripped[:-2].strip(_EDGE).lower(), True
        elif stripped.endswith("'") and len(stripped) > 3 and stripped[-2:-1] in "sS":
            key, possessive = lower, True  # "Jones'"
        words.append(_Word(start, end, raw, core, lower, gap, key, possessive))
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
_AGE_NUMBERS = {
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_BIRTH_WORDS = frozenset({"dob", "d.o.b", "birth", "born", "birthday", "b'day", "bday"})
_DATE_FILLERS = frozenset({"on", "is", "was", "the", "of", "-", "\u2013", "date", "dated"})
_AGE_WORDS = frozenset({"aged", "age"})
_YEARS_WORDS = frozenset({"years", "year", "yrs", "yr"})
_YO_WORDS = frozenset({"yo", "y/o", "y.o"})
_AGE_VERBS = frozenset({"is", "was", "turned", "turns", "now", "just"})
_OLDER = frozenset({"over", "under", "above", "below", "older", "younger", "upwards"})
_AGE_PEOPLE = frozenset({"yp", "cyp", "child", "boy", "girl", "he", "she"})
_PERSON_WORDS = frozenset({"yp", "cyp", "child", "dob", "d.o.b", "aged"})
_NAME_FILLERS = frozenset({"is", "was", "called", "named", "name", "-", "\u2013", "aka"})
_REF_WORDS = frozenset(
    {"cms", "childview", "cv", "ref", "reference", "urn", "id", "crn", "file", "crime"}
)
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
        "hrs",
        "hr",
        "minutes",
        "mins",
        "min",
        "plans",
        "late",
        "children",
        "young",
        "to",
        "or",
        "plus",
        "over",
        "under",
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

# First names that are also everyday words, places or words of the trade ("Will review",
# "Grace period", "Summer review", "rated Amber", "Chester Road office"): a person only
# with something that makes them one (see _Screen.names).
_WORD_NAMES = _vocabulary(
    "will may mark grace summer hope faith joy amber rose jade ruby autumn winter april june "
    "august jan jun justice liberty mercy patience prudence charity honour honor favour glory "
    "peace praise bliss destiny harmony trinity serenity precious divine serene genesis "
    "miracle heaven chance bill frank grant chase drew miles guy dean sue ray don can said "
    "art red blue china jersey ace max penny sky river brook storm ocean star dawn bay reef "
    "fox bear tiger wing cash scout king prince princess duke angel baby junior hunter nick "
    "mike kit ash eve lee roman iris olive sunny hazel scarlet crystal harsh tea alpha gene "
    "ken glen dale heath lance reed clay sandy london devon chester lincoln preston chelsea "
    "india paris sydney dallas trent sol spike buddy gypsy roma bailey cherish veer nadir "
    "unity royal legend reign major sonny phoenix willow meadow eden orion christian rio mac "
    "dev rocky misty carol barry kendal harlow warwick brent camden dudley kenya chad israel "
    "cairo darwin"
)
# Words that make the name next to them a person's: "YP Jordan", "mum Kelly", "looked after
# child Lewis Ward", "sister Paige". Two-word ones are matched as pairs.
_CONTEXT_WORDS = _vocabulary(
    "yp cyp yps child lac cla mum mam mom mummy mother nan nana nanna nanny gran granny "
    "grandma grandmother grandad granddad grandfather grandparent dad daddy father stepdad "
    "stepmum stepfather stepmother carer guardian brother sister sibling siblings cousin "
    "aunt auntie aunty uncle son daughter boyfriend girlfriend partner client pupil boy girl "
    "victim"
)
_CONTEXT_PAIRS = frozenset(
    {
        ("young", "person"),
        ("looked", "after"),
        ("foster", "carer"),
        ("step", "dad"),
        ("step", "mum"),
        ("half", "brother"),
        ("half", "sister"),
        ("known", "as"),
        ("referred", "to"),
    }
)
_FAMILY_WORDS = frozenset(
    {"family", "household", "twins", "siblings", "brothers", "sisters", "boy", "girl", "lad"}
)
_NOT_AFTER_FAMILY = _vocabulary(
    "hub hubs support service services team teams group groups court centre centres work "
    "worker workers project programme practitioner practitioners help plan plans meeting "
    "placement placements home homes time contact member members network therapy history "
    "visit visits life liaison approach"
)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
_NAMING_WORDS = frozenset({"called", "named", "aka", "nicknamed"})  # and "known as"
# After a name, words that make it a child's: "Kayden not seen", "Callum missed".
_CHILD_VERBS = _vocabulary(
    "missed misses moved lives lived living refused refuses excluded arrested attended "
    "attending absconded reoffended re-offended charged sentenced remanded disclosed told "
    "says said breached went ran disengaged"
)
_NOT_VERBS = _vocabulary(
    "seen engaging attending responding available contactable home known in at reviewed"
)
# After a first name (and perhaps a surname), words that make it a team, a school, a place
# or a street rather than a person: "Phoenix Team", "Ian Ramsey Academy", "Devon YOS".
_STREET_WORDS = _vocabulary(
    "road rd lane ln street st avenue ave close cl drive dr way crescent cres grove gr "
    "terrace tce court ct place pl gardens gdns walk row mews square sq hill rise view park "
    "green vale parade croft fold chase meadow meadows mount wynd lea gate grange bank "
    "circle boulevard"
)
_ORG_WORDS = _vocabulary(
    "team teams project projects service services unit house centre center school schools "
    "academy college trust fund foundation council court hub panel office yos yot yjs "
    "hospital clinic surgery practice church programme scheme club group partnership "
    "primary nursery university library estate lodge cottage manor farm villa hostel "
    "residence road street lane avenue drive close way "
    "crescent grove terrace place gardens walk mews square rd ave"
)
_SAINTS = frozenset({"st", "saint", "st."})
# Staff are named by role in audit notes ("Audit by Sam Jones (team manager)"); a child is
# not what they are.
_STAFF_BEFORE = _vocabulary(
    "by auditor auditors manager tm sw officer practitioner worker moderator supervisor "
    "countersigned cc"
)
_STAFF_VERBS = _vocabulary(
    "checked discussed agreed confirmed spoke spoken met raised escalated sent emailed "
    "reviewed audited moderated liaised shared copied"
)
_ROLES = _vocabulary(
    "manager tm sw officer worker practitioner auditor deputy head lead supervisor analyst "
    "admin administrator coordinator co-ordinator chair nurse psychologist senco mentor "
    "volunteer team service social youth teacher headteacher gp dsl iro"
)
# Capitalised words that are not surnames after a first name ("Summer Holiday Club",
# "River Tees", "Grace Period").
_NOT_SURNAMES = _vocabulary(
    "holiday holidays period term half club scheme outreach programme policy tees teesside "
    "review reviews audit plan plans session sessions rating ratings figures wing block "
    "learning"
)
_ACRONYMS = _vocabulary(
    "lac cla cin cp cpp cse cce sen send ehcp camhs yos yot yjs yjb asb nfa plo iss yro dto "
    "eha taf mash marac mappa ete neet pru sw tm po iro icpc rcpc lado dsl gp adhd asd slcn "
    "salt hmip sqs fte oocd psr qa rag kpi nhs pnc cms dob yp cyp uk am pm id urn crn ace "
    "aces smart tbc tba asap fyi ocd pbs cbt dbt mst fft sar nrm cme mfh ppe dv lga ofsted "
    "jtai ilacs esol eal gcse btec nvq asset ok ro po oc rj ot la ta na abi esa ema isa ida "
    "ira tia"
)
_INITIALS_AFTER = frozenset({"yp", "cyp", "child", "person", "after", "client"})
_LIVES_WORDS = _vocabulary("lives living lived moved staying stays resides residing address")
_FLATS = frozenset({"flat", "apartment", "apt", "room"})
_ADDRESS_LABELS = _vocabulary(
    "address addr lives living live lived moved moving staying stays at to resides residing placed"
)
_NOT_STREET_NAMES = _vocabulary(
    "youth crown magistrates family county district juvenile civil appeal supreme high-court "
    "the a of and"
)
_B_DOT_NOT_AFTER = _vocabulary(
    "team group part section option plan appendix table category tier level stage phase "
    "grade class annex schedule type"
)
_TLDS = _vocabulary(
    "com org net uk gov ac nhs sch co edu info biz me io ie eu de fr pl ro lt lv es it nl be "
    "in pk us ca au nz za ng email online live mail"
)
_PHONE_TYPES = frozenset({0, 1, 2, 6, 7, 8, 10})  # fixed line, mobile, either, VoIP, personal,
# pager, voicemail; not free, premium, shared-cost or UAN numbers (services, not people)


@functools.cache
def first_names() -> frozenset[str]:
    """The first names in ``data/first-names-ons.txt``, lower-case: read once, with the
    first note screened."""
    with FIRST_NAMES.open(encoding="utf-8") as lines:
        return frozenset(
            line.strip() for line in lines if line.strip() and not line.startswith("#")
        )


# --- patterns over the whole note (every repetition bounded, so linear) ------------------------

_MONTH_PATTERN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_SEP = r"\s{0,2}[/.\-]\s{0,2}"
_DOB_AFTER_LABEL = re.compile(
    r"(?<![a-z0-9])(?P<label>d\s?\.?\s?o\s?\.?\s?b\.?|d/o/b|date\s{1,3}of\s{1,3}birth"
    r"|birth\s?date|born|b\.|b'?day|birthday)"
    r"[\s:=\-]{0,4}(?:(?:on|in)\s{1,3})?(?:the\s{1,3})?"
    r"(?P<date>"
    rf"\d{{1,2}}{_SEP}\d{{1,2}}{_SEP}\d{{2,4}}"
    rf"|\d{{4}}{_SEP}\d{{1,2}}{_SEP}\d{{1,2}}"
    r"|\d{1,2}\s{1,2}\d{1,2}\s{1,2}(?:\d{4}|\d{2})"
    r"|\d{8}|\d{6}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s{{0,3}}(?:of\s{{1,3}})?{_MONTH_PATTERN}\.?(?:,?\s{{1,3}}\d{{4}}|\s{{1,3}}\d{{2}})?"
    rf"|{_MONTH_PATTERN}\.?\s{{1,3}}\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s{{1,3}}\d{{2,4}})?"
    rf"|{_MONTH_PATTERN}\s{{1,3}}\d{{4}}"
    r"|(?:19|20)\d{2}"
    r")(?![0-9])",
    re.IGNORECASE,
)
_NI_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])(?P<prefix>[A-Za-z]{2})\s{0,2}(?P<digits>\d{2}\s{0,2}\d{2}\s{0,2}\d{2})"
    r"(?:\s{0,2}(?P<suffix>[A-Da-d]))?(?![A-Za-z0-9])"
)
_NI_LABEL = re.compile(r"(?:\bni\b|\bnino\b|national\s{1,3}insurance)", re.IGNORECASE)
_AT = r"(?:[(\[{<]\s{0,2}at\s{0,2}[)\]}>]|(?<=\s)at(?=\s))"
_DOT = r"(?:\.|\s{0,2}[(\[{<]\s{0,2}dot\s{0,2}[)\]}>]\s{0,2}|\s{1,2}dot\s{1,2})"
_SPOKEN_EMAIL = re.compile(
    r"(?<![\w.+-])(?P<local>[A-Za-z0-9][\w.+-]{0,63})\s{0,2}" + _AT + r"\s{0,2}"
    r"(?P<domain>[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:" + _DOT + r"[A-Za-z0-9][A-Za-z0-9-]{0,62})"
    r"{1,4})(?![\w@])",
    re.IGNORECASE,
)
_DOMAIN_PARTS = re.compile(_DOT, re.IGNORECASE)
_NUMBER_RUN = re.compile(r"[+(]?\d[\d ().+\-]*")


# --- the screen --------------------------------------------------------------------------------


class _Screen:
    """One pass of every rule over the words of a note; a word claimed by one rule is not
    reported again by a later, less specific one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = _words(text)
        self.starts = [word.start for word in self.words]
        self.ends = [word.end for word in self.words]
        # The kinds already found in each word: a number found as a phone number is not
        # also a long number; a name or an age may overlap anything else.
        self.taken: list[set[Kind]] = [set() for _ in self.words]
        self.found: list[tuple[int, Finding]] = []
        self.names = first_names()
        # Where a word that makes a name a person's ends ("YP", "mum", "young person").
        self.context = [self.context_ends_at(index) for index in range(len(self.words))]
        self.in_list = [self.listed(index) for index in range(len(self.words))]

    def add(
        self,
        kind: Kind,
        first: int,
        last: int,
        why: str,
        *,
        span: tuple[int, int] | None = None,
        what: str | None = None,
    ) -> bool:
        for kinds in self.taken[first : last + 1]:
            if kind in kinds or (kind not in _OVERLAPPING and kinds - _OVERLAPPING):
                return False
        for index in range(first, last + 1):
            self.taken[index].add(kind)
        start, end = span or (self.words[first].start, self.words[last].end)
        found = self.text[start:end]
        self.found.append(
            (start, Finding(kind, redact(found), f"looks like {what or REASONS[kind]} ({why})"))
        )
        return True

    def add_span(self, kind: Kind, start: int, end: int, why: str, what: str | None = None) -> None:
        """A finding from a pattern over the text, claiming the words it touches."""
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end) - 1
        if first <= last:
            self.add(kind, first, last, why, span=(start, end), what=what)

    def word(self, index: int) -> _Word | None:
        return self.words[index] if 0 <= index < len(self.words) else None

    def lower(self, index: int) -> str:
        word = self.word(index)
        return word.lower if word is not None else ""

    def key(self, index: int) -> str:
        word = self.word(index)
        return word.key if word is not None else ""

    def run(self) -> list[Finding]:
        for rule in (
            self.emails,
            self.dates_of_birth,
            self.pnc_numbers,
            self.ni_numbers,
            self.phones,
            self.nhs_numbers,
            self.references,
            self.postcodes,
            self.addresses,
            self.ages,
            self.names_in_list,
            self.names_in_context,
            self.surnames,
            self.initials,
            self.long_numbers,
        ):
            rule()
        return [finding for _, finding in sorted(self.found, key=lambda pair: pair[0])]

    # --- email -----------------------------------------------------------------------------

    def emails(self) -> None:
        for index, word in enumerate(self.words):
            if "@" in word.core and _is_email(word.core):
                self.add("email", index, index, "an address with @ and a domain")
        if "at" not in self.text.lower():
            return
        for match in _SPOKEN_EMAIL.finditer(self.text):
            labels = [p for p in _DOMAIN_PARTS.split(match.group("domain")) if p]
            if len(labels) >= 2 and labels[-1].lower() in _TLDS:
                self.add_span("email", match.start(), match.end(), "an address written with 'at'")

    # --- dates of birth --------------------------------------------------------------------

    def dates_of_birth(self) -> None:
        for match in _DOB_AFTER_LABEL.finditer(self.text):
            label = match.group("label")
            if label.lower() == "b." and self.b_is_a_label_of_something_else(match.start()):
                continue
            if not _plausible_date(match.group("date")):
                continue
            shown = "born" if label.lower() == "born" else " ".join(label.split())
            self.add_span(
                "date_of_birth",
                match.start("date"),
                match.end("date"),
                f"a date next to '{shown}'",
            )
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

    def b_is_a_label_of_something_else(self, start: int) -> bool:
        """Whether a "B." names a team or a part ("Team B. 14/03/2014") rather than
        meaning "born"."""
        before = bisect_right(self.ends, start) - 1
        word = self.word(before)
        return word is not None and word.end <= start and word.key in _B_DOT_NOT_AFTER

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
            elif _is_cro(word.core):
                self.add(
                    "pnc",
                    index,
                    index,
                    "the shape of a CRO number, number/year and letter",
                    what="a Criminal Records Office (CRO) number",
                )
            elif word.lower == "pnc":
                for after in range(index + 1, index + 4):
                    following = self.word(after)
                    if following is not None and _digits(following.core) >= 4:
                        self.add("pnc", index, after, "a number after 'PNC'")
                        break

    # --- National Insurance numbers --------------------------------------------------------

    def ni_numbers(self) -> None:
        for match in _NI_NUMBER.finditer(self.text):
            prefix = match.group("prefix")
            if not _ni_prefix(prefix.upper()):
                continue
            suffix = match.group("suffix")
            spaced = " " in match.group()
            labelled = _NI_LABEL.search(self.text, max(0, match.start() - 24), match.start())
            if not (labelled or prefix.isupper() or (suffix and not spaced)):
                continue  # "on 12 03 14": lower-case letters and spaced digits, no label
            self.add_span(
                "case_reference",
                match.start(),
                match.end(),
                "two letters, six digits and a letter",
                what="a National Insurance number",
            )

    # --- phone numbers ---------------------------------------------------------------------

    def phones(self) -> None:
        """Phone numbers, looked for only in runs of digits and what separates them that are
        long enough to hold one (the library is thorough, so it reads as little as it can)."""
        for run in _NUMBER_RUN.finditer(self.text):
            digits = run.group()
            if ("0" not in digits and "+" not in digits) or sum(c.isdigit() for c in digits) < 9:
                continue
            for start, end in _phone_numbers(run.group()):
                self.add_span(
                    "phone",
                    run.start() + start,
                    run.start() + end,
                    "a phone number, as phone numbers are written",
                )

    # --- NHS numbers -----------------------------------------------------------------------

    def nhs_numbers(self) -> None:
        for index, word in enumerate(self.words):
            if not word.core[:1].isdigit():
                continue
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
            separator = "." if "." in parts[0] else "-"
            groups = parts[0].split(separator)
            digits = "".join(groups)
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
            if keyword in ("court", "police", "crime") and self.lower(index + 1) in _REF_FILLERS:
                keyword, last = "ref", index
            if keyword in _REF_WORDS or keyword == "case":
                self.reference_after(index, last, keyword)
            elif keyword == "number" or word.raw.lower() == "no.":
                following = self.word(index + 1)
                if following is not None and _reference_number(following.core, 4):
                    self.add("case_reference", index, index + 1, f"a number after '{word.core}'")
        for index, word in enumerate(self.words):
            if _letters_then_digits(word.core):
                self.add("case_reference", index, index, "letters followed by six or more digits")
            elif _slashed_reference(word.core):
                self.add("case_reference", index, index, "the shape of a record number")

    def reference_after(self, index: int, last: int, keyword: str) -> None:
        """A record number after the keyword at ``index`` to ``last``."""
        after = last + 1
        if keyword in ("case", "file") and self.lower(after) not in _REF_FILLERS:
            # "case 7" is how notes anonymise; "case 123456" and "case 23/0451" are
            # record numbers.
            following = self.word(after)
            if following is not None and (
                _reference_number(following.core, 5)
                or (_reference_number(following.core, 4) and not following.core.isdigit())
            ):
                self.add("case_reference", index, after, f"a record number after '{keyword}'")
            return
        while self.lower(after) in _REF_FILLERS and after < last + 3:
            after += 1
        following = self.word(after)
        if following is not None and _reference_number(following.core, 3):
            shown = "ChildView" if keyword == "childview" else self.words[index].core
            self.add("case_reference", index, after, f"a number after '{shown}'")

    # --- postcodes and street addresses ----------------------------------------------------

    def postcodes(self) -> None:
        for index, word in enumerate(self.words):
            following = self.word(index + 1)
            if (
                following is not None
                and 0 < len(following.gap) <= 3
                and not following.gap.strip()
                and _postcode(word.core, following.core)
            ):
                self.add("postcode", index, index + 1, "a UK postcode")
            elif 5 <= len(word.core) <= 7 and _postcode(word.core[:-3], word.core[-3:]):
                self.add("postcode", index, index, "a UK postcode")

    def addresses(self) -> None:
        """``4 Elm Road``, ``31a Station Road``, ``lives at 4 elm road``: a house number, one
        to three words of a street's name and a street word."""
        for index, word in enumerate(self.words):
            if word.key in _LIVES_WORDS:
                self.street_after(index)
            if not _house_number(word.core):
                continue
            # "flat 3, Hollybush Court": a comma may follow a flat's number.
            flat = self.key(index - 1) in _FLATS
            street = None
            for after in range(index + 2, index + 5):
                candidate = self.word(after)
                if candidate is None or not self.spaced(index + 1 + flat, after):
                    break
                if flat and self.words[index + 1].gap.strip() not in ("", ","):
                    break
                if candidate.key in _STREET_WORDS:
                    street = after
                    break
            if street is None:
                continue
            parts = [self.words[i] for i in range(index + 1, street)]
            if not all(_street_name_word(part.core) for part in parts) or any(
                part.key in _NOT_STREET_NAMES for part in parts
            ):
                continue
            labelled = any(self.key(index - back) in _ADDRESS_LABELS for back in (1, 2, 3))
            capitalised = all(part.core[:1].isupper() for part in parts) and (
                self.words[street].core[:1].isupper()
            )
            if labelled or capitalised:
                self.add("address", index, street, "a house number and a street")

    def street_after(self, index: int) -> None:
        """``lives on Elm Road``, ``moved to Hollybush Court``: a street named without a
        house number, after a word that says someone lives there."""
        first = index + 1
        if self.key(first) in ("at", "on", "in", "to"):
            first += 1
        for street in range(first + 1, first + 4):
            candidate = self.word(street)
            if candidate is None or not self.spaced(first, street):
                return
            if candidate.key in _STREET_WORDS and candidate.core[:1].isupper():
                parts = [self.words[i] for i in range(first, street)]
                if all(
                    _street_name_word(part.core)
                    and part.core[:1].isupper()
                    and part.key not in _NOT_STREET_NAMES
                    for part in parts
                ):
                    self.add("address", first, street, f"a street after '{self.words[index].core}'")
                return

    def spaced(self, first: int, last: int) -> bool:
        """Whether words ``first`` to ``last`` follow one another with only spaces between."""
        return all(
            (word := self.word(i)) is not None and not word.gap.strip() and word.gap
            for i in range(first, last + 1)
        )

    # --- ages ------------------------------------------------------------------------------

    def ages(self) -> None:
        for index, word in enumerate(self.words):
            lower = word.lower
            if (
                lower in _AGE_WORDS
                and _age(self.lower(index + 1))
                and not self.a_count_or_range(index + 2)
            ):  # aged 15, but not "aged 15 days" or "aged 10 to 17"
                self.add("age", index, index + 1, f"a number after '{word.core}'")
            elif _age_word(lower):  # 15yo, 15-year-old, fourteen-year-old
                self.add("age", index, index, "an age in years")
            elif _age(lower) and (
                self.lower(index + 1) in _YO_WORDS
                or (self.lower(index + 1) in _YEARS_WORDS and self.lower(index + 2) == "old")
            ):  # 15 years old, 15 yo
                last = index + (1 if self.lower(index + 1) in _YO_WORDS else 2)
                self.add("age", index, last, "an age in years")
            elif self.in_list[index] or _is_name(word.core):
                self.name_with_age(index, listed=self.in_list[index])
            elif lower in _AGE_PEOPLE:  # "YP (15)", "child, 14", "she turned 16"
                self.name_with_age(index, listed=True)

    def name_with_age(self, index: int, *, listed: bool) -> None:
        """``Jane, 15``, ``Jane (15)``, ``Brooklyn, fourteen``, and for a listed first name
        ``Jordan is 15``: a name, then a child's age set apart."""
        age = index + 1
        if listed and self.lower(age) in _AGE_VERBS:
            if self.lower(age) == "just":
                age += 1
            age += 1
            gap_ok = True
        else:
            following = self.word(age)
            gap_ok = following is not None and following.gap.strip() in (",", "(", "-", "\u2013")
        following = self.word(age)
        if not gap_ok or following is None or not _age(following.raw.lower(), low=8, high=21):
            return
        after = self.word(age + 1)
        if after is not None and (
            (after.gap == " " and self.a_count_or_range(age + 1))
            or after.gap.strip()[:1] in ("/", "%")
        ):
            return  # "Team B, 15 cases": a count, not an age
        self.add("age", index, age, "a name with an age")

    def a_count_or_range(self, index: int) -> bool:
        """Whether the word after a number makes it a count or a range, not an age: "15
        days", "10 to 17", "15 and over" (but not "13 and not in school")."""
        lower = self.lower(index)
        if lower == "and":  # "15 and over", "10 and 11"
            return self.lower(index + 1) in _OLDER or _age(self.lower(index + 1))
        return lower in _NOT_AGE_AFTER

    # --- names -----------------------------------------------------------------------------

    def listed(self, index: int) -> bool:
        """Whether word ``index`` is a first name in the list: ``Jordan``, ``JORDAN``,
        ``jordan``, ``Ellie-Mae``, ``Riley's``."""
        word = self.word(index)
        if word is None:
            return False
        key = word.key
        if key not in self.names:
            parts = key.split("-") if "-" in key else ()
            if len(parts) < 2 or not all(part in self.names for part in parts):
                return False
        if not 2 <= len(key) <= 30 or not _name_shaped(key):
            return False
        return not (word.core.isupper() and (len(key) < 3 or key in _ACRONYMS))

    def everyday(self, index: int) -> bool:
        """Whether the listed name at ``index`` is also an everyday word ("Grace", "Will"):
        a person only with more to show it."""
        key = self.key(index)
        parts = key.split("-")
        return len(key) < 3 or all(
            part in _WORD_NAMES or part in _NOT_NAMES or part in _CONTEXT_WORDS for part in parts
        )

    def names_in_list(self) -> None:
        """First names from the list; the everyday ones only as a person's."""
        for index, word in enumerate(self.words):
            if not self.in_list[index]:
                continue
            last, what = index, "a first name"
            if self.surname_at(index + 1):
                last, what = index + 1, "a first name and a surname"
            elif self.initial_at(index + 1):
                last, what = index + 1, "a first name and an initial"
            if self.staff(index, last) or self.organisation(index, last):
                continue
            lower_case = word.core.islower()
            if not self.everyday(index):
                if lower_case and len(word.key) < 3:
                    continue
                self.add("name", index, last, what)
                continue
            why = self.why_a_person(index, last, lower_case)
            if why:
                self.add("name", index, last, f"a first name {why}")

    def why_a_person(self, index: int, last: int, lower_case: bool) -> str | None:
        """What makes the everyday word at ``index`` (to ``last``) a person's name."""
        if self.context_before(index):
            return f"after '{self.context_shown(index)}'"
        if self.age_or_year_after(last):
            return "with an age or school year"
        if lower_case:
            return None
        word = self.words[index]
        if last > index and self.surname_at(index + 1):
            return "and a surname"
        if last > index and self.words[last].core.isupper():
            return "and an initial"
        if self.lower(last + 1) in _CHILD_VERBS or (
            self.lower(last + 1) == "not" and self.lower(last + 2) in _NOT_VERBS
        ):
            return "with what a child did"
        if (
            word.possessive
            and word.core[:1].isupper()
            and (index > 0 or self.key(last + 1) in _CONTEXT_WORDS)
        ):
            return "with 's"  # "plan for Grace's", "Rose's nan"
        return None

    def names_in_context(self) -> None:
        """Two capitalised words next to a person word, named or not ("YP John Smith",
        "Jane Doe (YP)"), and any capitalised word after "known as" or "called"."""
        for index, word in enumerate(self.words):
            keyword = word.lower
            if keyword == "young" and self.lower(index + 1) in ("person", "people"):
                keyword, index = "young person", index + 1
            elif keyword in _NAMING_WORDS or (keyword == "as" and self.lower(index - 1) == "known"):
                following = self.word(index + 1)
                if following is not None and _is_name(following.core.rstrip(_QUOTES)):
                    self.add("name", index + 1, index + 1, f"a name after '{word.core}'")
                continue
            elif keyword in _FAMILY_WORDS and _is_name(self.words[index - 1].core if index else ""):
                if self.key(index + 1) not in _NOT_AFTER_FAMILY and self.words[index].gap == " ":
                    self.add("name", index - 1, index, f"a surname before '{word.core}'")
                continue
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

    def surnames(self) -> None:
        """A title or an initial before a surname: "Mrs Jones (mum)", "Ms K Patel", "J. Smith",
        "J Smith"; not staff named by role, nor a team or a place."""
        for index, word in enumerate(self.words):
            if word.key in _TITLES:
                last = index + 1
                if self.initial_at(last) and self.words[last].core.isupper():
                    last += 1
                why = f"a surname after '{word.core}'"
            elif (
                len(word.core) == 1
                and word.core.isupper()
                and (word.raw.endswith(".") or word.core not in "AI")
            ):
                last, why = index + 1, "an initial and a surname"
            else:
                continue
            if (
                self.surname_at(last)
                and not self.staff(index, last)
                and not self.organisation(index, last)
            ):
                self.add("name", index, last, why)

    def name_pair(self, index: int) -> bool:
        first, second = self.word(index), self.word(index + 1)
        return (
            first is not None
            and second is not None
            and second.gap == " "
            and _is_name(first.raw.rstrip(_QUOTES))
            and _is_name(second.core)
        )

    def initials(self) -> None:
        """Initials after a person word: "child K.L.", "YP K L", "young person D.W.", "YP KL"."""
        for index, word in enumerate(self.words):
            if self.key(index - 1) not in _INITIALS_AFTER:
                continue
            core = word.raw.rstrip(",;:")
            if _dotted_initials(core):
                self.add("name", index, index, "initials after a person word")
            elif (
                len(word.core) == 1
                and word.core.isupper()
                and len(self.lower(index + 1)) == 1
                and self.words[index + 1].core.isupper()
            ):
                self.add("name", index, index + 1, "initials after a person word")
            elif (
                self.key(index - 1) in ("yp", "cyp", "child")
                and 2 <= len(word.core) <= 3
                and word.core.isalpha()
                and word.core.isupper()
                and word.lower not in _ACRONYMS
                and word.lower not in _NOT_NAMES
            ):
                self.add("name", index, index, "initials after a person word")

    # --- what a name is next to ------------------------------------------------------------

    def context_ends_at(self, index: int) -> str | None:
        """The person word ending at ``index``, shown as written, or None."""
        word = self.words[index]
        if word.key in _CONTEXT_WORDS:
            return word.core
        previous = self.word(index - 1)
        if previous is not None and (previous.key, word.key) in _CONTEXT_PAIRS:
            return f"{previous.core} {word.core}"
        if previous is not None and previous.key == "year" and _school_year(word.core):
            return f"{previous.core} {word.core}"
        return None

    def context_before(self, index: int) -> bool:
        return self.context_shown(index) is not None

    def context_shown(self, index: int) -> str | None:
        for back in (1, 2):
            if index - back < 0:
                return None
            shown = self.context[index - back]
            if shown is not None:
                return shown
            if self.lower(index - back) not in _NAME_FILLERS | {"the", "of", "a"}:
                return None
        return None

    def age_or_year_after(self, last: int) -> bool:
        following = self.word(last + 1)
        if following is None:
            return False
        if (
            following.gap.strip() in (",", "(", "-")
            and _age(following.lower, 8, 19)
            and self.lower(last + 2) not in _NOT_AGE_AFTER
        ):
            return True
        if following.key in ("year", "yr") and _school_year(self.lower(last + 2)):
            return True
        if following.key in _AGE_VERBS and _age(self.lower(last + 2), 8, 19):
            return True
        return (
            len(following.core) in (2, 3)
            and following.lower[:1] == "y"
            and (_school_year(following.lower[1:]))
        )

    def surname_at(self, index: int) -> bool:
        """A capitalised word that could be a surname: ``Smith``, ``O'Brien``, ``Lee-Shaw``;
        not a word of the trade, a month, a street or a team."""
        word = self.word(index)
        previous = self.word(index - 1)
        if word is None or previous is None or word.gap != " " or previous.possessive:
            return False
        core = word.core.rstrip(_QUOTES)
        key = word.key
        if not 2 <= len(core) <= 30 or not core[:1].isupper() or not _name_shaped(key):
            return False
        if core.isupper() and not previous.core.isupper():
            return False
        return not (
            key in _NOT_NAMES
            or key in _ORG_WORDS
            or key in _STREET_WORDS
            or key in _NOT_SURNAMES
            or key in _CONTEXT_WORDS
            or key in _ACRONYMS
            or key in _CHILD_VERBS
        )

    def initial_at(self, index: int) -> bool:
        """``Harvey W.``, ``chloe w``: a single letter after a first name."""
        word = self.word(index)
        return (
            word is not None
            and word.gap == " "
            and len(word.core) == 1
            and word.core.isalpha()
            and (word.core.isupper() or word.core not in "ai")
        )

    def staff(self, index: int, last: int) -> bool:
        """Named by role: "Audit by Sam Jones (team manager)", "TM Sarah", "Sam, TM"."""
        before = index - 1
        if self.lower(before) in ("-", "\u2013") or self.tag(before):
            before -= 1  # "Sam - TM", "with <at>Jo Colleague</at>"
        if self.key(before) in _STAFF_BEFORE:
            return True
        if (
            self.key(before) in ("with", "to", "from")
            and self.key(before - 1) in _STAFF_VERBS
            and not self.words[last].possessive
        ):
            return True  # "checked with Jo Colleague", "sent to Sam Jones"
        following = self.word(last + 1)
        return (
            following is not None
            and not self.words[last].possessive
            and following.gap.strip() in ("(", ",", "-", "")
            and following.key in _ROLES
            and (
                following.key not in ("team", "service", "social", "youth")
                or self.key(last + 2) in _ROLES
            )
        )

    def tag(self, index: int) -> bool:
        """Whether word ``index`` is markup in angle brackets (``<at>``), not text."""
        word = self.word(index)
        return (
            word is not None
            and word.gap.endswith("<")
            and self.text[word.end : word.end + 1] == ">"
        )

    def organisation(self, index: int, last: int) -> bool:
        """Part of a team's, school's, street's or place's name: "Phoenix Team", "Ian Ramsey
        Academy", "St Mary's", "King's Fund", "Devon YOS"."""
        if self.key(index - 1) in _SAINTS:
            return True
        for after in (last + 1, last + 2):
            following = self.word(after)
            if following is None or following.gap.strip():
                return False
            if following.key in _ORG_WORDS:
                return True
            if not following.core[:1].isupper():
                return False
        return False

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


def _plausible_date(text: str) -> bool:
    """A date found after a birth word: its numbers make a calendar date (in either order,
    or year first); written with a month's name, or a year alone, it is one."""
    numbers = re.findall(r"\d+", text[:40])
    if len(numbers) == 1 and len(numbers[0]) in (6, 8):  # 140208, 14022008
        digits = numbers[0]
        numbers = [digits[:2], digits[2:4], digits[4:]]
    if len(numbers) != 3 or any(c.isalpha() for c in text):
        return True
    if len(numbers[0]) == 4:
        return _numeric_date("-".join(numbers))
    return _numeric_date("/".join(numbers))


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


def _is_cro(word: str) -> bool:
    """``123456/08A``: a Criminal Records Office number, serial/year and a check letter."""
    serial, slash, rest = word.partition("/")
    return (
        bool(slash)
        and 1 <= len(serial) <= 6
        and serial.isascii()
        and serial.isdigit()
        and len(rest) == 3
        and rest[:2].isascii()
        and rest[:2].isdigit()
        and rest[2].isascii()
        and rest[2].isalpha()
    )


def _ni_prefix(prefix: str) -> bool:
    """The two letters a National Insurance number may start with (HMRC's rules)."""
    return (
        prefix[0] not in "DFIQUV"
        and prefix[1] not in "DFIOQUV"
        and prefix not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ")
    )


def _phone_gap(gap: str) -> bool:
    return 0 < len(gap) <= 3 and all(c in " ()-" for c in gap)


def _phone_numbers(text: str) -> list[tuple[int, int]]:
    """Where ``phonenumbers`` finds a phone number of a person (UK first): valid numbers of
    a line, a mobile or a personal number, and numbers shaped like a UK mobile or landline
    that the library does not know (Ofcom's drama ranges, 07700 900xxx, among them). Only
    numbers written as people write them, starting with 0, + or a bracket."""
    import phonenumbers

    found: list[tuple[int, int]] = []
    matcher = phonenumbers.PhoneNumberMatcher(
        text, "GB", leniency=phonenumbers.Leniency.POSSIBLE, max_tries=200
    )
    for match in matcher:
        raw = match.raw_string
        if not raw.lstrip("(").startswith(("0", "+")) or "/" in raw:
            continue
        number = match.number
        national = phonenumbers.national_significant_number(number)
        if phonenumbers.is_valid_number(number):
            if phonenumbers.number_type(number) in _PHONE_TYPES:
                found.append((match.start, match.end))
        elif number.country_code == 44 and (
            (national[:1] == "7" and len(national) == 10)
            or (national[:1] in "123" and len(national) in (9, 10))
        ):
            found.append((match.start, match.end))
    return found


def _nhs_valid(digits: str) -> bool:
    """The NHS number's mod-11 check: weights 10 to 2 on the first nine digits."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _figures(parts: list[str]) -> bool:
    """``17/20``, ``101-120``, ``2013/14``, ``2013-2014``, ``30/01/2014``: audit figures, a
    range, a financial year or a date, never a record number."""
    if all(p.isdigit() and len(p) <= 3 and not (len(p) > 1 and p[0] == "0") for p in parts):
        return True
    if len(parts) == 2 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        first, second = int(parts[0]), int(parts[1])  # 2013/14, 2013/2014: a year's span
        return 1990 <= first <= 2099 and (
            (len(parts[1]) == 2 and second == (first + 1) % 100)
            or (len(parts[1]) == 4 and second == first + 1)
        )
    if len(parts) == 2 and all(p.isdigit() for p in parts) and len(parts[1]) == 4:
        return 1990 <= int(parts[1]) <= 2099 and len(parts[0]) <= 2  # 12/2013: a month
    return len(parts) == 3 and _numeric_date("/".join(parts))


def _reference_number(word: str, least: int) -> bool:
    """A record number: letters and digits (and - or /), at least ``least`` digits, and not
    a year, a date, a percentage or audit figures."""
    if not word or not all(c.isalnum() or c in "-/" for c in word) or len(word) > 30:
        return False
    digits = _digits(word)
    if digits < least:
        return False
    if "/" in word or "-" in word:
        parts = re.split(r"[/-]", word)
        return all(parts) and not _figures(parts)
    return not (len(word) == 4 and word.isdigit() and 1990 <= int(word) <= 2099)


def _slashed_reference(word: str) -> bool:
    """``AB/12345``, ``YJ/2023/0451``, ``23/0451``: a record number's shape without a label."""
    if not word.isascii() or "/" not in word or len(word) > 30:
        return False
    parts = word.split("/")
    if not all(part.isalnum() for part in parts) or len(parts) > 4:
        return False
    if parts[0].isalpha() and 1 <= len(parts[0]) <= 4 and parts[0].isupper():
        numbers = parts[1:]
        return (
            all(p.isdigit() for p in numbers)
            and _digits("".join(numbers)) >= 4
            and not (len(numbers) == 1 and 1990 <= int(numbers[0]) <= 2099)
        )
    return (
        len(parts) == 2
        and all(p.isdigit() for p in parts)
        and len(parts[1]) >= 4
        and parts[1][0] == "0"
    )


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


def _house_number(word: str) -> bool:
    """``4``, ``22``, ``31a``: a house number (not ``0``, not a year)."""
    number = word.rstrip("abcdefghABCDEFGH") if len(word) > 1 else word
    return (
        number.isascii()
        and number.isdigit()
        and 1 <= len(number) <= 4
        and len(word) - len(number) <= 1
        and int(number) > 0
        and not 1900 <= int(number) <= 2099
    )


def _street_name_word(word: str) -> bool:
    return 1 <= len(word) <= 30 and all(c.isalpha() or c in "'-." for c in word)


def _school_year(word: str) -> bool:
    return word.isascii() and word.isdigit() and len(word) <= 2 and 1 <= int(word) <= 13


def _age(word: str, low: int = 5, high: int = 25) -> bool:
    if word in _AGE_NUMBERS:
        return low <= _AGE_NUMBERS[word] <= high
    return word.isascii() and word.isdigit() and len(word) <= 2 and low <= int(word) <= high


def _age_word(word: str) -> bool:
    """``15yo``, ``15y/o``, ``15yrs``, ``15-year-old``, ``fourteen-year-old``."""
    number = word[: len(word) - len(word.lstrip("0123456789"))]
    if not number:
        number = word.partition("-")[0]
        if number not in _AGE_NUMBERS:
            return False
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


def _name_shaped(key: str) -> bool:
    """Letters, with an apostrophe or hyphen inside: ``o'brien``, ``ellie-mae``."""
    return (
        key[:1].isalpha()
        and key[-1:].isalpha()
        and all(c.isalpha() or c in "-'" for c in key)
        and "--" not in key
    )


def _dotted_initials(word: str) -> bool:
    """``K.L.``, ``K.L``, ``J.S.``, ``D.W.``: two or three initials with full stops, not
    "D.O.B" or "a.m."."""
    letters = word.replace(".", "")
    return (
        2 <= len(letters) <= 3
        and letters.isalpha()
        and letters.isupper()
        and word.count(".") >= len(letters) - 1
        and letters.lower() not in ("dob", "am", "pm", "uk", "eg", "ie", "nb", "ps")
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
    return _Screen(normalise(text)).run()


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
