"""The platform-neutral reply every command returns.

Commands describe *what* to say in plain text (no markup); renderers decide how it
looks in a terminal, in Block Kit or in an Adaptive Card, and escape it for the
platform. Buttons are typed :class:`Action` values, people are :class:`Person`
references and pictures are :class:`Chart` attachments, so no renderer has to guess
what a string means.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Field:
    """A labelled value: "Protecting the public" / "91%  ★★★★ Good"."""

    label: str
    value: str


@dataclass(frozen=True)
class Section:
    heading: str | None = None
    text: str | None = None
    items: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    quote: bool = False


@dataclass(frozen=True)
class Person:
    """Someone the reply names. A renderer shows ``name``, or mentions ``id`` where the
    platform that issued the ID is the one rendering."""

    id: str | None = None
    name: str | None = None
    platform: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id or "someone"


class ActionKind(StrEnum):
    SHARE = "share"  # post this (read-only) answer for everyone in the conversation
    AUDIT_FORM = "audit_form"  # open the form to record an audit update
    POST_REPORT = "post_report"  # post the board report, with its chart, in the conversation
    ACTION_FORM = "action_form"  # open the form to add an action to the improvement plan
    PROGRESS_FORM = "progress_form"  # open the form to record progress on an action


@dataclass(frozen=True)
class Action:
    """A button. ``payload`` is neutral data the application layer understands
    (e.g. the read-only query to share); adapters carry it, never interpret it."""

    kind: ActionKind
    label: str
    payload: tuple[tuple[str, str], ...] = ()
    primary: bool = False

    def get(self, key: str) -> str | None:
        return dict(self.payload).get(key)


@dataclass(frozen=True)
class Chart:
    """The monitoring chart of one recommendation (``ref``) or of all of them."""

    service_id: str
    ref: str | None = None  # None: every recommendation of the service's latest inspection

    @property
    def all_recommendations(self) -> bool:
        return self.ref is None


@dataclass(frozen=True)
class Reply:
    """One answer.

    ``headline`` is the sentence that answers the question on its own: it leads the
    plain-text fallback and notifications. ``ok`` is False when the request itself
    was wrong, so adapters keep it private. ``announcement`` is what everyone in the
    conversation should see because of a record this request made; ``duplicate`` marks
    the answer to a delivery that was already handled (a retry), which adapters need
    not repeat. ``private`` marks a reply (such as an audit note) that must only ever
    go to the person who asked.
    """

    title: str
    headline: str
    sections: tuple[Section, ...] = ()
    source: str | None = None
    ok: bool = True
    actions: tuple[Action, ...] = ()
    recorded_by: Person | None = None
    shared_by: Person | None = None
    attachments: tuple[Chart, ...] = ()
    announcement: Reply | None = None
    duplicate: bool = False
    private: bool = False

    def shareable(self) -> Action | None:
        return next((a for a in self.actions if a.kind is ActionKind.SHARE), None)


def problem(title: str, headline: str, *sections: Section) -> Reply:
    """A friendly reply to a request that could not be carried out."""
    return Reply(title=title, headline=headline, sections=sections, ok=False)


def share_action(command: str, args: str = "") -> Action:
    """ "Share in channel" for a read-only answer: the query it re-asks, never a write."""
    return Action(
        ActionKind.SHARE, "Share in channel", (("command", command), ("args", args.strip()))
    )


# --- storing a reply (the outbox keeps what is to be sent) -----------------------------


class _Stored:
    """The last few replies stored, with their JSON, found either way: a kept answer is
    stored (:func:`to_json`) and read back to be sent (:func:`from_json`) again and again,
    and building either anew costs more than the rest of answering it. A reply is
    immutable, so the one read back may be the very one stored."""

    KEEP = 64

    def __init__(self) -> None:
        self._by_reply: dict[int, tuple[Reply, str]] = {}  # by id(): held, so not reused
        self._by_text: dict[str, Reply] = {}
        self._lock = threading.Lock()

    def text_of(self, reply: Reply) -> str:
        found = self._by_reply.get(id(reply))
        if found is not None and found[0] is reply:
            return found[1]
        text = json.dumps(asdict(reply), ensure_ascii=False, separators=(",", ":"))
        self._keep(reply, text)
        return text

    def reply_of(self, text: str) -> Reply:
        found = self._by_text.get(text)
        if found is not None:
            return found
        reply = _reply(json.loads(text))
        self._keep(reply, text)
        return reply

    def _keep(self, reply: Reply, text: str) -> None:
        with self._lock:
            if len(self._by_reply) >= self.KEEP:  # the oldest out
                oldest, oldest_text = self._by_reply.pop(next(iter(self._by_reply)))
                if self._by_text.get(oldest_text) is oldest:
                    del self._by_text[oldest_text]
            self._by_reply[id(reply)] = (reply, text)
            self._by_text[text] = reply


_stored = _Stored()


def to_json(reply: Reply) -> str:
    return _stored.text_of(reply)


def from_json(text: str) -> Reply:
    return _stored.reply_of(text)


def _reply(data: dict[str, Any]) -> Reply:
    def person(value: dict[str, Any] | None) -> Person | None:
        return Person(**value) if value else None

    return Reply(
        title=data["title"],
        headline=data["headline"],
        sections=tuple(
            Section(
                heading=s["heading"],
                text=s["text"],
                items=tuple(s["items"]),
                fields=tuple(Field(**f) for f in s["fields"]),
                quote=s["quote"],
            )
            for s in data["sections"]
        ),
        source=data["source"],
        ok=data["ok"],
        actions=tuple(
            Action(
                ActionKind(a["kind"]),
                a["label"],
                tuple((str(k), str(v)) for k, v in a["payload"]),
                a["primary"],
            )
            for a in data["actions"]
        ),
        recorded_by=person(data["recorded_by"]),
        shared_by=person(data["shared_by"]),
        attachments=tuple(Chart(**c) for c in data["attachments"]),
        announcement=_reply(data["announcement"]) if data["announcement"] else None,
        duplicate=data["duplicate"],
        private=data["private"],
    )


__all__ = [
    "Action",
    "ActionKind",
    "Chart",
    "Field",
    "Person",
    "Reply",
    "Section",
    "from_json",
    "problem",
    "share_action",
    "to_json",
]
