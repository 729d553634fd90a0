"""The platform-neutral reply every command returns.

Commands describe *what* to say in plain text (no markup); renderers decide how it
looks in a terminal or in Block Kit, and escape it for the platform.
"""

from __future__ import annotations

from dataclasses import dataclass


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
class Reply:
    """One answer.

    ``headline`` is the sentence that answers the question on its own: it leads the
    plain-text fallback and notifications. ``ok`` is False when the request itself
    was wrong, so adapters can keep it private. ``share`` is the command text that
    reproduces the reply, for "Share in channel". ``announce`` asks adapters to post
    it for everyone rather than only to the person who asked; ``duplicate`` marks
    the answer to a delivery that was already handled (a retry), which adapters
    need not repeat. ``recorded_by`` is the user who made a record, for attribution.
    """

    title: str
    headline: str
    sections: tuple[Section, ...] = ()
    source: str | None = None
    ok: bool = True
    share: str | None = None
    announce: bool = False
    duplicate: bool = False
    recorded_by: str | None = None
    chart: str | None = None  # a board report whose chart adapters can attach


def problem(title: str, headline: str, *sections: Section) -> Reply:
    """A friendly reply to a request that could not be carried out."""
    return Reply(title=title, headline=headline, sections=sections, ok=False)
