"""Adaptive Cards (version 1.5) for Microsoft Teams from a Reply, within Teams' limits.

This mirrors :mod:`bot.slack.blocks`: every piece of user or data text that reaches
a card passes through :func:`escape`, so a note such as ``<at>Jane</at>``,
``[click](http://evil)`` or ``**bold**`` is shown as typed and never acted on.

Escaping rule
-------------
Teams renders a subset of CommonMark in an Adaptive Card ``TextBlock``, in
``Fact.title`` / ``Fact.value`` and in a message's ``text`` ("HTML isn't supported in
Adaptive Cards"). Which subset depends on the client, so the rule has to hold for
both renderers Teams uses:

* desktop and web: the JavaScript renderer hands text to a full CommonMark processor
  (markdown-it by default), which honours backslash escapes of any ASCII punctuation
  and decodes HTML entities such as ``&amp;``;
* iOS and Android: the shared C++ object model (``MarkDownParser``) understands only
  emphasis, ``[text](url)`` links and ``-``/``+``/``*``/``1.`` lists, and itself
  turns ``<``, ``>``, ``&`` and ``"`` into entities before rendering the result as
  HTML. Pre-escaping ``&`` as ``&amp;`` would therefore show up as a literal "&amp;"
  on phones; and it only drops a backslash before ``[ ] )`` and (since 2023) the
  emphasis characters, so a backslash before other punctuation stays visible there.

:func:`escape` therefore does the least that makes text inert on both:

1. ``\\ * _ ` ~ [ ]`` are backslash-escaped everywhere: no emphasis, strike-through,
   code span or link (``[`` and ``]`` escaped means neither ``](`` nor ``![`` can
   form a link or image, so ``( ) !`` are left alone and stay clean on phones).
2. ``<`` gets a WORD JOINER (U+2060, invisible and zero-width) after it, so
   ``<at>…</at>`` can never be a mention and ``<b>``, ``<!channel>`` or
   ``<http://…>`` can never be a tag or an autolink, whether the renderer escapes
   HTML, passes it through or sanitises it. The text still reads exactly as typed.
3. ``&`` followed by a letter, digit or ``#`` gets a word joiner too, so ``&lt;`` or
   ``&#60;`` typed by a user stays those characters instead of being decoded.
4. ``{{`` gets a word joiner between the braces, so ``{{DATE(…)}}`` is not turned into
   a formatted date.
5. A line that starts with a block marker (``# > + - = | :``, or a number followed by
   ``.`` or ``)``; rule 1 covers the others) or with white space gets a leading word
   joiner, so it is plain paragraph text: no heading, quote, list, table, rule, fence
   or indented code.

Entities (``&lt;``) are deliberately *not* used, for the reason above; bare URLs are
deliberately left alone: a bare URL shows its own target, so it cannot disguise a
link the way ``[text](url)`` can (which rule 1 stops), and the sources of inspection
data should stay clickable. This matches the Slack renderer, where Slack links bare
URLs too.

Buttons
-------
Each :class:`~bot.reply.Action` becomes an ``Action.Submit`` whose ``data`` is the
action's neutral payload plus ``"action": kind.value``. Teams delivers a plain submit
from a message to the bot as a ``message`` activity with that object as its
``value`` and no text, so nothing appears in the conversation ("messageBack" with a
``displayText`` would post the button's label as if the user had typed it, in front
of everyone in a channel, so it is not used). The exceptions are the buttons that
open a form (:data:`DIALOG_KINDS`: the audit form, and the improvement plan's
add-action and progress forms), whose data also carries
``"msteams": {"type": "task/fetch"}``: Teams then sends a ``task/fetch`` invoke
(with the same data) and opens the dialog the bot answers with (drawn by
:mod:`bot.teams.forms`). Past :data:`MAX_SHOWN_ACTIONS` buttons, the
rest go in the card's overflow menu (``"mode": "secondary"``).

Input labels, choice titles and button titles are plain text to Teams (no markdown),
so they are not escaped.

People are shown by name, never as mentions: a Teams mention needs an ``msteams``
property at the card's root, which the Adaptive Card schema does not allow. Charts
(:class:`~bot.reply.Chart`) are for the adapter to attach as images.

Size
----
Teams refuses a message of more than about 28 KB. :func:`fit` keeps the serialised
activity (``json.dumps`` with compact separators and its default ASCII escaping,
which is never smaller than the UTF-8 form, so the bound holds either way) under
:data:`MAX_ACTIVITY_BYTES` less :data:`ENVELOPE_HEADROOM` for the fields an adapter
adds (``from``, ``conversation``, ``replyToId``…), dropping trailing body elements
and saying so, as :func:`bot.slack.blocks.fit` does.

Models
------
Cards are built with the Teams SDK's card models (``microsoft_teams.cards``), which
check each property's type and allowed values as they are made, and are turned into
JSON once, by :func:`card_json`, before they are fitted: so :func:`card` and the forms
return the JSON Teams is sent, as the adapter's own parts of a card are (the forms'
dialogs are drawn by ``bot.teams.forms``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from microsoft_teams.cards import (
    Action,
    AdaptiveCard,
    CardElement,
    Container,
    Fact,
    FactSet,
    SerializableObject,
    Spacing,
    SubmitAction,
    TaskFetchSubmitActionData,
    TextBlock,
)

from bot.mentions import shown
from bot.reply import ActionKind, Field, Reply, Section

# The JSON Teams is sent: a card, and one of its elements or actions.
Element = dict[str, Any]
Card = dict[str, Any]

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION: Final = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Teams refuses a bot message much over 28 KB; keep the activity we build under this,
# less room for what the adapter adds to the activity before sending it.
MAX_ACTIVITY_BYTES = 28_000
ENVELOPE_HEADROOM = 1_024

# Our own bounds, so no single piece of text can swamp a card (fit() does the rest).
MAX_TITLE = 200
MAX_TEXT = 4_000
MAX_ITEM = 1_000
MAX_FACT_TITLE = 200
MAX_FACT_VALUE = 2_000
MAX_FOOTER = 1_000
MAX_FALLBACK_TEXT = 1_000
MAX_SUMMARY = 250
MAX_BUTTON_TITLE = 100
FACTS_PER_SET = 10

# Buttons that open a dialog (task/fetch) rather than being delivered as a message.
DIALOG_KINDS = frozenset({ActionKind.AUDIT_FORM, ActionKind.ACTION_FORM, ActionKind.PROGRESS_FORM})
# Teams shows about six buttons in a row; the rest go in the card's overflow menu.
MAX_SHOWN_ACTIONS = 6
TRIMMED_NOTE = "Some of this answer was left out to fit in one message."

# Element ids that fit() keeps when it drops trailing elements.
TITLE_ID = "title"
HEADLINE_ID = "headline"
FOOTER_ID = "footer"
TRIMMED_ID = "trimmed"

RESERVED_DATA_KEYS = frozenset({"action", "msteams"})

WORD_JOINER = "\u2060"
_INLINE = re.compile(r"([\\`*_~\[\]])")
_AMPERSAND = re.compile(r"&(?=[#A-Za-z0-9])")
_DOUBLE_BRACE = re.compile(r"\{(?=\{)")
_BLOCK_START = re.compile(r"^(?=[ \t]|[#>+\-=|:]|[0-9]+[.)])", re.MULTILINE)


def escape(text: str) -> str:
    """``text`` made inert for Teams markdown (see the module docstring for the rule),
    any neutral mention written as the name it stands for."""
    text = shown(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _INLINE.sub(r"\\\1", text)
    text = text.replace("<", "<" + WORD_JOINER)
    text = _AMPERSAND.sub("&" + WORD_JOINER, text)
    text = _DOUBLE_BRACE.sub("{" + WORD_JOINER, text)
    return _BLOCK_START.sub(WORD_JOINER, text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def markdown(text: str, limit: int = MAX_TEXT) -> str:
    """Plain ``text`` as TextBlock markdown: clipped, escaped, and with each line break
    doubled, since a single newline is only a space to a CommonMark renderer."""
    return "\n\n".join(escape(line) for line in clip(text, limit).splitlines() if line.strip())


def to_json(model: SerializableObject) -> Element:
    """An element, action or their data as the JSON Teams is sent: camelCase names, no
    unset properties."""
    return model.model_dump(by_alias=True, exclude_none=True)


def card_json(card: AdaptiveCard) -> Card:
    """A card as the JSON Teams is sent. The SDK names the schema URL ``schema``, which
    the Adaptive Card 1.5 schema refuses: it allows only ``$schema``."""
    return {("$schema" if key == "schema" else key): value for key, value in to_json(card).items()}


def text_block(text: str, **props: Any) -> Element:
    """A wrapping TextBlock of already-escaped ``text``; ``props`` (its JSON property
    names) add to or override."""
    return to_json(TextBlock(text=text, wrap=True, **props))


def subtle(text: str, **props: Any) -> Element:
    return text_block(text, isSubtle=True, size="Small", **props)


def _facts(fields: Sequence[Field]) -> list[FactSet]:
    return [
        FactSet(
            facts=[
                Fact(
                    title=escape(clip(f.label, MAX_FACT_TITLE)),
                    value=escape(clip(f.value, MAX_FACT_VALUE)),
                )
                for f in fields[start : start + FACTS_PER_SET]
            ]
        )
        for start in range(0, len(fields), FACTS_PER_SET)
    ]


def section_elements(part: Section, *, first: bool = False) -> list[CardElement]:
    """The elements of one section: heading, text (quoted in an emphasis container),
    one bullet line per item, and facts."""
    elements: list[CardElement] = []
    if part.heading and part.heading.strip():
        heading = markdown(part.heading, MAX_TITLE)
        elements.append(
            TextBlock(text=heading, wrap=True, weight="Bolder")
            if first
            else TextBlock(
                text=heading, wrap=True, weight="Bolder", separator=True, spacing="Medium"
            )
        )
    if part.text and part.text.strip():
        body = TextBlock(text=markdown(part.text), wrap=True)
        if part.quote:
            elements.append(Container(style="emphasis", items=[body]))
        else:
            elements.append(body)
    elements.extend(
        TextBlock(text="• " + markdown(item, MAX_ITEM), wrap=True, spacing="Small")
        for item in part.items
        if item.strip()
    )
    elements.extend(_facts(part.fields))
    return elements


def _footer(reply: Reply, shared_by_label: str | None) -> list[TextBlock]:
    notes = []
    if reply.source and reply.source.strip():
        notes.append(reply.source)
    if reply.recorded_by:
        notes.append(f"Recorded by {reply.recorded_by.label}")
    shared = shared_by_label or (reply.shared_by.label if reply.shared_by else None)
    if shared:
        notes.append(f"Shared by {shared}")
    if not notes:
        return []
    text = markdown(" · ".join(notes), MAX_FOOTER)
    return [_subtle(text, id=FOOTER_ID, spacing="Medium")]


def _subtle(text: str, *, id: str | None = None, spacing: Spacing | None = None) -> TextBlock:
    return TextBlock(text=text, wrap=True, is_subtle=True, size="Small", id=id, spacing=spacing)


def submit_action(title: str, data: Mapping[str, Any], *, primary: bool = False) -> SubmitAction:
    return SubmitAction(
        title=clip(title, MAX_BUTTON_TITLE),
        data=dict(data),
        style="positive" if primary else None,
    )


def reply_actions(reply: Reply) -> list[SubmitAction]:
    """Each typed action as an ``Action.Submit`` carrying ``{"action": kind, **payload}``."""
    actions: list[SubmitAction] = []
    for action in reply.actions:
        payload = dict(action.payload)
        clash = RESERVED_DATA_KEYS & payload.keys()
        if clash:
            raise ValueError(f"action payload uses reserved keys: {sorted(clash)}")
        data: dict[str, Any] = {"action": action.kind.value, **payload}
        if action.kind in DIALOG_KINDS:
            data["msteams"] = to_json(TaskFetchSubmitActionData())  # open the form as a dialog
        element = submit_action(action.label, data, primary=action.primary)
        if len(actions) >= MAX_SHOWN_ACTIONS:
            element.with_mode("secondary")  # in the card's "…" menu, not a row of buttons
        actions.append(element)
    return actions


def _new_card(body: Sequence[CardElement], actions: Sequence[Action] = ()) -> AdaptiveCard:
    return AdaptiveCard(
        version=CARD_VERSION,
        body=list(body),
        actions=list(actions) or None,
    ).with_schema(SCHEMA_URL)


def card(
    reply: Reply,
    *,
    shared_by_label: str | None = None,
    extra_actions: Iterable[Element] | None = None,
) -> Card:
    """The reply as an Adaptive Card. ``shared_by_label`` names who shared it (it
    overrides ``reply.shared_by``); ``extra_actions`` are the adapter's own raw actions,
    added after the reply's. Not yet size-checked: see :func:`fit`."""
    body: list[CardElement] = []
    if reply.title.strip():
        title = markdown(reply.title, MAX_TITLE)
        body.append(TextBlock(text=title, wrap=True, size="Large", weight="Bolder", id=TITLE_ID))
    if reply.headline.strip():
        body.append(TextBlock(text=markdown(reply.headline), wrap=True, id=HEADLINE_ID))
    for index, part in enumerate(reply.sections):
        body.extend(section_elements(part, first=index == 0))
    body.extend(_footer(reply, shared_by_label))
    content = card_json(_new_card(body, reply_actions(reply)))
    extra = list(extra_actions or ())
    if extra:
        content["actions"] = [*content.get("actions", ()), *extra]
    return content


