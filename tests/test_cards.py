"""The Adaptive Card renderer: valid Adaptive Card 1.5, inert text, within Teams' limits."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft6Validator, Draft7Validator, validators
from jsonschema.exceptions import best_match
from markdown_it import MarkdownIt

from bot.app.form_specs import audit_form
from bot.forms import PRIVACY_HINT, FormKind
from bot.reply import Action, ActionKind, Field, Person, Reply, Section, share_action
from bot.teams.cards import (
    CONTENT_TYPE,
    MAX_ACTIVITY_BYTES,
    SCHEMA_URL,
    TRIMMED_NOTE,
    WORD_JOINER,
    card,
    escape,
    fit,
    message_activity,
    size,
)
from bot.teams.forms import SUBMITS
from bot.teams.forms import card as dialog_card

SCHEMAS = Path(__file__).parent / "schemas"
AC_SCHEMA = json.loads((SCHEMAS / "adaptive-card-1.5.json").read_text())


def _any_of(validator: Any, any_of: list[Any], instance: Any, schema: Any) -> Any:
    """jsonschema's ``anyOf`` with the same verdict, sooner: each alternative is tried only
    up to its first error (the card schema lists every element type as an alternative),
    and all their errors are gathered, for the message, only when none fits."""
    for index, subschema in enumerate(any_of):
        if next(validator.descend(instance, subschema, schema_path=index), None) is None:
            return
    yield from Draft6Validator.VALIDATORS["anyOf"](validator, any_of, instance, schema)


AC = validators.extend(Draft6Validator, {"anyOf": _any_of})(
    AC_SCHEMA, format_checker=Draft6Validator.FORMAT_CHECKER
)
# What the desktop and web clients do with TextBlock text: CommonMark, here with raw HTML
# passed through (the worst case) and GFM tables and strike-through switched on.
MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

NASTY = "<at>Jane</at> [click](http://evil) **bold** <!channel> & co"
LIVE_MENTION = re.compile(r"<\s*/?\s*at\b", re.IGNORECASE)
ALLOWED = {
    "size": {"Large", "Small"},
    "weight": {"Bolder"},
    "color": {"Attention"},
    "style": {"emphasis", "positive", "compact"},
    "spacing": {"Small", "Medium"},
}


# --- helpers ---------------------------------------------------------------------------


def walk(node: Any):
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def markdown_texts(payload: Any) -> list[str]:
    """Every string a Teams client runs through markdown: TextBlocks and facts."""
    out: list[str] = []
    for node in walk(payload):
        if isinstance(node, dict) and node.get("type") == "TextBlock":
            out.append(node["text"])
        if isinstance(node, dict) and node.get("type") == "FactSet":
            out.extend(s for fact in node["facts"] for s in (fact["title"], fact["value"]))
    return out


def activity_texts(activity: dict[str, Any]) -> list[str]:
    """The card's markdown texts plus the activity's own text and summary."""
    return [*markdown_texts(activity), activity["text"], activity["summary"]]


# Cards already found valid, by their JSON: the fuzz tests render the same cards many times,
# and checking one against the schema costs milliseconds.
_VALID: set[str] = set()


def assert_valid_card(content: dict[str, Any]) -> None:
    seen = json.dumps(content, sort_keys=True)
    if seen not in _VALID:
        error = best_match(AC.iter_errors(content))
        assert error is None, f"{error.message} at {list(error.absolute_path)}"
    assert content["$schema"] == SCHEMA_URL and "schema" not in content
    assert content["type"] == "AdaptiveCard" and content["version"] == "1.5"
    for node in walk(content):
        assert node is not None, "no nulls"
        if isinstance(node, dict):
            for key, allowed in ALLOWED.items():
                if key in node and not isinstance(node[key], bool):
                    assert node[key] in allowed, (key, node[key])
            if node.get("type") == "TextBlock":
                assert node["text"], "an empty TextBlock breaks Android rendering"
    _VALID.add(seen)


def assert_inert(text: str) -> None:
    """Rendered as CommonMark, ``text`` is plain paragraphs: no link, mention, emphasis,
    heading, list, quote, code, table or raw HTML."""
    assert not LIVE_MENTION.search(text), text
    rendered = MD.render(text)
    tags = set(re.findall(r"<(/?[a-zA-Z][a-zA-Z0-9]*)", rendered))
    assert tags <= {"p", "/p", "br"}, (text, rendered)


def shown(text: str) -> str:
    """What a CommonMark client shows for ``text``, whitespace collapsed."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", MD.render(text)))
    return " ".join(plain.replace(WORD_JOINER, "").split())


