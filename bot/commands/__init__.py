"""Turning what someone typed into a reply.

One registry holds every subcommand with its usage and help, so ``help`` can never
drift from what exists. The same dispatcher serves every front end; how a command is
typed on each platform comes in through the context.
"""

# ruff: noqa: I001  (the import order below is the order help lists the commands in)
from bot.commands.registry import Command, Context, Permission, registry, split_args
from bot.commands.dispatch import clean, dispatch, interpret
from bot.commands import inspection, services, audits, report
from bot.commands import plan, actions

__all__ = [
    "Command",
    "Context",
    "Permission",
    "actions",
    "audits",
    "clean",
    "dispatch",
    "inspection",
    "interpret",
    "plan",
    "registry",
    "report",
    "services",
    "split_args",
]
