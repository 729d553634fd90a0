"""Plain records of the improvement plan, as the store returns them (the domain and the
commands read them; nothing here reads the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class State(StrEnum):
    """Where an action stands, as its owner or an auditor last said."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"
    DROPPED = "dropped"


class Rag(StrEnum):
    """A RAG rating, as the board reads it."""

    COMPLETE = "Complete"
    RED = "Red"
    AMBER = "Amber"
    GREEN = "Green"
    NOT_STARTED = "Not started"
    DROPPED = "Dropped"

    @property
    def dot(self) -> str:
        return _DOTS[self]


_DOTS = {
    Rag.COMPLETE: "✔",
    Rag.RED: "🔴",
    Rag.AMBER: "🟠",
    Rag.GREEN: "🟢",
    Rag.NOT_STARTED: "⚪",
    Rag.DROPPED: "✖",
}

# What people type for a RAG (an override, or a plan's own RAG column).
RAG_WORDS: dict[str, Rag] = {
    "red": Rag.RED,
    "r": Rag.RED,
    "amber": Rag.AMBER,
    "a": Rag.AMBER,
    "yellow": Rag.AMBER,
    "orange": Rag.AMBER,
    "green": Rag.GREEN,
    "g": Rag.GREEN,
    "complete": Rag.COMPLETE,
    "completed": Rag.COMPLETE,
    "done": Rag.COMPLETE,
    "blue": Rag.COMPLETE,  # many councils' plans mark completed actions blue
    "not started": Rag.NOT_STARTED,
    "not yet started": Rag.NOT_STARTED,
    "grey": Rag.NOT_STARTED,
}


def rag_from_text(text: str | None) -> Rag | None:
    if not text:
        return None
    return RAG_WORDS.get(" ".join(text.lower().replace("-", " ").split()))


@dataclass(frozen=True)
class Owner:
    """Who owns an action: a person on the platform (``id``), or a named role or person
    who is not on it (``name`` alone)."""

    name: str | None = None
    id: str | None = None
    platform: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id or "no owner"

    @property
    def on_platform(self) -> bool:
        return bool(self.id)


@dataclass(frozen=True)
class Action:
    id: int
    recommendation_id: str
    rec_ref: str
    number: int
    text: str
    owner: Owner
    agency: str | None
    due: date | None
    state: State
    state_reason: str | None
    evidence: str | None
    done_on: date | None
    due_moves: int
    reported_rag: str | None
    created_on: date
    last_progress: date | None = None

    @property
    def ref(self) -> str:
        return f"{self.rec_ref}.{self.number}"


@dataclass(frozen=True)
class Progress:
    id: int
    action_id: int
    on_date: date
    text: str | None
    who: str
    via: str | None
    erased: bool = False


@dataclass(frozen=True)
class Evidence:
    """A supervision or measure figure: ``numerator`` of ``denominator`` on ``on_date``."""

    id: int
    kind: str  # "supervision" or "measure"
    measure: str | None
    numerator: int
    denominator: int
    on_date: date
    note: str | None
    who: str

    @property
    def percent(self) -> float:
        return 100.0 * self.numerator / self.denominator if self.denominator else 0.0

    @property
    def figures(self) -> str:
        return f"{self.numerator}/{self.denominator} ({self.percent:.1f}%)".replace(".0%", "%")


@dataclass(frozen=True)
class Measure:
    name: str
    target: float | None
    period: str | None


@dataclass(frozen=True)
class Override:
    rag: Rag
    reason: str
    who: str
    on_date: date


@dataclass(frozen=True)
class PlanRec:
    """A recommendation as the plan sees it."""

    id: str
    ref: str
    text: str
    addressee: str | None
    standards: tuple[str, ...]
    reported_rag: str | None
    measured: bool  # it has a monitoring window and a target (the seed's R1)
    position: int
    actions: tuple[Action, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    subject: str
    what: str
    before: str | None
    after: str | None
    reason: str | None
    who: str
    via: str | None
    on_date: date
    at: str


@dataclass(frozen=True)
class BoardDate:
    on_date: date
    title: str | None