def everything() -> Reply:
    return Reply(
        title="Stockton-on-Tees YOS",
        headline="Rated Good overall (2013).",
        sections=(
            Section(heading="Summary", text="Line one.\nLine two."),
            Section(heading="Quote", text="Inspectors said:\nwell done", quote=True),
            Section(heading="Actions", items=("Do this", "Then that")),
            Section(
                heading="Scores",
                fields=tuple(Field(f"Theme {i}", f"{60 + i}% ★★★") for i in range(12)),
            ),
            Section(items=("no heading",), fields=(Field("a", "b"),)),
        ),
        source="HMIP SQS · published 1 May 2013",
        actions=(
            share_action("inspection", "stockton"),
            Action(ActionKind.AUDIT_FORM, "Record audit update", (("ref", "R1"),), primary=True),
            Action(ActionKind.POST_REPORT, "Post the board report", (("service", "stockton"),)),
        ),
        recorded_by=Person(id="U1", name="Sam Auditor", platform="slack"),
        shared_by=Person(id="29:abc", name="Alex", platform="teams"),
    )


# --- schemas ---------------------------------------------------------------------------


def test_vendored_schemas_are_schemas():
    Draft6Validator.check_schema(AC_SCHEMA)
    for version in ("v1.17", "v1.30"):
        path = SCHEMAS / "teams" / version / "MicrosoftTeams.schema.json"
        # Not checking 'format: regex': v1.30 has one ECMAScript-only \p{L} pattern.
        Draft7Validator.check_schema(json.loads(path.read_text()), format_checker=None)


def test_the_schema_really_checks():
    good = card(Reply(title="T", headline="H"))
    assert_valid_card(good)
    assert not AC.is_valid({**good, "body": [{"type": "TextBlock"}]})  # no text
    assert not AC.is_valid({**good, "body": [{"type": "TextBlock", "text": None}]})
    assert not AC.is_valid({**good, "msteams": {"width": "Full"}})  # no extra root keys


REPLIES = {
    "bare": Reply(title="T", headline="H"),
    "everything": everything(),
    "problem": Reply(title="Sorry", headline="No such service.", ok=False, private=True),
    "empty parts": Reply(
        title="T", headline=" ", sections=(Section(), Section(heading=" ", text="\n"))
    ),
}


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_representative_replies_are_valid_cards(name):
    activity = message_activity(REPLIES[name], shared_by_label="Pat")
    assert activity["type"] == "message"
    assert activity["attachments"][0]["contentType"] == CONTENT_TYPE
    assert_valid_card(activity["attachments"][0]["content"])
    assert None not in walk(activity)
    assert size(activity) < MAX_ACTIVITY_BYTES


# --- layout ----------------------------------------------------------------------------


def test_layout():
    body = card(everything())["body"]
    title, headline = body[0], body[1]
    assert title == {
        "type": "TextBlock",
        "text": "Stockton-on-Tees YOS",
        "wrap": True,
        "size": "Large",
        "weight": "Bolder",
        "id": "title",
    }
    assert headline["text"] == "Rated Good overall (2013)." and headline["wrap"] is True
    texts = [b.get("text") for b in body]
    assert texts[2:4] == ["Summary", "Line one.\n\nLine two."]
    assert body[2]["weight"] == "Bolder" and "separator" not in body[2]
    assert body[4]["separator"] is True  # later headings are set apart
    quote = body[5]
    assert quote["type"] == "Container" and quote["style"] == "emphasis"
    assert quote["items"][0]["text"] == "Inspectors said:\n\nwell done"
    assert "• Do this" in texts and "• Then that" in texts
    facts = [b for b in body if b["type"] == "FactSet"]
    assert [len(f["facts"]) for f in facts] == [10, 2, 1]
    assert facts[0]["facts"][0] == {"title": "Theme 0", "value": "60% ★★★"}
    footer = body[-1]
    assert footer["isSubtle"] is True and footer["size"] == "Small"
    assert footer["text"] == (
        "HMIP SQS · published 1 May 2013 · Recorded by Sam Auditor · Shared by Alex"
    )


