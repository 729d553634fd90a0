"""The yos-bot command line, through click's runner and as real processes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import PROJECT_ROOT
from tests import launch


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A clean environment: no Slack settings, a store in a temporary folder."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "YOS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("YOS_DB", str(tmp_path / "cli.db"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return {k: v for k, v in os.environ.items()}


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_ask_answers_one_question(env):
    result = invoke("ask", "score", "protecting-public")
    assert result.exit_code == 0
    assert "Protecting the public: 91%, Good (★★★★)." in result.output


def test_ask_with_a_bad_theme_exits_non_zero_with_help(env):
    result = invoke("ask", "score nonsense")
    assert result.exit_code == 1
    assert "No theme matches “nonsense”" in result.output
    assert "protecting-public: Protecting the public" in result.output


def test_load_reports_and_is_idempotent(env):
    data = str(PROJECT_ROOT / "data" / "stockton-on-tees-sqs-2013.toml")
    result = invoke("load", data)
    assert result.exit_code == 0
    assert "already up to date, nothing changed" in result.output


def test_load_refuses_a_bad_file_naming_the_field(env, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[services]]\nid = "x"\nname = 7\n')
    result = CliRunner().invoke(main, ["load", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: services[0].name: must be non-empty text, got 7" in result.output
    assert "nothing was loaded" in result.output


def test_export_json_holds_every_fact(env):
    result = invoke("export", "--format", "json")
    data = json.loads(result.stdout)
    assert len(data) == 84  # the bundled SQS and the national table's 83
    [inspection] = [i for i in data if i["id"] == "stockton-on-tees-sqs-2013"]
    assert inspection["overall_score"] == 91
    assert [t["score"] for t in inspection["themes"]] == [91, 91, 87, 96]
    assert inspection["recommendations"][0]["window_end"] == "2014-04-14"
    assert len(inspection["strengths"]) == 3


def test_export_csv_one_row_per_theme(env):
    result = invoke("export", "--format", "csv")
    rows = [
        r
        for r in csv.DictReader(io.StringIO(result.stdout))
        if r["inspection"] == "stockton-on-tees-sqs-2013"
    ]
    assert [(r["theme"], r["score"], r["rating"], r["stars"]) for r in rows] == [
        ("Reducing the likelihood of reoffending", "91", "Good", "4"),
        ("Protecting the public", "91", "Good", "4"),
        ("Protecting the child or young person", "87", "Good", "4"),
        ("Ensuring that sentence is served", "96", "Good", "4"),
    ]


def test_malformed_setting_fails_with_one_line(env, monkeypatch):
    monkeypatch.setenv("YOS_WORKERS", "lots")
    result = CliRunner().invoke(main, ["ask", "summary"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: YOS_WORKERS must be a whole number, got 'lots'"


def test_console_reads_piped_input_until_it_ends(env):
    lines = "/yos score protecting-public\nstrengths\n\nquit\nsummary\n"
    done = launch.run(
        ["console"],
        input=lines,
        env=env,
        timeout=60,
        check=True,
    )
    assert "Protecting the public: 91%, Good (★★★★)." in done.stdout
    assert "Key strengths" in done.stdout
    assert "What the inspectors said" not in done.stdout  # the summary after quit never ran


def test_make_run_without_slack_answers_in_the_console(env):
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(PROJECT_ROOT), "run"],
        input="/yos score protecting-public\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    assert "Protecting the public: 91%, Good (★★★★)." in done.stdout
    assert "Slack is not configured" in done.stderr


def test_export_audits_as_csv(env):
    assert invoke("ask", 'audit R1 17/20 2014-01-20 January audit --late "x"').exit_code == 0
    result = invoke("export", "audits", "--format", "csv")
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["recommendation"], row["audit_date"], row["compliant"], row["audited"]) == (
        "stockton-on-tees-sqs-2013:R1",
        "2014-01-20",
        "17",
        "20",
    )
    assert (row["percent"], row["note"], row["via"], row["retracted"]) == (
        "85.0",
        "January audit",
        "console",
        "False",
    )


def test_the_console_records_an_update_and_prints_its_announcement(env):
    lines = 'audit R1 17/20 2014-01-20 January audit --late "x"\n/yos audits R1\n'
    done = launch.run(
        ["console"],
        input=lines,
        env={**env, "YOS_TODAY": "2014-02-20"},
        timeout=60,
        check=True,
    )
    confirmation, announced = done.stdout.split("[posted in the conversation]\n")
    assert confirmation.startswith("Recorded audit update #1\n")  # what the asker sees
    assert announced.startswith("Audit update #1 for R1\n")  # what everyone sees
    assert "R1 audit: 17/20 (85%), at or above the 80% target." in announced
    assert "1 audit update recorded for R1" in announced.split("\n\n", 2)[-1]

    from bot.store import open_db

    db = open_db(env["YOS_DB"])
    [audit] = db.table("audit_updates").rows
    assert (audit["via"], audit["platform"], audit["note"]) == (
        "console",
        "console",
        "January audit",
    )
    assert [r["state"] for r in db.table("outbox").rows] == ["sent"]


def test_ask_leaves_nothing_undelivered(env):
    from bot.store import open_db

    result = invoke("ask", 'audit R1 17/20 2014-01-20 January audit --late "x"')
    assert result.exit_code == 0
    assert "[posted in the conversation]" in result.output  # the announcement, now
    pending = [r for r in open_db(env["YOS_DB"]).table("outbox").rows if r["state"] != "sent"]
    assert pending == []


# --- start-up: the mode the settings allow, or what is missing -----------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            "Socket Mode needs SLACK_APP_TOKEN (xapp-…) as well as SLACK_BOT_TOKEN",
        ),
        (
            {"SLACK_APP_TOKEN": "xapp-1"},
            "Socket Mode needs SLACK_BOT_TOKEN (xoxb-…) as well as SLACK_APP_TOKEN",
        ),
        (
            {"SLACK_SIGNING_SECRET": "s"},
            "HTTP mode needs SLACK_BOT_TOKEN (xoxb-…) as well as SLACK_SIGNING_SECRET",
        ),
    ],
)
def test_run_with_partial_slack_settings_names_what_is_missing_and_exits(env, values, expected):
    done = launch.run(
        ["run"],
        input="summary\n",
        env={**env, **values},
        timeout=60,
    )
    assert done.returncode != 0
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert "local console" not in done.stdout  # the console never opened
    assert "Stockton" not in done.stdout


def test_run_with_no_chat_settings_opens_the_console(env):
    done = launch.run(
        ["run"],
        input="score overall\n",
        env=env,
        timeout=60,
        check=True,
    )
    assert "Slack is not configured" in done.stderr
    assert "overall 91%, Good (★★★★)" in done.stdout


# --- done when: a fresh store answers, with no step beyond first start ------------------


def ask_fresh(env, question: str) -> subprocess.CompletedProcess[str]:
    return launch.run(
        ["ask", question],
        env=env,
        timeout=60,
    )


def test_a_fresh_store_answers_every_question_of_the_issue(env, tmp_path):
    from bot.store import open_db

    fresh = {**env, "YOS_DB": str(tmp_path / "fresh" / "yos.db"), "YOS_TODAY": "2014-02-20"}
    score = ask_fresh(fresh, "score public Stockton")
    assert score.returncode == 0, score.stderr
    assert "83 rating rows imported, 4 flagged as questionable" in score.stderr  # first start
    out = " ".join(score.stdout.split())
    assert "Protecting the public: 91%, Good (★★★★)." in out
    assert "Although not directly applied to the SQS process" in out

    firsts = {
        "status of R1": "Off track: cannot be met",
        "what went well": "The inspectors identified three key strengths.",
        "score overall": (
            "Stockton-on-Tees Youth Offending Service: overall 91%, Good (★★★★), scores "
            "ranging from 80% to 100%."
        ),
        "when was it published": (
            "18 December 2013 (HM Inspectorate of Probation): Inspection report published."
        ),
    }
    for question, fact in firsts.items():
        done = ask_fresh(fresh, question)
        assert done.returncode == 0, (question, done.stdout)
        _title, underline, headline = done.stdout.split("\n", 3)[:3]
        assert set(underline) == {"="}
        assert headline.startswith(fact[:60]), (question, headline)  # the fact first

    slough = " ".join(ask_fresh(fresh, "compare Slough").stdout.split())
    assert (
        "Slough is Inadequate, 3/36 points: 79th of 79 ranked services by points, "
        "the 1st percentile." in slough
    )
    above = slough.split("Just above", 1)[1].split("Not ranked", 1)[0]
    for flagged in ("Bridgend", "Ceredigion", "Portsmouth", "West Sussex"):
        assert flagged not in above
    assert "Just below" not in slough

    outstanding = ask_fresh(fresh, "services outstanding").stdout
    assert "7 services rated Outstanding." in outstanding
    for name in (
        "Bromley",
        "Islington",
        "Carmarthenshire",
        "Coventry",
        "Swindon",
        "York",
        "Hammersmith and Fulham",
    ):
        assert name in outstanding
    db = open_db(fresh["YOS_DB"])
    assert db.table("inspections").count == 84
    db.close()