def size(payload: Any) -> int:
    """Bytes of ``payload`` serialised compactly (ASCII-escaped: an upper bound on UTF-8)."""
    return len(json.dumps(payload, separators=(",", ":")).encode("utf-8"))


def fit(card: Card, *, overhead: int = 0, limit: int = MAX_ACTIVITY_BYTES) -> Card:
    """``card`` (a new dict if it had to change) small enough that an activity carrying
    it, whose other parts take ``overhead`` bytes, stays under ``limit`` with
    :data:`ENVELOPE_HEADROOM` to spare.

    Trailing body elements go first (title, headline and footer stay), followed by a
    note saying something was left out; then, if that is not enough, the longest kept
    texts are shortened; and only as a last resort the buttons are dropped."""
    budget = limit - ENVELOPE_HEADROOM - overhead
    if size(card) <= budget:
        return card
    body: list[Element] = card.get("body", [])
    head_count = 0
    while head_count < len(body) and body[head_count].get("id") in (TITLE_ID, HEADLINE_ID):
        head_count += 1
    tail_count = 0
    while tail_count < len(body) - head_count and body[-1 - tail_count].get("id") == FOOTER_ID:
        tail_count += 1
    head, middle = body[:head_count], body[head_count : len(body) - tail_count]
    footer = body[len(body) - tail_count :]
    note = subtle(TRIMMED_NOTE, id=TRIMMED_ID, spacing="Medium")

    def rebuild(kept: list[Element]) -> Card:
        return {**card, "body": [*head, *kept, note, *footer]}

    # Keep the longest prefix of the middle that fits: each kept element costs its own
    # serialised size plus one comma.
    room = budget - size(rebuild([]))
    kept: list[Element] = []
    for element in middle:
        room -= size(element) + 1
        if room < 0:
            break
        kept.append(element)
    trimmed = rebuild(kept)
    while kept and size(trimmed) > budget:  # defensive: the arithmetic above is exact
        kept.pop()
        trimmed = rebuild(kept)
    if size(trimmed) <= budget:
        return trimmed
    return _shrink(trimmed, budget)