def test_shared_by_label_wins():
    footer = card(everything(), shared_by_label="Pat")["body"][-1]["text"]
    assert footer.endswith("Shared by Pat")
    assert "Shared by" not in json.dumps(card(Reply(title="T", headline="H")))


def test_actions_are_submits_with_neutral_data():
    extra = {"type": "Action.OpenUrl", "title": "Help", "url": "https://example.org/help"}
    actions = card(everything(), extra_actions=[extra])["actions"]
    assert actions[0] == {
        "type": "Action.Submit",
        "title": "Share in channel",
        "data": {"action": "share", "command": "inspection", "args": "stockton"},
    }
    assert actions[1] == {
        "type": "Action.Submit",
        "title": "Record audit update",
        "data": {"action": "audit_form", "ref": "R1", "msteams": {"type": "task/fetch"}},
        "style": "positive",
    }
    assert actions[2]["data"] == {"action": "post_report", "service": "stockton"}
    assert actions[3] == extra
    assert "actions" not in card(Reply(title="T", headline="H"))


def test_a_payload_may_not_claim_the_action_key():
    bad = Reply(
        title="T", headline="H", actions=(Action(ActionKind.SHARE, "x", (("action", "y"),)),)
    )
    with pytest.raises(ValueError, match="reserved"):
        card(bad)


# --- size ------------------------------------------------------------------------------


def test_a_500_item_reply_is_trimmed_under_28kb_and_says_so():
    reply = Reply(
        title="All recommendations",
        headline="500 of them.",
        sections=(
            Section(heading="Items", items=tuple(f"Item {i} " + "x" * 80 for i in range(500))),
        ),
        source="HMIP",
        actions=(share_action("recs"),),
        recorded_by=Person(name="Sam"),
    )
    activity = message_activity(reply)
    content = activity["attachments"][0]["content"]
    assert size(activity) < MAX_ACTIVITY_BYTES
    assert len(json.dumps(activity, ensure_ascii=False).encode()) < MAX_ACTIVITY_BYTES
    assert_valid_card(content)
    body = content["body"]
    assert body[0]["id"] == "title" and body[1]["id"] == "headline"
    assert body[-2]["text"] == TRIMMED_NOTE and body[-1]["id"] == "footer"
    assert content["actions"]  # the buttons survive trimming
    items = [b for b in body if b["text"].startswith("• ")]
    assert 100 < len(items) < 500
    assert items[-1]["text"].startswith(f"• Item {len(items) - 1} ")  # a prefix, in order


def test_fit_leaves_a_small_card_alone():
    small = card(everything())
    assert fit(small) is small


def test_even_monstrous_kept_parts_fit():
    huge = "😀<" * 20_000
    reply = Reply(
        title=huge,
        headline=huge,
        sections=(Section(text=huge, items=(huge,) * 3),),
        source=huge,
        actions=(Action(ActionKind.SHARE, "Share", (("args", "y" * 40_000),)),),
    )
    activity = message_activity(reply)
    assert size(activity) < MAX_ACTIVITY_BYTES
    content = activity["attachments"][0]["content"]
    assert_valid_card(content)
    assert "actions" not in content  # the last resort
    for text in activity_texts(activity):
        assert_inert(text)


# --- escaping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("**bold** _it_ ~x~ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\~x\\~ \\`code\\`"),
        ("[click](http://evil)", "\\[click\\](http://evil)"),
        ("<at>Jane</at>", f"<{WORD_JOINER}at>Jane<{WORD_JOINER}/at>"),
        ("Tom & Jerry &amp; &#60;", f"Tom & Jerry &{WORD_JOINER}amp; &{WORD_JOINER}#60;"),
        ("# not a heading", f"{WORD_JOINER}# not a heading"),
        (
            "1. one\n- two\n> three",
            f"{WORD_JOINER}1. one\n{WORD_JOINER}- two\n{WORD_JOINER}> three",
        ),
        ("{{DATE(2017-02-14T06:00:00Z)}}", f"{{{WORD_JOINER}{{DATE(2017-02-14T06:00:00Z)}}}}"),
        ("a\\*b", "a\\\\\\*b"),
        ("2013-14 (good) 91% ★", "2013-14 (good) 91% ★"),
    ],
)
def test_escape(raw, escaped):
    assert escape(raw) == escaped
    assert_inert(escape(raw))
    assert shown(escape(raw)) == " ".join(raw.split())


