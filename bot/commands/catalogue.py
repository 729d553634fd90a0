"""Every command, registered on one registry in the order help lists them."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from bot.commands.registry import Command, Registry


def build_registry(extra: Iterable[Command] = ()) -> Registry:
    """A registry of every command (and ``extra``), in help's order. Raises
    :class:`~bot.commands.registry.RegistryError` when one cannot be answered safely (a
    handler taking a PrivateContext registered cacheable, say)."""
    from bot.commands import actions, audits, inspection, plan, report, services
    from bot.commands.dispatch import help_command_of

    registry = Registry()
    registry.add(help_command_of(registry))
    for module in (inspection, services, actions, audits, report, plan):
        for cmd in module.COMMANDS:
            registry.add(cmd)
    for cmd in extra:
        registry.add(cmd)
    return registry


@functools.cache
def default_registry() -> Registry:
    """The registry built once per process, for whoever is not given one."""
    return build_registry()
