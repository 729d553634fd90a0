"""Recording audit evidence and deriving a recommendation's status, through the commands."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import Permission, dispatch
from bot.commands.audits import FormEntry, submit_form
from bot.domain.monitoring.audits import EXAMPLE, all_audits, prefill_from_text
from bot.reply import Person
from bot.slack.blocks import message
from tests.blockkit import all_text, assert_valid_message


def count(db) -> int:
    return db.table("audit_updates").count


def at(ctx, day: str):
    ctx.today = date.fromisoformat(day)
    return ctx


def only(*granted: Permission):
    """A permission check granting exactly ``granted`` (the application's policy decides
    in the real thing; commands only ask)."""
    return lambda permission: permission in granted


def values(reply) -> dict[str, str]:
    return {f.label: f.value for s in reply.sections for f in s.fields}


@pytest.mark.parametrize("ref", ["R1", "r1", "1"])
def test_an_update_is_recorded_and_announced(ask, db, ref):
    reply = ask(f"audit {ref} 17/20 February case-file audit")
    news = reply.announcement
    assert reply.ok and news is not None
    # The asker is told privately; everyone sees the announcement it carries.
    assert reply.private and not news.private
    assert reply.title == "Recorded audit update #1"
    assert reply.headline == f"Recorded audit update #1: {news.headline}"
    assert news.title == "Audit update #1 for R1"
    assert news.headline == (
        "R1 audit: 17/20 (85%), at or above the 80% target. Audit of 20 February 2014: "
        "it counts as February's result (14 February to 13 March 2014)."
    )
    for said in (reply, news):
        assert values(said)["Monitoring"] == (
            "1 of 3 monthly periods has a counted audit; window ends 14 April 2014"
        )
        # January's period closed with no audit: "every monthly period" cannot be met.
        assert values(said)["Status"] == "Off track: cannot be met"
        assert values(said)["Monthly period"] == "February (14 February to 13 March 2014)"
        assert values(said)["Entered"] == "entered the same day"
        assert values(said)["Why"] == (
            "January (14 January to 13 February 2014) closed with no audit, so 80% or more in "
            "every monthly period cannot be met; latest audit 17/20 (85%) on 20 February 2014, "
            "for February; 1 of 3 monthly periods at or above 80%; March still to come"
        )
    assert news.source == "Recorded via console; see audits R1"
    [audit] = all_audits(db)
    assert (audit.compliant, audit.audited, audit.percent) == (17, 20, 85.0)
    assert audit.note == "February case-file audit"
    assert audit.via == "console"
    assert_valid_message(message(reply))
    assert_valid_message(message(news))


def test_the_update_remembers_who_sent_it_from_where(ctx, db):
    ctx.user = Person("U0ALICE", "Alice", "slack")
    ctx.platform, ctx.via, ctx.conversation, ctx.message_ref = "slack", "shortcut", "C0YOS", "1.2"
    news = dispatch("audit R1 17/20", ctx).announcement
    assert news.recorded_by == Person("U0ALICE", "Alice", "slack")
    [audit] = all_audits(db)
    assert (audit.user_id, audit.user_name, audit.platform, audit.via) == (
        "U0ALICE",
        "Alice",
        "slack",
        "shortcut",
    )
    assert (audit.channel_id, audit.message_ref) == ("C0YOS", "1.2")
    again = dispatch("audit R1 18/20", ctx)  # the same message, recorded twice
    assert not again.ok
    assert again.headline == "That message is already recorded as audit update #1."
    assert count(db) == 1


def test_a_percentage_and_an_earlier_date(ask, db):
    reply = ask('audit R1 82.5% 2014-01-31 January audit --late "copied from the paper log"')
    assert reply.ok
    [audit] = all_audits(db)
    assert (audit.percent, audit.audited, audit.audit_date) == (82.5, None, date(2014, 1, 31))
    assert audit.note == "January audit"
    assert "82.5%" in reply.headline
    assert "Audit of 31 January 2014: it counts as January's result" in reply.headline


def test_the_announcement_compares_with_the_last_monthly_result(ask):
    ask('audit R1 18/20 2014-01-20 --late "copied from the paper log"')
    news = ask("audit R1 15/20 2014-02-18").announcement
    assert news.headline == (
        "R1 audit: 15/20 (75%), below the 80% target. Audit of 18 February 2014: "
        "it counts as February's result (14 February to 13 March 2014)."
    )
    assert values(news)["Against the last result"] == "▼ from 90% to 75% (January to February)"
    # The same computation as the trend every other reply shows.
    assert values(news)["Trend in the window"] == "▼ from 90% to 75%"
    assert values(ask("rec R1"))["Trend in the window"] == "▼ from 90% to 75%"
    assert values(news)["Status"] == "Below target"
    assert values(news)["Monitoring"] == (
        "2 of 3 monthly periods have a counted audit; window ends 14 April 2014"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("audit R1 21/20", "21 compliant out of 20 audited is not possible."),
        ("audit R1 0/0", "an audit needs at least one case"),
        ("audit R1 120%", "120% is not possible: a percentage is from 0 to 100."),
        ("audit R7 17/20", "R7 is not a recommendation of this inspection; it has R1."),
        (
            "audit R1 17/20 2014-03-01",
            "The audit date 1 March 2014 is in the future (today is 20 February 2014).",
        ),
        (
            "audit R1 17/20 2013-11-01",
            "The audit date 1 November 2013 is before the inspection "
            "(it began on 25 November 2013).",
        ),
        ("audit R1 seventeen", "“seventeen” is not a result."),
        ("audit banana 17/20", "“banana” is not a recommendation"),
        ("audit R1 17/20 2014-02-30", "2014-02-30 is not a real date: February 2014 has 28"),
        ("audit R1 17/20 02/18/2014", "02/18/2014 reads as month/day; write dates day/month"),
        ("audit R1 17/20 30/02/2014 note", "30/02/2014 is not a real date"),
        ("audit R1 17/20 18 February", "has no year"),
        ("audit R1 17/20 yesterday", "write the audit date itself"),
        ("audit", "Say which recommendation and what the audit found"),
    ],
)
def test_a_bad_update_says_what_is_wrong_and_records_nothing(ask, db, text, expected):
    reply = ask(text)
    assert not reply.ok and reply.announcement is None
    assert reply.title == "That audit update was not recorded"
    assert expected in reply.headline
    assert reply.sections[-1].text == f"Write it like: {EXAMPLE}"
    assert count(db) == 0


@pytest.mark.parametrize(("invocation", "typed"), [("", EXAMPLE), ("/yos ", f"/yos {EXAMPLE}")])
def test_the_example_is_one_the_asker_can_type_where_they_are(ctx, invocation, typed):
    ctx.invocation = invocation
    reply = dispatch("audit R1 21/20", ctx)
    assert reply.sections[-1].text == f"Write it like: {typed}"
    news = dispatch("audit R1 17/20", ctx).announcement
    assert news.source == f"Recorded via console; see {invocation}audits R1"


def test_someone_who_is_not_an_auditor_is_refused(ctx, db):
    ctx.allowed = only()
    ctx.admin_hint = "Ask your Slack admin"
    reply = dispatch("audit R1 17/20", ctx)
    assert not reply.ok and reply.announcement is None
    assert reply.title == "Only auditors can do that"
    assert reply.headline == "Recording audit updates is for auditors."
    assert reply.sections[0].text == (
        "Ask your Slack admin to add you to YOS_AUDITORS. Anyone can still ask questions."
    )
    assert count(db) == 0
    assert dispatch("summary", ctx).ok  # anyone may query


def test_the_form_records_through_the_same_checks(ctx, db):
    wrong = submit_form(ctx, FormEntry("R1", "2014-02-20", "twenty", "17"))
    assert wrong.reply is None
    assert wrong.errors == {"audited": "Enter a whole number of cases, like 20."}
    future = submit_form(ctx, FormEntry("R1", "2014-03-01", "20", "17"))
    assert future.errors == {
        "audit_date": "The audit date 1 March 2014 is in the future (today is 20 February 2014)."
    }
    unreadable = submit_form(ctx, FormEntry("R1", "02/18/2014", "20", "17"))
    assert unreadable.errors["audit_date"].startswith("02/18/2014 reads as month/day")
    before = submit_form(ctx, FormEntry("R1", "05/01/2014", "20", "16", "early"))
    assert before.errors == {
        "audit_date": "5 January 2014 is before R1's monitoring window (14 January to "
        "14 April 2014), so this audit would not count towards it. To record it anyway, use "
        "audit R1 16/20 05/01/2014 early --outside"
    }
    assert count(db) == 0
    done = submit_form(ctx, FormEntry("R1", "2014-02-20", "20", "17", " From the form "))
    assert done.errors == {}
    assert done.reply.announcement.headline == (
        "R1 audit: 17/20 (85%), at or above the 80% target. Audit of 20 February 2014: "
        "it counts as February's result (14 February to 13 March 2014)."
    )
    [audit] = all_audits(db)
    assert audit.note == "From the form"
    ctx.allowed = only()
    refused = submit_form(ctx, FormEntry("R1", "2014-02-20", "20", "17"))
    assert refused.reply is None
    assert refused.errors["recommendation"].startswith("Recording audit updates is for auditors.")
    assert count(db) == 1


def test_the_same_delivery_is_recorded_once(ctx, db):
    ctx.delivery_key = "slack:event:Ev123"
    first = dispatch("audit R1 17/20", ctx)
    again = dispatch("audit R1 17/20", ctx)
    assert first.announcement is not None and not first.duplicate
    assert again.duplicate and again.announcement is None
    assert again.headline == "Already recorded as audit update #1."
    assert count(db) == 1


def test_status_moves_with_the_evidence_and_the_clock(ctx, db):
    def status(day: str) -> str:
        return dispatch("rec R1", at(ctx, day)).title

    assert status("2014-01-20") == "R1: No evidence yet"
    dispatch("audit R1 17/20 2014-01-20", ctx)
    assert status("2014-01-20") == "R1: On track"
    dispatch("audit R1 15/20 2014-02-20", at(ctx, "2014-02-20"))
    assert status("2014-02-20") == "R1: Below target"
    dispatch("audit R1 18/20 2014-02-27", at(ctx, "2014-02-27"))
    dispatch("audit R1 19/20 2014-03-20", at(ctx, "2014-03-20"))
    assert status("2014-04-14") == "R1: On track"  # the window's last day
    assert status("2014-04-15") == "R1: Due for the board, verdict Met"
    due = dispatch("rec R1", ctx)
    assert due.headline == (
        "Due for the board, verdict Met: 3 of 3 monthly periods at or above 80%."
    )
    ctx.user = Person("U0CHAIR", "Chris Chair", "slack")
    closed = dispatch('rec R1 close "Reported to the management board on 6 May 2014"', ctx)
    assert closed.ok and closed.private
    assert closed.headline == (
        "R1 closed by Chris Chair: Met: 3 of 3 monthly periods at or above 80%; closed on "
        "15 April 2014: Reported to the management board on 6 May 2014."
    )
    assert closed.announcement.headline == closed.headline
    assert closed.announcement.title == "R1 closed"
    assert closed.announcement.recorded_by == ctx.user
    assert status("2014-05-06") == "R1: Met"
    detail = dispatch("rec R1", ctx)
    history = next(s for s in detail.sections if s.heading == "History")
    assert history.items[0] == (
        "15 April 2014: closed by Chris Chair: Reported to the management board on 6 May 2014"
    )
    reopened = dispatch('rec R1 reopen "Board asked for another month"', ctx)
    assert reopened.headline.startswith("R1 reopened by Chris Chair: Due for the board")
    assert status("2014-05-06") == "R1: Due for the board, verdict Met"
    history = next(s for s in dispatch("rec R1", ctx).sections if s.heading == "History")
    assert history.items[1] == (
        "6 May 2014: reopened by Chris Chair: Board asked for another month"
    )


def test_a_month_without_an_audit_is_not_met(ctx):
    dispatch("audit R1 17/20 2014-01-20", at(ctx, "2014-01-20"))
    dispatch("audit R1 19/20 2014-03-20", at(ctx, "2014-03-20"))
    at(ctx, "2014-04-20")
    dispatch('rec R1 close "Reported"', ctx)
    reply = dispatch("rec R1", ctx)
    assert reply.title == "R1: Not met"
    assert reply.headline == (
        "Not met: 2 of 3 monthly periods at or above 80%; February has no audit; "
        "closed on 20 April 2014: Reported."
    )
    months = next(s for s in reply.sections if s.heading == "Monthly periods").items
    assert months[1] == "February (14 February to 13 March 2014): no audit"


def test_closing_needs_a_reason_and_an_auditor(ctx, db):
    assert "Say why you close R1" in dispatch("rec R1 close", ctx).headline
    ctx.allowed = only(Permission.RECORD, Permission.RETRACT_ANY, Permission.USE)
    refused = dispatch('rec R1 close "done"', ctx)
    assert not refused.ok and refused.announcement is None
    assert refused.headline == "Only auditors can close a recommendation."
    assert db.table("recommendation_history").count == 0
    assert dispatch("rec R1", ctx).ok  # reading it is for anyone


def test_the_same_close_delivered_twice_is_done_once(ctx, db):
    ctx.delivery_key = "slack:command:1.2"
    first = dispatch('rec R1 close "Reported" --early "the board asked"', ctx)
    again = dispatch('rec R1 close "Reported" --early "the board asked"', ctx)
    assert first.announcement is not None
    assert again.duplicate and again.headline == "R1 was already closed."
    assert db.table("recommendation_history").count == 1


def test_undo_retracts_the_posters_latest_and_keeps_it(ask, ctx, db):
    ask('audit R1 17/20 2014-01-20 --late "copied from the paper log"')
    ask("audit R1 18/20 2014-02-20")
    reply = ask("audit undo")
    assert reply.ok
    assert "Retracted audit update #2" in reply.headline
    assert count(db) == 2  # nothing is ever deleted
    status = dispatch("rec R1", ctx)
    assert "latest audit 17/20 (85%) on 20 January 2014, for January" in status.headline
    history = ask("audits R1")
    lines = next(s for s in history.sections if s.items).items
    assert lines[0].startswith("(retracted) #2 20 February 2014")
    assert ask("audit undo 2").headline == "Audit update #2 was already retracted."


def test_only_an_auditor_retracts_someone_elses(ctx, db):
    ctx.user = Person("U0ALICE", "Alice", "slack")
    dispatch("audit R1 17/20", ctx)
    ctx.user = Person("U0BOB", "Bob", "slack")
    assert dispatch("audit undo", ctx).headline == "You have no audit updates to undo."
    ctx.allowed = only()
    nobody = dispatch("audit undo 1", ctx)
    assert not nobody.ok and nobody.headline == "Only auditors can retract audit updates."
    # May record (and so retract their own) but not retract anyone's.
    ctx.allowed = only(Permission.RECORD)
    others = dispatch("audit undo 1", ctx)
    assert not others.ok
    assert others.headline == (
        "Audit update #1 was recorded by someone else; only an auditor can retract it."
    )
    assert db.table("audit_retractions").count == 0
    dispatch("audit R1 18/20", ctx)
    own = dispatch("audit undo 2", ctx)
    assert own.ok and own.headline.startswith("Retracted audit update #2 for R1")
    ctx.allowed = only(Permission.RECORD, Permission.RETRACT_ANY)
    assert dispatch("audit undo 1", ctx).ok
    assert db.table("audit_retractions").count == 2


@pytest.mark.parametrize("typed", ["audit undo three", "audit undo #x"])
def test_undo_needs_an_update_number(ask, typed):
    reply = ask(typed)
    assert not reply.ok and reply.title == "Which update?"
    assert reply.sections[0].text == "Write audit undo for your latest, or audit undo 3."


def test_audit_history_newest_first_with_bars_and_pages(ctx, db):
    for day in range(1, 26):
        outside = " --outside" if day < 14 else ""  # the window opens on 14 January
        late = ' --late "from the paper log"' if day >= 14 else ""  # January has closed
        typed = f"audit R1 {day % 5 + 15}/20 2014-01-{day:02d} entry {day}{outside}{late}"
        assert dispatch(typed, at(ctx, "2014-02-20")).ok
    first = dispatch("audits R1", ctx)
    updates = next(s for s in first.sections if s.items)
    assert updates.heading == "Updates (page 1 of 3)"
    assert len(updates.items) == 10
    assert updates.items[0].startswith(
        "#25 25 January 2014 (entered late on 20 February 2014: from the paper log): 15/20 (75%) "
    )
    assert updates.items[0].endswith("(counts for January) by someone: entry 25")
    assert updates.items[1].endswith("(replaced in January) by someone: entry 24")
    assert "│" in updates.items[0]
    assert any(s.text == "Older updates: audits R1 2" for s in first.sections)
    middle = next(s for s in dispatch("audits R1 2", ctx).sections if s.items).items
    assert middle[2].endswith("(outside the monitoring window, not counted) by someone: entry 13")
    last = dispatch("audits R1 3", ctx)
    assert next(s for s in last.sections if s.items).items[-1].startswith("#1 1 January 2014")
    assert first.shareable().payload == (("command", "audits"), ("args", "R1 1"))
    assert last.shareable().payload == (("command", "audits"), ("args", "R1 3"))
    for reply in (first, last):
        assert_valid_message(message(reply, interactive=True))
    ctx.invocation = "/yos "
    slack = dispatch("audits R1", ctx)
    assert any(s.text == "Older updates: /yos audits R1 2" for s in slack.sections)


def test_notes_are_escaped_in_slack(ask, ctx):
    ctx.everyone_allowed = only(Permission.READ_NOTES)  # YOS_NOTES_VISIBLE_TO=everyone
    reply = ask("audit R1 17/20 <!channel> see <https://evil.example|this>")
    for said in (reply, reply.announcement):
        rendered = message(said)
        assert "<!channel>" not in str(rendered)
        assert "&lt;!channel&gt;" in all_text(rendered["blocks"])


def test_prefill_from_a_channel_message():
    guess = prefill_from_text("February audit for R1: 17/20 cases reviewed on time")
    assert guess == {
        "note": "February audit for R1: 17/20 cases reviewed on time",
        "ref": "R1",
        "compliant": 17,
        "audited": 20,
    }
    assert prefill_from_text("no figures here") == {"note": "no figures here"}


def test_recs_shows_status_with_evidence(ask):
    ask("audit R1 17/20 February case-file audit")
    status = ask("recs").sections[0].fields[0]
    assert status.value == (
        "Off track: cannot be met: January (14 January to 13 February 2014) closed with no "
        "audit, so 80% or more in every monthly period cannot be met; latest audit 17/20 (85%) "
        "on 20 February 2014, for February; 1 of 3 monthly periods at or above 80%; March "
        "still to come"
    )


def test_answers_are_fresh_after_another_process_writes(settings, db):
    """Replies are reused until the store changes, including changes from other connections."""
    from bot.runtime import make_context
    from bot.store import open_db

    reader = make_context(db, settings, via="console")
    assert "latest audit" not in dispatch_text(reader, "recs")
    other = open_db(settings.db_path)  # another worker's connection
    writer = make_context(other, settings, via="console")
    assert dispatch_text(writer, "audit R1 17/20 elsewhere").startswith(
        "Recorded audit update #1: R1 audit"
    )
    reader = make_context(db, settings, via="console")
    assert "latest audit 17/20 (85%)" in dispatch_text(reader, "recs")


def dispatch_text(ctx, text: str) -> str:
    reply = dispatch(text, ctx)
    if text == "recs":
        return reply.sections[0].fields[0].value
    return reply.headline