@pytest.mark.parametrize(
    "raw",
    [
        NASTY,
        "Title\n===\nSub\n---",
        "    indented code",
        "```\nfenced\n```",
        "a | b\n--|--\n1 | 2",
        "![img](http://x/y.png)",
        "<http://evil.example>",
        "<b>bold</b><!-- c --><script>x</script>",
        "* * *\n+ item\n2) two",
        "[ref]: http://evil\n[ref]",
        "trailing backslash \\",
    ],
)
def test_escaped_text_renders_as_typed(raw):
    assert_inert(escape(raw))
    assert shown(escape(raw)) == " ".join(raw.split())


def test_user_text_is_inert_in_text_blocks_facts_and_the_activity_text():
    reply = Reply(
        title=NASTY,
        headline=NASTY,
        sections=(
            Section(heading=NASTY, text=NASTY, items=(NASTY,), fields=(Field(NASTY, NASTY),)),
        ),
        source=NASTY,
        recorded_by=Person(name=NASTY),
    )
    activity = message_activity(reply, shared_by_label=NASTY)
    texts = activity_texts(activity)
    assert len(texts) >= 9
    serialised = json.dumps(activity, ensure_ascii=False)
    for fragment in ("<at>", "</at>", "<!channel>", "[click]", "**bold**", "&amp;"):
        assert fragment not in serialised
    for text in texts:
        assert_inert(text)
        assert "Jane" in shown(text) and "& co" in shown(text)
    assert shown(activity["text"]) == f"{NASTY}: {NASTY}"


# --- the audit form --------------------------------------------------------------------

RECS = [("R1", "Improve case management"), ("R2", "Review <at>risk</at> plans")]
AUDIT_FORM_SUBMIT = SUBMITS[FormKind.AUDIT]


