"""The Slack app, served for real and spoken to over HTTP as Slack speaks to it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time

import pytest

from tests import launch
from tests.blockkit import all_text, assert_valid_message
from tests.fake_slack import BAD_TOKEN, BOT_USER_ID
from tests.slack_requests import BOT_TOKEN, SIGNING_SECRET, sign


@pytest.fixture(autouse=True)
def _idle(request):
    """Each test starts once the served app has sent everything earlier tests caused."""
    if "served" in request.fixturenames:
        request.getfixturevalue("served").wait_until_outbox_idle()


def answer(response):
    assert response.status == 200, response.body
    body = response.json()
    assert_valid_message(body)
    return body


# --- /yos ------------------------------------------------------------------------


def test_score_is_answered_in_the_acknowledgement(served, slack):
    started = time.monotonic()
    body = answer(served.command("score protecting-public"))
    assert time.monotonic() - started < 3
    assert body["response_type"] == "ephemeral"
    text = all_text(body["blocks"])
    assert "Protecting the public" in text
    assert "91%" in text
    assert "★★★★ Good" in text
    assert body["text"] == "Protecting the public: 91%, Good (★★★★)."
    buttons = [b for b in body["blocks"] if b["type"] == "actions"]
    assert buttons[0]["elements"][0]["text"]["text"] == "Share in channel"
    # The button carries the question to re-ask, as data; never a command line to re-run.
    assert json.loads(buttons[0]["elements"][0]["value"]) == {
        "command": "score",
        "args": "protecting-public Stockton-on-Tees Youth Offending Service",
    }
    assert slack.of("chat.postMessage") == []  # private until shared


def test_summary(served, slack):
    body = answer(served.command("summary"))
    text = all_text(body["blocks"])
    assert body["blocks"][0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "Stockton-on-Tees Youth Offending Service: Short Quality Screening",
        },
    }
    for fact in ("91%", "80% to 100%", "25-27 November 2013", "18 December 2013", "R1:"):
        assert fact in text
    fields = [f["text"] for b in body["blocks"] for f in b.get("fields", [])]
    assert "*Protecting the child or young person*\n87%  ★★★★ Good" in fields
    context = next(b for b in body["blocks"] if b["type"] == "context")
    assert "fieldwork 25-27 November 2013" in context["elements"][0]["text"]


def test_recs(served, slack):
    text = all_text(answer(served.command("recs"))["blocks"])
    assert "Reviews of risk of harm to others 85%, Reviews of vulnerability 80%" in text
    assert "14 January 2014 to 14 April 2014" in text


def test_help(served, slack):
    body = answer(served.command("help"))
    assert body["response_type"] == "ephemeral"
    text = all_text(body["blocks"])
    assert "/yos score &lt;theme&gt;" in text  # usage escaped, shown as typed


def test_unknown_theme_gets_a_helpful_private_reply(served, slack):
    body = answer(served.command("score wellbeing"))
    assert body["response_type"] == "ephemeral"
    text = all_text(body["blocks"])
    assert "No theme matches “wellbeing”" in text
    assert "protecting-public: Protecting the public" in text
    assert not [b for b in body["blocks"] if b["type"] == "actions"]  # nothing to share


def test_unknown_subcommand_gets_help(served, slack):
    body = answer(served.command("frobnicate"))
    assert body["response_type"] == "ephemeral"
    assert "I didn't understand “frobnicate”" in all_text(body["blocks"])


def test_user_text_is_escaped(served, slack):
    body = answer(served.command("score <!channel> & <https://evil.example|click>"))
    everything = body["text"] + json.dumps(body["blocks"])
    assert "<!channel>" not in everything
    assert "<https://evil" not in everything
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in all_text(body["blocks"])


# --- request verification ----------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=" + "0" * 64,
            },
            id="forged",
        ),
        pytest.param("old", id="older-than-five-minutes"),
        pytest.param({}, id="missing-headers"),
        pytest.param("other-secret", id="wrong-secret"),
    ],
)
def test_unsigned_requests_are_refused(served, slack, headers):
    from urllib.parse import urlencode

    body = urlencode(
        {
            "command": "/yos",
            "text": "summary",
            "user_id": "U1",
            "channel_id": "C1",
            "team_id": "T0001",
            "response_url": slack.response_url(),
        }
    )
    if headers == "old":
        headers = sign(body, timestamp=int(time.time()) - 6 * 60)
    elif headers == "other-secret":
        headers = sign(body, secret="not-" + SIGNING_SECRET)
    response = served.post(body, "application/x-www-form-urlencoded", headers)
    assert response.status == 401
    assert b"91%" not in response.body
    assert slack.calls == []


def test_url_verification_handshake(served, slack):
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = served.post(body, "application/json", sign(body))
    assert response.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.body.decode()


def test_health_check(served):
    response = served.get("/healthz")
    assert response.status == 200
    assert response.json() == {"ok": True}


# --- mentions and direct messages ------------------------------------------------------


def test_a_mention_is_answered_once_even_when_slack_retries(served, slack):
    first = served.mention("what's the latest inspection summary?", event_id="Ev0MENTION1")
    assert first.status == 200
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0YOS"
    assert post.token == BOT_TOKEN
    assert "overall 91%" in post.params["text"]
    assert_valid_message(post.params)
    assert "thread_ts" not in post.params or post.params["thread_ts"] in (None, "")

    retried = served.event(
        {
            "type": "app_mention",
            "user": "U0MANAGER",
            "text": "<@UBOT0001> what's the latest inspection summary?",
            "channel": "C0YOS",
            "ts": "1700000000.000100",
        },
        event_id="Ev0MENTION1",
        retry=1,
    )
    assert retried.status == 200
    # A later, different question is answered: once it is, the retry has had its chance.
    served.mention("recommendations", event_id="Ev0MENTION2")
    posts = slack.wait_for("chat.postMessage", 2)
    time.sleep(0.3)
    posts = slack.of("chat.postMessage")
    assert len(posts) == 2
    assert posts[1].params["text"].startswith("Recommendations:")


def test_a_question_in_a_thread_is_answered_in_the_thread(served, slack):
    served.mention(
        "how did we score on protecting the public",
        event_id="Ev0THREAD1",
        thread_ts="1699999999.000001",
    )
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1699999999.000001"
    assert "Protecting the public: 91%" in post.params["text"]


def test_a_direct_message_is_answered(served, slack):
    served.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0DM",
            "user": "U0MANAGER",
            "text": "recommendations",
            "ts": "1700000001.000200",
        },
        event_id="Ev0DM1",
    )
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "D0DM"
    assert "one recommendation" in post.params["text"]


def test_the_bots_own_messages_are_ignored(served, slack):
    served.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0DM",
            "user": BOT_USER_ID,
            "bot_id": "B0001",
            "text": "summary",
            "ts": "1700000002.000300",
        },
        event_id="Ev0SELF1",
    )
    served.mention("strengths", event_id="Ev0AFTER")
    [post] = slack.wait_for("chat.postMessage")
    time.sleep(0.2)
    assert len(slack.of("chat.postMessage")) == 1
    assert post.params["text"].startswith("Key strengths")


def test_channel_mentions_typed_in_a_question_are_escaped(served, slack):
    served.mention("<!channel> frobnicate <!everyone>", event_id="Ev0ESCAPE")
    # A question that was not understood is answered privately, not in front of everyone.
    [post] = slack.wait_for("chat.postEphemeral")
    assert post.params["user"] == "U0MANAGER"
    assert slack.of("chat.postMessage") == []
    everything = post.params["text"] + json.dumps(post.params["blocks"])
    assert "<!channel>" not in everything and "<!everyone>" not in everything
    assert "&lt;!channel&gt;" in all_text(post.params["blocks"])


# --- Share in channel ---------------------------------------------------------------------


_ACTION_TIMES = iter(range(1, 10_000))


def share_payload(slack, value: str) -> dict:
    """A button press; each has its own action_ts, the ID a retry of it would repeat."""
    return {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": "U0SHARER", "username": "sharer", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": "1700000003.000400",
            "channel_id": "C0YOS",
            "is_ephemeral": True,
        },
        "trigger_id": "123.456.abc",
        "channel": {"id": "C0YOS", "name": "yos-board"},
        "response_url": slack.response_url("share"),
        "actions": [
            {
                "action_id": "share_reply",
                "block_id": "b1",
                "type": "button",
                "text": {"type": "plain_text", "text": "Share in channel"},
                "value": value,
                "action_ts": f"1700000004.{next(_ACTION_TIMES):06d}",
            }
        ],
    }


def test_share_in_channel_posts_for_everyone(served, slack):
    response = served.interaction(
        share_payload(slack, json.dumps({"command": "score", "args": "protecting-public"}))
    )
    assert response.status == 200
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0YOS"
    assert_valid_message(post.params)
    text = all_text(post.params["blocks"])
    assert "Protecting the public" in text and "91%" in text
    assert "Shared by <@U0SHARER>" in text
    assert not [b for b in post.params["blocks"] if b["type"] == "actions"]
    [cleanup] = slack.wait_for("response:share")
    assert cleanup.params.get("delete_original") is True


def test_share_when_not_in_the_channel_says_how_to_invite(served, slack):
    slack.script("chat.postMessage", 200, {"ok": False, "error": "not_in_channel"})
    served.interaction(share_payload(slack, json.dumps({"command": "summary", "args": ""})))
    [note] = slack.wait_for("chat.postEphemeral")
    assert note.params["user"] == "U0SHARER"
    assert "invite me" in note.params["text"]
    assert "not_in_channel" in note.params["text"]


def test_share_never_re_runs_a_write(served, slack):
    """A crafted button asking to share an audit records nothing and posts nothing."""
    value = json.dumps({"command": "audit", "args": "R1 17/20 crafted"})
    served.interaction(share_payload(slack, value))
    [refusal] = slack.wait_for("response:share")
    assert "Only answers to questions can be shared" in refusal.params["text"]
    assert slack.of("chat.postMessage") == []
    with sqlite3.connect(served.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM audit_updates").fetchone()[0] == 0


# --- failures ---------------------------------------------------------------------------


def test_an_internal_error_gets_an_apology_with_a_reference(fake_slack, tmp_path):
    from tests.conftest import start_served

    fake_slack.reset()
    app = start_served(fake_slack, tmp_path)
    try:
        with sqlite3.connect(app.db_path) as conn:
            conn.execute("DROP TABLE strengths")
        body = app.command("strengths").json()
        assert body["response_type"] == "ephemeral"
        assert "Sorry, something went wrong on my side (reference " in body["text"]
        reference = body["text"].split("reference ")[1][:8]
        assert "Traceback" not in body["text"]
        app.stop()
        log = app.log()
        line = next(x for x in log.splitlines() if f"(reference {reference})" in x)
        # The operator finds the failure by its reference: its type and where, never the
        # exception's message, which may quote what someone typed.
        assert "OperationalError in " in line
        assert "no such table" not in log
    finally:
        app.stop()


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "YOS_"))}
    return launch.run(
        [*args],
        env={**clean, **env},
        timeout=60,
    )


def test_a_bad_token_fails_at_start_with_one_line(fake_slack, tmp_path):
    done = run_cli(
        "serve",
        "--port",
        "0",
        SLACK_BOT_TOKEN=BAD_TOKEN,
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=fake_slack.api_url,
        YOS_DB=str(tmp_path / "x.db"),
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: Slack refused SLACK_BOT_TOKEN (invalid_auth): check the token in .env"
    )


def test_a_missing_secret_fails_at_start_with_one_line(tmp_path):
    done = run_cli("serve", SLACK_BOT_TOKEN=BOT_TOKEN, YOS_DB=str(tmp_path / "x.db"))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: SLACK_SIGNING_SECRET is not set: `yos-bot serve` needs it (see .env.example)"
    )


def test_start_up_checks_the_token_at_slack_api_url(fake_slack, tmp_path):
    fake_slack.reset()
    from tests.conftest import start_served

    app = start_served(fake_slack, tmp_path)
    app.stop()
    checks = fake_slack.of("auth.test")
    assert checks and all(c.token == BOT_TOKEN for c in checks)


def test_socket_mode_uses_slack_api_url(fake_slack, tmp_path):
    fake_slack.reset()
    done = run_cli(
        "socket",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-1-revoked",
        SLACK_API_URL=fake_slack.api_url,
        YOS_DB=str(tmp_path / "x.db"),
    )
    assert done.returncode == 1
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in done.stderr
    [opened] = fake_slack.of("apps.connections.open")
    assert opened.token == "xapp-1-revoked"
