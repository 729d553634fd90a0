"""Reading a setting by the flat name it had before the settings were grouped by part:
``settings.slack_bot_token`` is ``settings.slack.bot_token``."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar, cast, overload

T = TypeVar("T")
PartName = Literal["core", "slack", "teams"]


class Flat(Generic[T]):
    """A read-only attribute that is one part's field."""

    def __init__(self, part: PartName, field: str) -> None:
        self.part = part
        self.field = field

    @overload
    def __get__(self, settings: None, owner: type[Any]) -> Flat[T]: ...
    @overload
    def __get__(self, settings: object, owner: type[Any]) -> T: ...
    def __get__(self, settings: object | None, owner: type[Any]) -> Flat[T] | T:
        if settings is None:
            return self
        return cast(T, getattr(getattr(settings, self.part), self.field))


def flat_names(owner: type[Any]) -> dict[str, Flat[Any]]:
    """Every flat name ``owner`` answers to, and the part's field it reads."""
    return {name: value for name, value in vars(owner).items() if isinstance(value, Flat)}