def form_card(
    recs: list[tuple[str, str]],
    today_iso: str,
    *,
    prefill: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    hidden: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The audit form as the Teams dialog shows it."""
    spec = audit_form(recs, date.fromisoformat(today_iso), prefill or {}, linked=False)
    return dialog_card(replace(spec, errors=errors or {}), hidden)


def inputs(form: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["id"]: b for b in form["body"] if b["type"].startswith("Input.")}


def test_the_form():
    form = form_card(RECS, "2014-02-20", hidden={"message_id": "1234"})
    assert_valid_card(form)
    fields = inputs(form)
    assert list(fields) == ["recommendation", "audit_date", "audited", "compliant", "note"]
    picker = fields["recommendation"]
    assert picker["type"] == "Input.ChoiceSet" and picker["isRequired"] is True
    assert picker["choices"][1] == {"title": "R2: Review <at>risk</at> plans", "value": "R2"}
    assert "value" not in picker  # two to choose from: no guess
    assert fields["audit_date"] == {
        "type": "Input.Date",
        "id": "audit_date",
        "label": "Audit date",
        "isRequired": True,
        "errorMessage": "Pick the date of the audit.",
        "value": "2014-02-20",
        "max": "2014-02-20",
    }
    assert (fields["audited"]["min"], fields["compliant"]["min"]) == (1, 0)
    assert fields["audited"]["isRequired"] and fields["compliant"]["isRequired"]
    assert fields["note"]["isMultiline"] is True and fields["note"]["maxLength"] == 1000
    assert "isRequired" not in fields["note"]
    assert PRIVACY_HINT in [b.get("text") for b in form["body"]]
    assert form["actions"] == [
        {
            "type": "Action.Submit",
            "title": "Record",
            "data": {"action": AUDIT_FORM_SUBMIT, "message_id": "1234"},
            "style": "positive",
        }
    ]


def test_the_form_with_prefill_and_errors():
    form = form_card(
        RECS,
        "2014-02-20",
        prefill={
            "ref": "R2",
            "audited": "20",
            "compliant": 18,
            "note": "ok",
            "audit_date": "2014-02-01",
        },
        errors={"compliant": "Can't be more than **audited** <at>x</at>", "audited": "Too few"},
    )
    assert_valid_card(form)
    fields = inputs(form)
    assert fields["recommendation"]["value"] == "R2"
    assert fields["audit_date"]["value"] == "2014-02-01"
    assert (fields["audited"]["value"], fields["compliant"]["value"]) == (20, 18)
    assert fields["note"]["value"] == "ok"
    errors = [b for b in form["body"] if b.get("color") == "Attention"]
    assert [e["text"] for e in errors] == [
        "Cases audited: Too few",
        "Cases compliant: Can't be more than \\*\\*audited\\*\\* "
        f"<{WORD_JOINER}at>x<{WORD_JOINER}/at>",
    ]
    assert form["body"].index(errors[-1]) < form["body"].index(fields["recommendation"])


def test_the_form_writes_counts_and_lengths_as_whole_numbers():
    # A client may hand a prefilled value back as written: "20.0" is not a count.
    form = form_card(RECS, "2014-02-20", prefill={"audited": "20", "compliant": 18})
    fields = inputs(form)
    numbers = [
        fields["audited"]["value"],
        fields["audited"]["min"],
        fields["compliant"]["value"],
        fields["compliant"]["min"],
        fields["note"]["maxLength"],
    ]
    assert numbers == [20, 1, 18, 0, 1000]
    assert all(type(number) is int for number in numbers)


def test_the_form_ignores_prefill_it_cannot_use():
    form = form_card(RECS[:1], "2014-02-20", prefill={"ref": "R9", "audited": "lots", "note": None})
    assert_valid_card(form)
    fields = inputs(form)
    assert fields["recommendation"]["value"] == "R1"  # the only one
    assert "value" not in fields["audited"] and "value" not in fields["note"]


def test_hidden_pairs_may_not_shadow_inputs():
    with pytest.raises(ValueError, match="clash"):
        form_card(RECS, "2014-02-20", hidden={"note": "x"})


# --- properties ------------------------------------------------------------------------

MARKUP = st.sampled_from([*"*_~`[]()!#>+-=|:<>&{}\\/.1 \n\t", "<at>", "](", "http://", "&amp;"])
TEXT = st.one_of(st.lists(MARKUP | st.characters(), max_size=30).map("".join), st.text(max_size=40))
PRINTABLE = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029")
    | st.sampled_from(list("\n*_[]<>&#-`")),
    max_size=40,
)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    st.lists(MARKUP | st.characters(blacklist_categories=("Cc", "Cs")), max_size=40).map("".join)
)
def test_any_text_escapes_to_inert_text_shown_as_typed(raw):
    assert_inert(escape(raw))
    assert shown(escape(raw)) == " ".join(raw.replace(WORD_JOINER, "").split())


@FAST
@given(
    title=TEXT,
    headline=TEXT,
    sections=st.lists(
        st.builds(
            Section,
            heading=st.none() | TEXT,
            text=st.none() | TEXT,
            items=st.lists(TEXT, max_size=3).map(tuple),
            fields=st.lists(st.builds(Field, TEXT, TEXT), max_size=3).map(tuple),
            quote=st.booleans(),
        ),
        max_size=3,
    ).map(tuple),
    source=st.none() | TEXT,
    who=st.none() | st.builds(Person, name=st.none() | TEXT),
    shared=st.none() | PRINTABLE,
)
def test_any_reply_gives_a_valid_inert_card_under_the_limit(
    title, headline, sections, source, who, shared
):
    reply = Reply(
        title=title,
        headline=headline,
        sections=sections,
        source=source,
        recorded_by=who,
        actions=(share_action("x", "y"),),
    )
    activity = message_activity(reply, shared_by_label=shared)
    assert size(activity) < MAX_ACTIVITY_BYTES
    assert_valid_card(activity["attachments"][0]["content"])
    for text in activity_texts(activity):
        assert_inert(text)


def test_form_buttons_open_dialogs_and_buttons_past_six_go_in_the_overflow_menu():
    progress = [
        Action(ActionKind.PROGRESS_FORM, f"Record progress on R1.{n}", (("ref", f"R1.{n}"),))
        for n in range(1, 7)
    ]
    reply = Reply(
        title="Home",
        headline="Your actions.",
        actions=(*progress, Action(ActionKind.ACTION_FORM, "Add an action")),
    )
    content = card(reply)
    assert_valid_card(content)
    actions = content["actions"]
    assert all(a["data"]["msteams"] == {"type": "task/fetch"} for a in actions)
    assert [a.get("mode") for a in actions] == [None] * 6 + ["secondary"]
    assert actions[-1]["data"] == {"action": "action_form", "msteams": {"type": "task/fetch"}}
