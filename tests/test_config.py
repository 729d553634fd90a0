from __future__ import annotations

import re

import pytest

from bot.config import DEFAULT_SLACK_API_URL, ConfigError, load_settings, settings_from


def test_defaults():
    settings = settings_from({})
    assert settings.mode == "console"
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert str(settings.db_path) == "data/yos.db"


@pytest.mark.parametrize(
    ("values", "mode"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, "socket"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "http"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s"},
            "socket",
        ),
        ({}, "console"),
        ({"SLACK_API_URL": "http://127.0.0.1:9/api/", "YOS_CHANNEL": "C1"}, "console"),
    ],
)
def test_mode_follows_the_credentials(values, mode):
    assert settings_from(values).mode == mode


@pytest.mark.parametrize(
    ("values", "missing"),
    [
        (
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            [
                "(SLACK_BOT_TOKEN is set)",
                "Socket Mode needs SLACK_APP_TOKEN (xapp-…) as well as SLACK_BOT_TOKEN",
                "HTTP mode needs SLACK_SIGNING_SECRET as well as SLACK_BOT_TOKEN",
            ],
        ),
        (
            {"SLACK_APP_TOKEN": "xapp-1"},
            ["Socket Mode needs SLACK_BOT_TOKEN (xoxb-…) as well as SLACK_APP_TOKEN"],
        ),
        (
            {"SLACK_SIGNING_SECRET": "s"},
            ["HTTP mode needs SLACK_BOT_TOKEN (xoxb-…) as well as SLACK_SIGNING_SECRET"],
        ),
        (
            {"SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s"},
            [
                "(SLACK_APP_TOKEN and SLACK_SIGNING_SECRET are set)",
                "Socket Mode needs SLACK_BOT_TOKEN (xoxb-…) as well as SLACK_APP_TOKEN",
                "HTTP mode needs SLACK_BOT_TOKEN (xoxb-…) as well as SLACK_SIGNING_SECRET",
            ],
        ),
    ],
)
def test_partial_slack_settings_name_what_each_mode_is_missing(values, missing):
    with pytest.raises(ConfigError) as refused:
        settings_from(values).mode  # noqa: B018
    message = str(refused.value)
    assert message.startswith("Slack is only partly configured")
    for part in missing:
        assert part in message
    if "SLACK_BOT_TOKEN" not in values:
        assert "SLACK_SIGNING_SECRET as well as SLACK_BOT_TOKEN" not in message
    assert "\n" not in message  # one line


def test_partial_slack_settings_are_an_error_even_beside_teams():
    values = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "TEAMS_APP_ID": "00000000-0000-0000-0000-00000000b07a",
        "TEAMS_APP_PASSWORD": "p",
    }
    with pytest.raises(ConfigError, match="Slack is only partly configured"):
        settings_from(values).mode  # noqa: B018


def test_the_ratings_url_has_a_default_and_is_checked():
    from bot.config import DEFAULT_RATINGS_URL

    assert (
        settings_from({}).ratings_url
        == DEFAULT_RATINGS_URL
        == (
            "https://raw.githubusercontent.com/data-to-insight/hmi-probation-youth-justice-scrape/"
            "main/hmi_youth_justice_inspection_ratings.csv"
        )
    )
    custom = "http://127.0.0.1:8000/ratings.csv"
    assert settings_from({"YOS_RATINGS_URL": custom}).ratings_url == custom
    with pytest.raises(ConfigError, match="YOS_RATINGS_URL must be an http"):
        settings_from({"YOS_RATINGS_URL": "file:///etc/passwd"})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-123", "SLACK_BOT_TOKEN must start with 'xoxb-'"),
        ("SLACK_APP_TOKEN", "xoxb-123", "SLACK_APP_TOKEN must start with 'xapp-'"),
        ("SLACK_API_URL", "localhost:9", "SLACK_API_URL must be an http(s) URL"),
        ("YOS_PORT", "99999", "YOS_PORT must be between 1 and 65535"),
        ("YOS_AUDITORS", "U123,bob", "'bob' is none of these"),
        ("YOS_AUDITORS", "U123,u456", "'u456' is none of these"),
        ("YOS_AUDITORS", "0f8fad5b-d9cb-469f", "'0f8fad5b-d9cb-469f' is none of these"),
        ("YOS_TODAY", "tomorrow", "YOS_TODAY must be a date"),
        ("YOS_OUTBOX_RETRY_SECONDS", "soon", "YOS_OUTBOX_RETRY_SECONDS must be a number"),
        ("YOS_OUTBOX_RETRY_SECONDS", "0", "YOS_OUTBOX_RETRY_SECONDS must be between 0.01 and"),
        ("YOS_OUTBOX_LEASE_SECONDS", "7200", "YOS_OUTBOX_LEASE_SECONDS must be between"),
    ],
)
def test_malformed_settings_name_the_variable(name, value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings_from({name: value})


def test_auditors_mix_slack_ids_groups_and_teams_guids():
    settings = settings_from(
        {"YOS_AUDITORS": " U0ALICE, W0BOB ,S0AUDITORS,,0F8FAD5B-D9CB-469F-A165-70867728950E"}
    )
    assert settings.auditors == (
        "U0ALICE",
        "W0BOB",
        "S0AUDITORS",
        "0f8fad5b-d9cb-469f-a165-70867728950e",  # Teams IDs compare in lower case
    )
    assert settings_from({}).auditors == ()


def test_outbox_timing_defaults_and_settings():
    assert (settings_from({}).outbox_retry_seconds, settings_from({}).outbox_lease_seconds) == (
        2.0,
        60.0,
    )
    tuned = settings_from({"YOS_OUTBOX_RETRY_SECONDS": "0.5", "YOS_OUTBOX_LEASE_SECONDS": "90"})
    assert (tuned.outbox_retry_seconds, tuned.outbox_lease_seconds) == (0.5, 90.0)


def test_the_first_reminder_check_waits_five_seconds_unless_set():
    assert settings_from({}).first_reminder_check_seconds == 5.0
    tuned = settings_from({"YOS_FIRST_REMINDER_CHECK_SECONDS": "0.1"})
    assert tuned.first_reminder_check_seconds == 0.1
    with pytest.raises(ConfigError, match="YOS_FIRST_REMINDER_CHECK_SECONDS must be between"):
        settings_from({"YOS_FIRST_REMINDER_CHECK_SECONDS": "0"})


def test_api_url_gets_a_trailing_slash():
    assert settings_from({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url == (
        "http://127.0.0.1:9/api/"
    )


def test_environment_wins_over_dotenv(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("YOS_DB=from-file.db\nYOS_CHANNEL=C1\n")
    settings = load_settings({"YOS_DB": "from-env.db"}, env_file)
    assert str(settings.db_path) == "from-env.db"
    assert settings.channel == "C1"
