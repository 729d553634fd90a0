"""A reply stored in the outbox reads back as itself, however often the same one is stored
and however many others are stored meanwhile (the last few are remembered both ways)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

from bot.reply import Reply, from_json, to_json

QUESTIONS = [
    "summary",
    "score protecting-public",
    "strengths",
    "recommendations",
    "bands",
    "help",
    "what is R1",
    "frobnicate",
]


def test_every_reply_reads_back_as_itself_and_its_json_is_the_plain_one(ask):
    for question in QUESTIONS:
        reply = ask(question)
        text = to_json(reply)
        assert text == json.dumps(asdict(reply), ensure_ascii=False, separators=(",", ":"))
        assert from_json(text) == reply
        assert to_json(reply) == text  # again: the same text


def test_the_same_reply_read_twice_is_one_object_and_equal_replies_give_one_text(ask):
    reply = ask("score protecting-public")
    text = to_json(reply)
    assert from_json(text) is from_json(text)
    twin = replace(reply)  # equal, another object
    assert twin is not reply and to_json(twin) == text


def test_replies_stored_beyond_those_remembered_still_read_back_right(ask):
    first = ask("summary")
    first_text = to_json(first)
    many = [Reply(title=f"Reply {n}", headline=f"Number {n}") for n in range(300)]
    texts = [to_json(reply) for reply in many]
    assert [from_json(text) for text in texts] == many
    assert from_json(first_text) == first
    assert json.loads(texts[123])["headline"] == "Number 123"
