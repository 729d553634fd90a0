"""The registry: commands registered explicitly in help's order, what each needs of the
asker checked before its handler runs, and no answer that reads the store ever kept."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import (
    Command,
    Context,
    Permission,
    PrivateContext,
    RefusalWording,
    RegistryError,
    build_registry,
    default_registry,
    dispatch,
    split_args,
)
from bot.commands.permissions import markdown
from bot.commands.plan_common import NEEDS, Need
from bot.reply import Reply

README = Path(__file__).resolve().parent.parent / "README.md"


def nobody(_permission: Permission) -> bool:
    return False


def peek(ctx: PrivateContext, args: str) -> Reply:
    """A handler that reads the store, as a note-reading command does."""
    ctx.db.execute("SELECT count(*) FROM audit_updates").fetchone()
    return Reply(title="Peek", headline="peeked")


def figures(ctx: Context, args: str) -> Reply:
    return Reply(title="Figures", headline="inspection data only")


def test_a_handler_taking_the_store_cannot_be_registered_cacheable():
    with pytest.raises(RegistryError, match="peek"):
        build_registry([Command("peek", "peek", "notes", peek)])
    kept = build_registry([Command("peek", "peek", "notes", peek, cacheable=False)])
    assert kept.find("peek").private and not kept.find("peek").cacheable
    assert (
        not build_registry([Command("figures", "figures", "data", figures)]).find("figures").private
    )


def test_a_handler_must_say_which_context_it_takes():
    with pytest.raises(RegistryError, match="declare"):
        build_registry([Command("vague", "vague", "?", lambda ctx, args: Reply("", ""))])


def test_every_cacheable_command_reads_inspection_data_only():
    registry = default_registry()
    for cmd in registry.commands.values():
        assert not (cmd.cacheable and cmd.private), cmd.name
    # Those whose replies show audit evidence or notes are never kept.
    for name in ("summary", "recs", "target", "verdict", "audits", "rec", "home", "action"):
        assert registry.find(name).private and not registry.find(name).cacheable, name


def test_help_lists_the_commands_in_the_order_written_down_once():
    assert list(default_registry().commands) == [
        *("help", "summary", "score", "overall", "scores", "bands", "recs", "target"),
        *("strengths", "quote", "timeline", "compare", "services", "use", "action"),
        *("actions", "audit", "audits", "rec", "report", "home", "verdict", "plan", "rag"),
        *("history", "board", "supervision", "measure"),
    ]


def test_a_command_refuses_before_its_handler_runs_and_changes_nothing(ctx, db):
    ran: list[str] = []

    def stamp(private: PrivateContext, args: str) -> Reply:
        ran.append(args)
        private.db.execute("UPDATE store_generation SET token = token + 1 WHERE id = 1")
        return Reply(title="Stamped", headline="stamped")

    registry = build_registry(
        [Command("stamp", "stamp", "writes", stamp, writes=True, requires=(Permission.RECORD,))]
    )
    ctx.allowed = nobody
    before = db.conn.total_changes
    refused = dispatch("stamp now", ctx, registry=registry)
    assert not refused.ok and refused.title == "Only auditors can do that"
    assert ran == [] and db.conn.total_changes == before

    # The application words the refusal when it says how.
    ctx.refusal = RefusalWording("Not yours", {Permission.RECORD: "{command} is kept"}, {}, "")
    assert dispatch("stamp", ctx, registry=registry).headline == "stamp is kept"
    assert ran == [] and db.conn.total_changes == before

    ctx.allowed = lambda permission: permission is Permission.RECORD
    assert dispatch("stamp", ctx, registry=registry).title == "Stamped" and ran == [""]


def test_a_part_that_needs_more_is_refused_while_the_rest_is_anyones(ctx, db):
    ctx.allowed = nobody
    ctx.conversation = "C1"
    before = db.conn.total_changes
    closing = dispatch('rec R1 close "Reported to the board"', ctx)
    assert not closing.ok and closing.headline == "Only auditors can close a recommendation."
    using = dispatch("use Reading", ctx)
    assert using.headline == "Only auditors can change which service this channel is about."
    assert db.conn.total_changes == before
    assert dispatch("rec R1", ctx).ok  # reading it is anyone's
    assert dispatch("use", ctx).title == "Which service?"  # and so is asking which it is


def test_the_plan_declares_on_its_commands_who_may_do_what():
    """Issue 20: everyone reads; auditors edit the plan; an action's owner records progress
    on and completes their own action."""
    declared = {
        need.name: need.requires
        for cmd in default_registry().commands.values()
        for need in cmd.needs()
    }
    for what, need in NEEDS.items():
        expected = {
            Need.ANYONE: None,
            Need.EDITOR: (Permission.EDIT_PLAN,),
            Need.OWNER_OR_EDITOR: (Permission.OWN_ACTION, Permission.EDIT_PLAN),
        }[need]
        assert declared.get(what) == expected, what


def test_help_permissions_prints_the_table_from_the_registry(ask):
    reply = ask("help permissions")
    assert reply.ok and reply.title == "Permissions"
    shown = {s.heading: s.text for s in reply.sections}
    assert list(shown) == [p.value for p in Permission]
    assert shown["close"] == "Held by auditors. Needed for: rec R3 close, rec R3 reopen."
    assert shown["use"] == "Held by auditors. Needed for: use <service>."
    assert "action add, action R3.1 progress (or own_action" in shown["edit_plan"]
    assert shown["own_action"].startswith("Held by anyone the platform identifies.")
    assert "YOS_NOTES_VISIBLE_TO=everyone" in shown["read_notes"]


def test_the_readme_table_is_the_one_the_registry_generates():
    assert markdown(default_registry()) in README.read_text(encoding="utf-8")


# --- the words of what was asked ----------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "words"),
    [
        ('audit R1 "plans reviewed" 17/20', ["audit", "R1", "plans reviewed", "17/20"]),
        ("audit R1 \u201cplans reviewed\u201d", ["audit", "R1", "plans reviewed"]),
        ("note it\u2019s late", ["note", "it's", "late"]),  # curly apostrophe, unbalanced
        ("a\\ b c", ["a b", "c"]),
        ("  score \t protecting-public\r\n", ["score", "protecting-public"]),
        ("a\u00a0b c", ["a\u00a0b", "c"]),  # a no-break space joins, as in a shell
        ("", []),
    ],
)
def test_words_are_split_as_a_shell_splits_them(said, words):
    assert split_args(said) == words


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab1/ \t\r\n\x0b\x0c\u00a0\u2003#;|&()<>*?$`=!é")),
        max_size=40,
    )
)
def test_words_without_quotes_are_those_shlex_gives(said):
    assert split_args(said) == shlex.split(said)
