"""Turning what someone typed into a reply.

One registry holds every subcommand with its usage, its help and what it needs of the
asker, so ``help`` can never drift from what exists. ``build_registry`` registers them in
the order help lists them; the application builds one and keeps it. The same dispatcher
serves every front end; how a command is typed on each platform comes in through the
context.
"""

from bot.commands.catalogue import build_registry, default_registry
from bot.commands.dispatch import dispatch
from bot.commands.intent import Intent, interpret
from bot.commands.registry import (
    Command,
    Context,
    Permission,
    PrivateContext,
    RefusalWording,
    Registry,
    RegistryError,
    split_args,
)

__all__ = [
    "Command",
    "Context",
    "Intent",
    "Permission",
    "PrivateContext",
    "RefusalWording",
    "Registry",
    "RegistryError",
    "build_registry",
    "default_registry",
    "dispatch",
    "interpret",
    "split_args",
]
