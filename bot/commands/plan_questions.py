"""Questions about the improvement plan in plain words, and the command each reaches:

* "what's overdue", "anything overdue?", "overdue actions" -> actions overdue
* "what is due this month" / "this week" / "due soon" -> actions due month / week / due
* "who owns R3" -> actions R3; "who owns R3.1" -> action R3.1
* "my actions", "what do I own" -> actions mine
* "how are we doing on the plan", "improvement plan progress" -> plan
* "which recommendations are red" (amber, green) -> plan red
* "when is the next board", "next board meeting" -> board

The dispatcher asks :func:`plan_question` before reading a question by its other words.
"""

from __future__ import annotations

_COLOURS = ("red", "amber", "green")
_PLAN_WORDS = frozenset({"plan", "plans", "actionplan"})
_OWN_WORDS = frozenset({"owns", "owner", "owners", "own", "responsible", "lead", "leads"})


def plan_question(said: list[str], every_word: list[str]) -> tuple[str, str] | None:
    """(command, arguments) for a question about the plan, or None."""
    words = set(said)
    if "overdue" in words or ("late" in words and "actions" in words):
        return "actions", "overdue"
    if _OWN_WORDS & words and ("who" in words or "whose" in words):
        ref = _ref(every_word)
        if ref is not None:
            return ("action", ref) if "." in ref else ("actions", ref)
    if "due" in words and not words & {"board", "report"}:
        for span in ("month", "week"):
            if span in words:
                return "actions", f"due {span}"
        if words & {"soon", "next", "coming", "upcoming", "what", "whats", "anything"}:
            return "actions", "due"
    if ("my" in words and "actions" in words) or ("i" in words and "own" in words):
        return "actions", "mine"
    colour = next((c for c in _COLOURS if c in words), None)
    if colour and words & {"recommendations", "recommendation", "recs", "rec", "which", "what"}:
        return "plan", colour
    if "board" in words and words & {"next", "coming", "upcoming"}:
        return "board", ""
    if words & _PLAN_WORDS and words & {
        "how",
        "doing",
        "progress",
        "going",
        "status",
        "show",
        "improvement",
    }:
        return "plan", ""
    return None


def _ref(every_word: list[str]) -> str | None:
    """R3 or R3.1 among the words ("r3", then "1" for R3.1)."""
    for n, word in enumerate(every_word):
        if word[:1] == "r" and word[1:].isdecimal() and len(word) <= 4:
            after = every_word[n + 1] if n + 1 < len(every_word) else ""
            if after.isdecimal() and len(after) <= 3:
                return f"R{int(word[1:])}.{int(after)}"
            return f"R{int(word[1:])}"
    return None
