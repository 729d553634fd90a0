"""A platform's rendering of the last few replies, kept by the reply they show.

Answers repeat (the application keeps a reply until the data changes), and a card takes
longer to render than to look up: :class:`RecentRenderings` renders a reply once while
it is among the last few, for any platform's renderer. What it returns is the one it
keeps, so a caller copies it before changing it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.reply import Reply

Rendered = TypeVar("Rendered")


class _Key:
    """A reply as a key, its hash worked out once (a reply's is worked out anew on every
    call, field by field)."""

    __slots__ = ("hash", "reply")

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        try:
            self.hash: int | None = hash(reply)
        except TypeError:
            self.hash = None

    def __hash__(self) -> int:
        return self.hash or 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self.reply == other.reply


class RecentRenderings(Generic[Rendered]):
    """``render`` of the last ``keep`` replies asked for (safe across threads)."""

    def __init__(self, render: Callable[[Reply], Rendered], keep: int) -> None:
        self.render = render
        self.keep = keep
        self._kept: OrderedDict[_Key, Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, reply: Reply) -> Rendered:
        key = _Key(reply)
        if key.hash is None:  # a reply holding a list, say: rendered each time
            return self.render(reply)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        rendered = self.render(reply)
        with self._lock:
            self._kept[key] = rendered
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
        return rendered
