"""The note screen (``bot.domain.monitoring.privacy.screen_note``): its time a note on the labelled
corpus, and its work on hostile text 8x as long as a baseline measured in this run.

* Time: every note of ``tests/privacy_corpus`` screened three times after a first pass
  (which loads the name list and the phone metadata). Target: under 5 ms a note.
* Growth: each hostile pattern repeated to 2,000 characters, then to 16,000. The work is
  the lines of ``bot/domain/monitoring/privacy.py`` executed, counted rather than timed, so the
  verdict is exact on any machine; the time is printed beside it, as a check on what a
  line count cannot see (a pattern backtracking inside the regex engine). Target: 8x the
  text within 8x the work, give or take 15% (and 100 lines).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from types import FrameType
from typing import Any

from bench.results import ms, record
from bot.config import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "tests" / "privacy_corpus"
ROUNDS = 3
PER_NOTE_LIMIT = 0.005
BASE_CHARS = 2_000
GROWTH = 8
SLACK = 1.15  # a pattern's unit rarely divides both lengths alike
TIMED_RUNS = 5

# Text built to make a careless pattern backtrack or a careless loop go quadratic.
ADVERSARIAL = {
    "keywords": "DOB born aged YP child CMS case ref PNC NHS ",
    "names": "Jane Doe ",
    "name and age": "Jane, 15 ",
    "digits": "1 ",
    "phone pieces": "+44 (0)7700 ",
    "nhs pieces": "943 476 ",
    "dates": "1 March ",
    "one long word": "a",
    "mention": "<@A|",
    "commas": ",",
    "mixed": "YP Jane Doe DOB 01/03/2008 case ref AB1234567 TS18 1AA 07700 900123 ",
    "listed names": "YP jordan smith Kayden-Lee O'Brien's Grace, Year 10 mum ",
    "addresses": "lives at 4 Elm Road flat 3, Hollybush Court ",
    "spoken emails": "jane.doe (at) gmail (dot) com at ",
    "look-alikes": "077OO 9OO1\u200b23 ",
    "initials": "child K.L. YP K L J. Smith Mrs ",
}
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def corpus_notes() -> list[str]:
    """Every note of the labelled corpus, identifying and safe (``\\uXXXX`` read as the
    character it stands for)."""
    notes = []
    for name in ("identifying.tsv", "safe.tsv"):
        for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                note = line.split("\t", 1)[1] if name == "identifying.tsv" else line
                notes.append(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), note))
    return notes


def lines_executed(run: Callable[[], object]) -> int:
    """How many lines of bot/domain/monitoring/privacy.py run while ``run`` does."""
    from bot.domain.monitoring import privacy

    filename = privacy.__file__
    count = 0

    def trace(frame: FrameType, event: str, _arg: Any) -> Any:
        nonlocal count
        if frame.f_code.co_filename != filename:
            return None
        if event == "line":
            count += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(previous)
    return count


def _time(run: Callable[[], object]) -> float:
    times = []
    for _ in range(TIMED_RUNS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _per_note() -> bool:
    from bot.domain.monitoring.privacy import screen_note

    notes = corpus_notes()
    for note in notes:
        screen_note(note)
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for note in notes:
            screen_note(note)
    each = (time.perf_counter() - started) / (ROUNDS * len(notes))
    print(f"  {len(notes)} corpus notes, {ROUNDS} rounds: {ms(each)} a note")
    return record(
        "screen a corpus note: time",
        ms(each),
        f"< {ms(PER_NOTE_LIMIT)}",
        each < PER_NOTE_LIMIT,
    )


def _growth() -> bool:
    from bot.domain.monitoring.privacy import screen_note

    ok = True
    large_chars = BASE_CHARS * GROWTH
    print(f"  hostile text, {large_chars:,} / {BASE_CHARS:,} characters:")
    for name, unit in ADVERSARIAL.items():
        small_text = (unit * (BASE_CHARS // len(unit) + 1))[:BASE_CHARS]
        large_text = (unit * (large_chars // len(unit) + 1))[:large_chars]
        small = lines_executed(partial(screen_note, small_text))
        large = lines_executed(partial(screen_note, large_text))
        took = _time(partial(screen_note, large_text)) / _time(partial(screen_note, small_text))
        ratio = large / small
        print(f"    {name:14} work {large:9,} / {small:7,} lines = {ratio:5.2f}x, time {took:.2f}x")
        ok &= record(
            f"screen {name}: work, {GROWTH}x / 1x text",
            f"{ratio:.2f}x (time {took:.2f}x)",
            f"<= {GROWTH * SLACK:.1f}x (+100 lines)",
            large <= GROWTH * small * SLACK + 100,
        )
    return ok


def main() -> bool:
    ok = _per_note()
    return _growth() and ok
