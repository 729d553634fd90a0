"""Reading what an auditor typed after the command word.

``R1 17/20 30/01/2014 January audit`` reads as: recommendation R1, 17 compliant cases out of 20
audited, audited on 30 January 2014, with the note "January audit".

The parts, in order:

* the recommendation: ``R1``, ``r1`` or ``1``;
* the figures: ``17/20``, ``17 / 20``, ``17 of 20``, ``17 out of 20``, ``85%``, ``85 %``, ``85.5%``;
* optionally the audit date, perhaps after "on": ``2014-01-30``, ``30/01/2014``, ``30/1/14``,
  ``30.01.2014``, ``30-01-2014``, ``30 January 2014``, ``30th Jan 2014``, ``January 30, 2014``,
  ``30-Jan-2014``, with an optional weekday in front (``Thursday 30 January 2014``), which is
  checked against the date;
* the note: whatever is left, trimmed, with line breaks kept.

The flags ``--outside`` and ``--checked`` may appear anywhere and are taken out of the note, and
so may ``--late "reason"`` (the reason in quotes: why the update is entered after its monthly
period had closed).

Numeric dates are always day/month: a date that only reads as month/day (``03/30/2014``) is
refused, never swapped. Anything in the date position that looks like an attempt at a date
(``30/03/20145``, ``30 March``, ``yesterday``) is refused with an example rather than being
filed silently as the note, which would record the audit against today's date.

Design: standard library only, and linear in the length of the text. Text over
:data:`MAX_TEXT` is refused before anything else is looked at; it is split into words once
(``\\S+``, the only regular expression, with a single quantifier) and every later step looks at
a fixed number of words, each with a constant number of linear string operations. Every
number's length is checked before ``int()`` or ``float()`` sees it, so no conversion is
unbounded (and CPython's 4,300-digit ``int()`` limit is never reached).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Literal, NamedTuple

MAX_TEXT = 40_000  # the longest chat message (Slack's limit); longer is refused unread
MAX_NOTE = 1_000
MAX_CASES = 100_000  # bound for audited/compliant counts
MIN_YEAR = 2000
MAX_YEAR = 2099
MAX_DECIMALS = 6  # decimal places in a percentage; more is refused rather than rounded
MAX_REF_DIGITS = 3  # R1 to R999

EXAMPLE = "audit R1 17/20 30/01/2014 January audit"
DATE_EXAMPLES = "30/01/2014, 2014-01-30 or 30 January 2014"

Field = Literal["recommendation", "audited", "compliant", "audit_date", "note", "late_reason"]

_WORD = re.compile(r"\S+")
_SHOWN = 40  # characters of the sender's own text quoted back in a message
_SEPARATORS = "/.-"
_ORDINALS = ("st", "nd", "rd", "th")
_MONTH_NAMES = tuple(calendar.month_name)  # ("", "January", ..., "December")
_MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(_MONTH_NAMES) if name},
    **{name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES) if name},
    "sept": 9,
}
_WEEKDAY_NAMES = tuple(calendar.day_name)  # ("Monday", ..., "Sunday")
_WEEKDAYS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(_WEEKDAY_NAMES)},
    **{name[:3].lower(): number for number, name in enumerate(_WEEKDAY_NAMES)},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_RELATIVE_DAYS = frozenset({"yesterday", "tomorrow"})  # "today" is the default anyway
_FLAGS = {"--outside": "outside", "--checked": "checked"}
_DASHES = ("\u2014", "\u2013")  # em and en dash: "--" after a smart-punctuation keyboard
_LATE = ("--late", "\u2014late", "\u2013late")
_QUOTES = '"\u201c\u201d\u201e'  # straight and curly double quotes
LATE_EXAMPLE = '--late "found in the post"'


class AuditInputProblem(ValueError):
    """What is wrong with what was typed, in words for the person who typed it.

    ``field`` names the part it belongs to, so a form can show the message in place.
    """

    def __init__(self, message: str, field: Field | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field: Field | None = field


@dataclass(frozen=True)
class AuditInput:
    """An audit result as typed: read, but not yet checked against the inspection."""

    ref: str  # normalised: "R1"
    audited: int | None
    compliant: int | None
    percent: float | None  # when given as 85% instead of counts
    audit_date: date | None  # None when no date was written (the caller uses today)
    note: str | None
    outside_confirmed: bool  # --outside was given
    note_checked: bool  # --checked was given
    late_reason: str | None = None  # --late "reason" was given
    # The recommendation, figures and date as typed (flags and note apart), for the command
    # a refusal gives back; not part of what was read.
    typed: str = field(default="", compare=False)


class _Figures(NamedTuple):
    audited: int | None
    compliant: int | None
    percent: float | None
    words: int  # how many words they took up


# --- the whole input ---------------------------------------------------------------------------


def parse_audit_input(text: str) -> AuditInput:
    """Read ``R1 17/20 [date] [note]``; raises :class:`AuditInputProblem` with what is wrong."""
    if len(text) > MAX_TEXT:
        raise AuditInputProblem(
            f"That is {len(text):,} characters; an audit can be at most {MAX_TEXT:,}. "
            "Shorten the note and send it again."
        )
    text, late_reason = _take_late(text)
    spans: list[tuple[int, int]] = []
    outside = checked = False
    for match in _WORD.finditer(text):
        flag = _flag(match.group())
        if flag == "outside":
            outside = True
        elif flag == "checked":
            checked = True
        else:
            spans.append(match.span())
    words = [text[start:end] for start, end in spans]
    if not words:
        raise AuditInputProblem(
            f"Say which recommendation and what the audit found. For example: {EXAMPLE}",
            "recommendation",
        )
    ref = _read_ref(words[0], words[1] if len(words) > 1 else None)
    figures = _read_figures(words, 1, ref)
    first = 1 + figures.words
    audit_date, rest = find_date(words[first:])
    note_spans = spans[len(words) - len(rest) :]
    note = _note(text, note_spans)
    return AuditInput(
        ref=ref,
        audited=figures.audited,
        compliant=figures.compliant,
        percent=figures.percent,
        audit_date=audit_date,
        note=note,
        outside_confirmed=outside,
        note_checked=checked,
        late_reason=late_reason,
        typed=" ".join(words[: len(words) - len(rest)]),
    )


def _take_late(text: str) -> tuple[str, str | None]:
    """The text without ``--late "reason"``, and the reason (None without the flag).

    The reason is everything between the double quotes after the flag (straight or curly).
    One pass over the text: the flag is found with ``str.find``, the closing quote too.
    """
    lowered = text.lower()
    found = [(at, flag) for flag in _LATE if (at := lowered.find(flag)) >= 0]
    if not found:
        return text, None
    at, flag = min(found)
    end = at + len(flag)
    if (at and not text[at - 1].isspace()) or (end < len(text) and not text[end].isspace()):
        return text, None  # part of a longer word: "--lateness" is refused as an option
    opening = len(text) - len(text[end:].lstrip())
    if opening >= len(text) or text[opening] not in _QUOTES:
        raise AuditInputProblem(
            f"Give the reason after --late in quotes, like {LATE_EXAMPLE}.", "late_reason"
        )
    closing = min((i for i in (text.find(q, opening + 1) for q in _QUOTES) if i >= 0), default=-1)
    if closing < 0:
        raise AuditInputProblem(
            f"The reason after --late has no closing quote: write it like {LATE_EXAMPLE}.",
            "late_reason",
        )
    reason = " ".join(text[opening + 1 : closing].split())
    rest = text[:at].rstrip() + " " + text[closing + 1 :].lstrip()
    if any(flag in rest.lower() for flag in _LATE):
        raise AuditInputProblem("Give --late once, with one reason.", "late_reason")
    return rest.strip(), reason


def _flag(word: str) -> str | None:
    """Which flag ``word`` is, "outside" or "checked", or None; refuses unknown --options."""
    if not word.startswith(("-", *_DASHES)):
        return None
    spelled = "--" + word[1:] if word.startswith(_DASHES) else word
    flag = _FLAGS.get(spelled.lower())
    if flag is None and word.startswith("--") and word[2:3].isalpha():
        raise AuditInputProblem(
            f"“{_shown(word)}” is not an option: the options are --outside and --checked, "
            f"and {LATE_EXAMPLE} for a late entry."
        )
    return flag


def _note(text: str, spans: list[tuple[int, int]]) -> str | None:
    """The words in ``spans``, with the spacing and line breaks that were typed between them.

    A flag taken out of the middle leaves one gap rather than two.
    """
    if not spans:
        return None
    parts = [text[spans[0][0] : spans[0][1]]]
    for (_, previous_end), (start, end) in pairwise(spans):
        gap = text[previous_end:start]
        if not gap.isspace():  # a flag was between them: keep only the spacing after it
            gap = gap[len(gap.rstrip()) :]
        parts.append(gap)
        parts.append(text[start:end])
    note = "".join(parts)
    if len(note) > MAX_NOTE:
        raise AuditInputProblem(
            f"The note is {len(note):,} characters long; the limit is {MAX_NOTE:,}. "
            "Shorten it and send it again.",
            "note",
        )
    return note


# --- the recommendation ------------------------------------------------------------------------


def _read_ref(word: str, following: str | None) -> str:
    """R1 from "R1", "r1", "1" or "R01"; ``following`` is the next word, for a better message."""
    written = word[:-1] if word.endswith((":", ",")) else word
    number = written[1:] if written.startswith(("R", "r")) else written
    if number.isascii() and number.isdigit():
        digits = number.lstrip("0")
        if digits and len(digits) <= MAX_REF_DIGITS:
            return f"R{int(digits)}"
    if word in ("R", "r") and following is not None and following.isascii() and following.isdigit():
        raise AuditInputProblem(
            f"“{word} {_shown(following)}”: write the recommendation without a space, like R1. "
            f"For example: {EXAMPLE}",
            "recommendation",
        )
    raise AuditInputProblem(
        f"“{_shown(word)}” is not a recommendation: start with its number, like R1. "
        f"For example: {EXAMPLE}",
        "recommendation",
    )


# --- the figures -------------------------------------------------------------------------------


def _read_figures(words: list[str], i: int, ref: str) -> _Figures:
    """The result starting at ``words[i]``: counts in one of four spellings, or a percentage."""
    if i >= len(words):
        raise AuditInputProblem(
            f"Give the result after {ref}, as compliant/audited like 17/20 or as a percentage "
            f"like 85%. For example: {EXAMPLE}",
            "compliant",
        )
    word = _trim(words[i], ",")
    if word.endswith("%") and len(word) > 1:
        return _percent(word[:-1], word, 1)
    following = words[i + 1 : i + 4]
    nxt = _trim(following[0], ",") if following else None
    if "/" in word:
        return _slashed(word, nxt)
    if _has_digit(word) and nxt is not None:
        found = _spaced(words, i, nxt)
        if found is not None:
            return found
    raise _not_a_result(word)


def _slashed(word: str, nxt: str | None) -> _Figures:
    """Counts written with a slash in the word: "17/20", or "17/ 20" across two words."""
    compliant, _, audited = word.partition("/")
    if compliant and not audited and nxt is not None:
        return _counts(compliant, nxt, f"{word} {nxt}", 2)
    if compliant and "/" not in audited:
        return _counts(compliant, audited, word, 1)
    raise _not_a_result(word)


def _spaced(words: list[str], i: int, nxt: str) -> _Figures | None:
    """A number at ``words[i]`` and what follows it: "85 %", "17 /20", or joined counts."""
    word = _trim(words[i], ",")
    if nxt == "%":
        return _percent(word, f"{word} %", 2)
    if nxt.startswith("/") and len(nxt) > 1:  # "17 /20"
        return _counts(word, nxt[1:], f"{word} {nxt}", 2)
    return _joined_counts(words, i)


def _joined_counts(words: list[str], i: int) -> _Figures | None:
    """Counts joined by a word: "17 / 20", "17 of 20", "17 out of 20"; else None."""
    joiner = [w.lower() for w in words[i + 1 : i + 3]]
    taken = 2 if joiner[0] in ("/", "of") else 3 if joiner == ["out", "of"] else 0
    if not taken:
        return None
    if i + taken >= len(words):
        raise AuditInputProblem(
            f"“{_shown(' '.join(words[i : i + taken]))}”: give the number audited too, "
            f"like 17/20 or 17 out of 20. For example: {EXAMPLE}",
            "audited",
        )
    audited = _trim(words[i + taken], ",")
    shown = " ".join([*words[i : i + taken], audited])
    return _counts(_trim(words[i], ","), audited, shown, taken + 1)


def _not_a_result(word: str) -> AuditInputProblem:
    return AuditInputProblem(
        f"“{_shown(word)}” is not a result. Give the result straight after the recommendation, "
        f"as compliant/audited like 17/20 or as a percentage like 85%. For example: {EXAMPLE}",
        "compliant",
    )


def _counts(compliant_text: str, audited_text: str, shown: str, used: int) -> _Figures:
    compliant = _count(compliant_text, shown, "compliant")
    audited = _count(audited_text, shown, "audited")
    if audited < 1:
        raise AuditInputProblem(
            f"{_shown(shown)}: an audit needs at least one case, so the number audited "
            "must be 1 or more.",
            "audited",
        )
    if compliant > audited:
        raise AuditInputProblem(
            f"{compliant} compliant out of {audited} audited is not possible. "
            "Write the compliant cases first, then the cases audited, like 17/20.",
            "compliant",
        )
    return _Figures(audited=audited, compliant=compliant, percent=None, words=used)


def _count(text: str, shown: str, field: Field) -> int:
    """A whole number of cases from 0 to MAX_CASES, its length checked before ``int()``."""
    if text.isascii() and text.isdigit():
        digits = text.lstrip("0") or "0"
        if len(digits) <= len(str(MAX_CASES)) and int(digits) <= MAX_CASES:
            return int(digits)
        raise AuditInputProblem(
            f"{_shown(shown)}: at most {MAX_CASES:,} cases can be recorded in one audit.", field
        )
    raise AuditInputProblem(_not_a_number(text, shown, "counts"), field)


def _percent(text: str, shown: str, used: int) -> _Figures:
    """A percentage from 0 to 100 with at most MAX_DECIMALS places, checked before ``float()``."""
    whole, dot, fraction = text.partition(".")
    if (
        whole.isascii()
        and whole.isdigit()
        and (not dot or (fraction.isascii() and fraction.isdigit()))
    ):
        whole = whole.lstrip("0") or "0"
        if len(whole) > 3 or (len(whole) == 3 and (whole != "100" or fraction.strip("0"))):
            raise AuditInputProblem(
                f"{_shown(shown)} is not possible: a percentage is from 0 to 100.", "compliant"
            )
        if len(fraction) > MAX_DECIMALS:
            raise AuditInputProblem(
                f"{_shown(shown)} has more than {MAX_DECIMALS} decimal places: round it, "
                "like 85.5%.",
                "compliant",
            )
        return _Figures(None, None, float(f"{whole}.{fraction or 0}"), used)
    raise AuditInputProblem(_not_a_number(text, shown, "percentages"), "compliant")


def _not_a_number(text: str, shown: str, what: Literal["counts", "percentages"]) -> str:
    example = "17/20" if what == "counts" else "85% or 85.5%"
    if text.startswith("-") and _has_digit(text):
        return f"{_shown(shown)}: {what} cannot be negative. Write them like {example}."
    if not text.isascii() and _has_digit(text):
        return f"{_shown(shown)}: write numbers with the digits 0 to 9, like {example}."
    if what == "counts" and "." in text and _has_digit(text):
        return (
            f"{_shown(shown)}: counts are whole numbers of cases, like 17/20; "
            "for a percentage write 85%."
        )
    if what == "counts":
        return (
            f"“{_shown(shown)}” is not a number of cases. Write the compliant cases and the "
            f"cases audited as whole numbers, like 17/20. For example: {EXAMPLE}"
        )
    return f"“{_shown(shown)}” is not a percentage: write it like 85% or 85.5%."


# --- the date ----------------------------------------------------------------------------------


def parse_date(text: str) -> date:
    """One date, written any way :func:`find_date` reads; raises :class:`AuditInputProblem`."""
    if len(text) > MAX_TEXT:
        raise AuditInputProblem(
            f"That is {len(text):,} characters, too long for a date. "
            f"Write the audit date like {DATE_EXAMPLES}.",
            "audit_date",
        )
    words = text.split()
    if not words:
        raise AuditInputProblem(
            f"Give the audit date, like {DATE_EXAMPLES}.",
            "audit_date",
        )
    found, rest = find_date(words)
    if found is None or rest:
        raise _unreadable(" ".join(words))
    return found


def find_date(words: list[str]) -> tuple[date | None, list[str]]:
    """A date at the start of ``words`` (after an optional "on"), and the words after it.

    ``(None, words)`` when the words do not start with a date. Raises
    :class:`AuditInputProblem` when they start with something that is meant as a date but
    cannot be read as one, or is not a real date.
    """
    if not words:
        return None, []
    start = 1 if len(words) > 1 and words[0].lower() == "on" else 0
    found = _date_at(words, start, after_on=start == 1)
    if found is None:
        return None, list(words)
    day, used = found
    return day, words[start + used :]


def _date_at(words: list[str], i: int, *, after_on: bool) -> tuple[date, int] | None:
    """The date at ``words[i]`` and how many words it took, perhaps after a weekday."""
    word = _trim(words[i], ",.")
    lowered = word.lower()
    if lowered in _RELATIVE_DAYS:
        raise AuditInputProblem(
            f"“{_shown(words[i])}”: write the audit date itself, like {DATE_EXAMPLES}, "
            "or leave it out to use today's date.",
            "audit_date",
        )
    weekday = _WEEKDAYS.get(lowered)
    if weekday is None:
        return _plain_date_at(words, i, after_on=after_on)
    found = _plain_date_at(words, i + 1, after_on=after_on) if i + 1 < len(words) else None
    if found is None:
        if not after_on:  # "Monday team audit": a note that starts with a weekday
            return None
        raise AuditInputProblem(
            f"“{_shown(' '.join(words[max(i - 1, 0) : i + 1]))}”: write the audit date itself, "
            f"like {DATE_EXAMPLES}.",
            "audit_date",
        )
    day, used = found
    if day.weekday() != weekday:
        raise AuditInputProblem(
            f"{_long(day)} was a {_WEEKDAY_NAMES[day.weekday()]}, not a "
            f"{_WEEKDAY_NAMES[weekday]}: check the date.",
            "audit_date",
        )
    return day, used + 1


def _plain_date_at(words: list[str], i: int, *, after_on: bool) -> tuple[date, int] | None:
    day = _numeric_date(_trim(words[i], ",."), after_on=after_on)
    if day is not None:
        return day, 1
    return _written_date(words, i)


def _numeric_date(word: str, *, after_on: bool) -> date | None:
    """A date in one word: 30/01/2014, 30.1.14, 2014-01-30, 30-Jan-2014.

    None when the word does not look like a date at all (17/20, 2.5, mid-March); refused when
    it looks like one but cannot be read.
    """
    if not any(separator in word for separator in _SEPARATORS):
        return None
    parts = word.replace(".", "/").replace("-", "/").split("/")
    named = [k for k, part in enumerate(parts) if part.lower() in _MONTHS]
    if not _looks_like_a_date(parts, named, after_on=after_on):
        return None
    if len(parts) != 3 or len({c for c in word if c in _SEPARATORS}) != 1:
        raise _unreadable(word)
    first, second, third = parts
    if named == [1]:  # 30-Jan-2014
        return _written(word, first, _MONTHS[second.lower()], third)
    if not all(part.isdigit() for part in parts):
        raise _unreadable(word)
    if not all(part.isascii() for part in parts):
        raise _not_ascii(word)
    return _all_digits_date(word, first, second, third)


def _looks_like_a_date(parts: list[str], named: list[int], *, after_on: bool) -> bool:
    """Enough of the word is numbers (or a month's name) to be meant as a date."""
    with_digits = sum(1 for part in parts if _has_digit(part))
    return (
        (len(parts) >= 3 and with_digits >= 2)
        or (bool(named) and with_digits >= 1)
        or (after_on and with_digits >= 1)
    )


def _all_digits_date(word: str, first: str, second: str, third: str) -> date:
    """Year first (2014-01-30), else day/month/year with a two- or four-digit year.

    The parts are ASCII digits; their lengths are checked before ``int()``.
    """
    if len(first) == 4 and len(second) <= 2 and len(third) <= 2:
        return _real_date(word, int(first), int(second), int(third))
    if len(first) <= 2 and len(second) <= 2 and len(third) in (2, 4):
        day, month = int(first), int(second)
        year = int(third) + (2000 if len(third) == 2 else 0)
        if 1 <= day <= 12 and 13 <= month <= 31:
            raise _month_first(word, first, second, third, year)
        return _real_date(word, year, month, day)
    raise _unreadable(word)


def _month_first(word: str, first: str, second: str, third: str, year: int) -> AuditInputProblem:
    """03/30/2014 only reads as month/day: refused, never swapped, with the date the right
    way round as the example when it is a real one."""
    separator = word[len(first)]
    swapped = f"{second}{separator}{first}{separator}{third}"
    example = swapped if _is_real(year, int(first), int(second)) else "30/01/2014"
    return AuditInputProblem(
        f"{word} reads as month/day; write dates day/month/year, e.g. {example}.",
        "audit_date",
    )


def _written_date(words: list[str], i: int) -> tuple[date, int] | None:
    """30 January 2014, 30th of Jan 2014, January 30, 2014: the date and how many words."""
    month = _month(words[i])
    if month is not None:  # January 30, 2014
        day_text = _number(words[i + 1]) if i + 1 < len(words) else None
        if day_text is None:  # "January audit"
            return None
        if len(day_text) == 4:
            raise AuditInputProblem(
                f"“{_shown(' '.join(words[i : i + 2]))}” has no day. Write the audit date in "
                f"full, like {DATE_EXAMPLES}.",
                "audit_date",
            )
        end = i + 2
    else:  # 30 January 2014
        day_text = _number(words[i])
        if day_text is None:
            return None
        end = i + 1
        if end + 1 < len(words) and words[end].lower() == "of" and _month(words[end + 1]):
            end += 1
        month = _month(words[end]) if end < len(words) else None
        if month is None:  # "20 cases"
            return None
        end += 1
    year_text = _number(words[end]) if end < len(words) else None
    if year_text is None:
        raise AuditInputProblem(
            f"“{_shown(' '.join(words[i:end]))}” has no year. Write the audit date in full, "
            f"like {DATE_EXAMPLES}.",
            "audit_date",
        )
    return _written(" ".join(words[i : end + 1]), day_text, month, year_text), end + 1 - i


def _written(shown: str, day_text: str, month: int, year_text: str) -> date:
    """A date with the month in words; the year must be written in full."""
    day_text = _ordinal(day_text)
    if not (day_text.isdigit() and year_text.isdigit()):
        raise _unreadable(shown)
    if not (day_text.isascii() and year_text.isascii()):
        raise _not_ascii(shown)
    if len(day_text) > 2:
        raise _unreadable(shown)
    if len(year_text) != 4:
        raise AuditInputProblem(
            f"“{_shown(shown)}”: write the year in full, like 30 January 2014 or 30/01/2014.",
            "audit_date",
        )
    return _real_date(shown, int(year_text), month, int(day_text))


def _real_date(shown: str, year: int, month: int, day: int) -> date:
    """The date, or a problem naming what was written and why it is not a date."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise AuditInputProblem(
            f"{_shown(shown)}: the year must be between {MIN_YEAR} and {MAX_YEAR}. "
            f"Write the audit date like {DATE_EXAMPLES}.",
            "audit_date",
        )
    if not 1 <= month <= 12:
        raise AuditInputProblem(
            f"{_shown(shown)} is not a real date: there is no month {month}. "
            "Write dates day/month/year, like 30/01/2014.",
            "audit_date",
        )
    if not _is_real(year, month, day):
        raise AuditInputProblem(
            f"{_shown(shown)} is not a real date: {_MONTH_NAMES[month]} {year} has "
            f"{_days_in(year, month)} days.",
            "audit_date",
        )
    return date(year, month, day)


def _is_real(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _days_in(year, month)


def _days_in(year: int, month: int) -> int:
    """Days in the month, by arithmetic alone (any year, unlike ``calendar.monthrange``)."""
    if month == 2:
        return 29 if calendar.isleap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _unreadable(text: str) -> AuditInputProblem:
    return AuditInputProblem(
        f"“{_shown(text)}” is not a date I can read. Write the audit date day/month/year, "
        f"like {DATE_EXAMPLES}.",
        "audit_date",
    )


def _not_ascii(text: str) -> AuditInputProblem:
    return AuditInputProblem(
        f"“{_shown(text)}”: write dates with the digits 0 to 9, like {DATE_EXAMPLES}.",
        "audit_date",
    )


# --- small helpers -----------------------------------------------------------------------------


def _month(word: str) -> int | None:
    return _MONTHS.get(_trim(word, ",.").lower())


def _number(word: str) -> str | None:
    """The digits of a day or year as written: "30", "30th", "30," -> "30"; else None.

    Any Unicode digit counts here, so that a day in full-width or superscript digits is refused
    rather than filed as the note; the caller checks for ASCII before converting.
    """
    digits = _ordinal(_trim(word, ",."))
    return digits if digits.isdigit() else None


def _ordinal(text: str) -> str:
    if len(text) > 2 and text[-2:].lower() in _ORDINALS and text[-3].isdigit():
        return text[:-2]
    return text


def _trim(word: str, ends: str) -> str:
    """``word`` without one trailing character from ``ends`` (a comma after a date, say)."""
    return word[:-1] if len(word) > 1 and word[-1] in ends else word


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _shown(text: str) -> str:
    """The sender's text, cut short enough to quote back."""
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _long(day: date) -> str:
    return f"{day.day} {_MONTH_NAMES[day.month]} {day.year}"