def _shrink(card: Card, budget: int) -> Card:
    """Last resorts for a card whose kept parts alone are too big."""
    card = json.loads(json.dumps(card))  # a deep copy we may change
    while size(card) > budget:
        blocks = [b for b in card["body"] if b.get("type") == "TextBlock" and len(b["text"]) > 1]
        if not blocks:
            break
        longest = max(blocks, key=lambda b: size(b["text"]))
        longest["text"] = _clip_escaped(longest["text"], len(longest["text"]) // 2)
    if size(card) > budget:
        card.pop("actions", None)
    if size(card) > budget:
        raise ValueError(f"cannot fit a card into {budget} bytes")
    return card


def _clip_escaped(text: str, limit: int) -> str:
    """Clip already-escaped text without leaving half an escape at the cut."""
    cut = text[: max(limit - 1, 0)]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def fallback_text(reply: Reply) -> str:
    """The plain ``text`` an activity carries for notifications and old clients."""
    return escape(clip(" ".join(f"{reply.title}: {reply.headline}".split()), MAX_FALLBACK_TEXT))


def message_activity(
    reply: Reply,
    *,
    shared_by_label: str | None = None,
    extra_actions: Iterable[Element] | None = None,
    with_text: bool = True,
) -> dict[str, Any]:
    """A Bot Framework ``message`` activity carrying the reply as an Adaptive Card, with
    a plain-text fallback and summary, fitted under Teams' size limit. Teams shows
    ``text`` above the card; ``with_text=False`` leaves it out."""
    activity: dict[str, Any] = {"type": "message"}
    if with_text:
        activity["text"] = fallback_text(reply)
    activity["summary"] = escape(clip(" ".join(reply.headline.split()), MAX_SUMMARY))
    attachment: dict[str, Any] = {"contentType": CONTENT_TYPE, "content": {}}
    activity["attachments"] = [attachment]
    overhead = size(activity) - size({})
    attachment["content"] = fit(
        card(reply, shared_by_label=shared_by_label, extra_actions=extra_actions),
        overhead=overhead,
    )
    return activity


__all__ = [
    "CARD_VERSION",
    "CONTENT_TYPE",
    "ENVELOPE_HEADROOM",
    "MAX_ACTIVITY_BYTES",
    "SCHEMA_URL",
    "TRIMMED_NOTE",
    "WORD_JOINER",
    "card",
    "escape",
    "fallback_text",
    "fit",
    "markdown",
    "message_activity",
    "size",
]
