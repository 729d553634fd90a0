"""What every part of the settings shares: the error a bad setting raises, and how a part
is read from the environment's values and checked.

Each field names its environment variable (its ``validation_alias``), and its checks say
what is wrong without naming it (``must be a whole number, got 'lots'``); the variable is
put in front from where pydantic found the value, so every message names the variable
the administrator set, and a check is written once for every variable it serves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import AliasChoices, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


class Part(BaseSettings):
    """One part of the settings (the core, Slack, Teams), read from environment values."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="ignore",  # the environment holds much else (PATH, HOME, the other parts)
        case_sensitive=True,
        validate_default=False,  # the defaults are already what the checks would return
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only the values given: `bot.config.load_settings` gathers them from .env and the
        # process environment (the environment winning), and a test gives its own, which
        # the process's environment must not leak into.
        return (init_settings,)

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> Self:
        """The part from environment values (blank ones already dropped), or the first
        problem as a ConfigError naming its variable."""
        read = cls.variables()
        try:
            return cls(**{name: value for name, value in values.items() if name in read})
        except ValidationError as invalid:
            raise ConfigError(_first_problem(invalid)) from None

    @classmethod
    def variables(cls) -> frozenset[str]:
        """The environment variables this part reads."""
        names: set[str] = set()
        for field in cls.model_fields.values():
            alias = field.validation_alias
            if isinstance(alias, str):
                names.add(alias)
            elif isinstance(alias, AliasChoices):
                names.update(choice for choice in alias.choices if isinstance(choice, str))
        return frozenset(names)


def _first_problem(invalid: ValidationError) -> str:
    error = invalid.errors(include_url=False)[0]
    variable = ".".join(str(step) for step in error["loc"])
    cause: Any = (error.get("ctx") or {}).get("error")
    problem = str(cause) if isinstance(cause, ValueError) else error["msg"]
    return f"{variable} {problem}" if variable else problem
