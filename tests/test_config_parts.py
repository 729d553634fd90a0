"""The settings' three parts (core, Slack, Teams): each checks its own variables and
names the one that is wrong; the composed Settings still answers to every flat name."""

from __future__ import annotations

import re

import pytest

from bot.config import (
    PROJECT_ROOT,
    ConfigError,
    CoreSettings,
    Settings,
    SlackSettings,
    TeamsSettings,
    load_settings,
    settings_from,
)
from bot.config.flat import Flat, flat_names

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def refused(values: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as error:
        settings_from(values).mode  # noqa: B018
    message = str(error.value)
    assert "\n" not in message  # one line
    return message


# --- one clear error per part ------------------------------------------------------------


@pytest.mark.parametrize("token", ["xoxb-1-2-abc", "xapp-1-A1-2-abc", "xoxp-1-2-abc"])
def test_a_token_pasted_as_the_signing_secret_names_the_variable_and_hides_the_value(token):
    message = refused({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": token})
    assert message.startswith("SLACK_SIGNING_SECRET must be the app's signing secret")
    assert "Basic Information" in message
    assert token not in message


def test_a_signing_secret_without_a_bot_token_says_what_http_mode_needs():
    message = refused({"SLACK_SIGNING_SECRET": SECRET})
    assert "HTTP mode needs SLACK_BOT_TOKEN (xoxb-…) as well as SLACK_SIGNING_SECRET" in message
    assert SECRET not in message


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("contoso.onmicrosoft.com", "not a domain name"),
        ("72f988bf86f141af91ab2d7cd011db47", "not '72f988bf86f141af91ab2d7cd011db47'"),
        ("common", "not 'common'"),
    ],
)
def test_a_tenant_that_is_not_a_guid_names_the_variable_and_where_to_find_it(value, said):
    message = refused({"TEAMS_TENANT_ID": value})
    assert message.startswith(
        "TEAMS_TENANT_ID must be your Microsoft Entra tenant ID, a GUID such as "
        "00000000-0000-0000-0000-000000000000"
    )
    assert said in message
    assert "Microsoft Entra admin centre (entra.microsoft.com)" in message
    assert "Tenant ID" in message


@pytest.mark.parametrize(
    "auditor", ["alice@example.org", "u0alice", "C0CHANNEL", "U0 ALICE", "0f8fad5b-d9cb"]
)
def test_a_malformed_auditor_names_the_variable_and_the_entry(auditor):
    message = refused({"YOS_AUDITORS": f"U0ALICE,{auditor}"})
    assert message.startswith("YOS_AUDITORS must list Slack user IDs (U…/W…)")
    assert f"{auditor!r} is none of these" in message


def test_each_part_checks_only_its_own_variables():
    bad = {"SLACK_BOT_TOKEN": "nope", "TEAMS_TENANT_ID": "nope", "YOS_AUDITORS": "nope"}
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN "):
        SlackSettings.from_values(bad)
    with pytest.raises(ConfigError, match=r"^TEAMS_TENANT_ID "):
        TeamsSettings.from_values(bad)
    with pytest.raises(ConfigError, match=r"^YOS_AUDITORS "):
        CoreSettings.from_values(bad)
    assert SlackSettings.variables().isdisjoint(TeamsSettings.variables())
    assert CoreSettings.variables().isdisjoint(
        SlackSettings.variables() | TeamsSettings.variables()
    )


def test_the_error_names_the_variable_that_was_set():
    assert refused({"PORT": "http"}) == "PORT must be a whole number, got 'http'"
    assert refused({"YOS_PORT": "0"}) == "YOS_PORT must be between 1 and 65535, got 0"
    assert settings_from({"PORT": "8080", "YOS_PORT": "3001"}).port == 8080  # PORT wins


# --- the platforms' identifiers, typed ------------------------------------------------------


def test_platform_ids_are_kept_in_the_form_they_are_compared():
    settings = settings_from(
        {
            "TEAMS_TENANT_ID": TENANT.upper(),
            "TEAMS_APP_ID": "00000000-0000-0000-0000-00000000B07A",
            "YOS_AUDITORS": "W0BOB, 0F8FAD5B-D9CB-469F-A165-70867728950E",
            "YOS_TEAMS_CHANNEL": "19%3aabc123%40thread.tacv2;messageid=1",
        }
    )
    assert settings.teams.tenant_id == TENANT
    assert settings.teams.app_id == "00000000-0000-0000-0000-00000000B07A"  # as registered
    assert settings.core.auditors == ("W0BOB", "0f8fad5b-d9cb-469f-a165-70867728950e")
    assert settings.teams.channel == "19:abc123@thread.tacv2"


# --- the composed Settings ------------------------------------------------------------------

# Every name the settings had before they were grouped by part; the rest of the bot reads them.
FLAT_NAMES = {
    "db_path", "data_dir", "service", "channel", "auditors", "today", "host", "log_level",
    "outbox_retry_seconds", "outbox_lease_seconds", "first_reminder_check_seconds",
    "backup_dir", "backup_keep",
    "notes_visible_to", "note_retention_days", "ratings_url", "rag_due_soon_days",
    "rag_no_progress_days", "rag_due_moves", "slack_bot_token", "slack_signing_secret",
    "slack_app_token", "slack_api_url", "port", "workers", "threads", "teams_app_id",
    "teams_app_password", "teams_tenant_id", "teams_login_url", "teams_openid_metadata_url",
    "teams_port", "teams_channel", "teams_public_url", "teams_chart_days",
    "teams_developer_url", "teams_privacy_url", "teams_terms_url",
}  # fmt: skip


def test_every_flat_name_still_reads_its_parts_field():
    names = flat_names(Settings)
    assert set(names) == FLAT_NAMES
    parts = {"core": CoreSettings, "slack": SlackSettings, "teams": TeamsSettings}
    read = {(flat.part, flat.field) for flat in names.values()}
    assert read == {(part, field) for part, cls in parts.items() for field in cls.model_fields}
    settings = settings_from(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": SECRET,
            "TEAMS_TENANT_ID": TENANT,
            "YOS_CHANNEL": "C0YOS",
            "YOS_PORT": "3001",
            "TEAMS_PORT": "3979",
        }
    )
    for name, flat in names.items():
        assert isinstance(Settings.__dict__[name], Flat)
        assert getattr(settings, name) == getattr(getattr(settings, flat.part), flat.field)
    assert (settings.slack_bot_token, settings.channel) == ("xoxb-1", "C0YOS")
    assert (settings.port, settings.teams_port, settings.teams_tenant) == (3001, 3979, TENANT)


def test_secrets_stay_out_of_the_settings_repr():
    settings = settings_from(
        {
            "SLACK_BOT_TOKEN": "xoxb-secret-bot",
            "SLACK_APP_TOKEN": "xapp-secret-app",
            "SLACK_SIGNING_SECRET": SECRET,
            "TEAMS_APP_PASSWORD": "secret-password",
        }
    )
    shown = repr(settings)
    for secret in ("xoxb-secret-bot", "xapp-secret-app", SECRET, "secret-password"):
        assert secret not in shown


def test_pinned_to_changes_only_the_day():
    from datetime import date

    settings = settings_from({"YOS_TODAY": "2014-04-20", "YOS_CHANNEL": "C1"})
    pinned = settings.pinned_to(date(2014, 5, 1))
    assert (pinned.today, pinned.channel, settings.today) == (
        date(2014, 5, 1),
        "C1",
        date(2014, 4, 20),
    )


def test_from_env_reads_dotenv_and_the_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("YOS_DB=from-file.db\nYOS_CHANNEL=C1\nYOS_TODAY=\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YOS_DB", "from-env.db")
    monkeypatch.delenv("YOS_CHANNEL", raising=False)
    settings = Settings.from_env()
    assert (str(settings.db_path), settings.channel) == ("from-env.db", "C1")
    assert settings == load_settings()


# --- the documentation keeps in step ------------------------------------------------------


def every_variable() -> set[str]:
    return CoreSettings.variables() | SlackSettings.variables() | TeamsSettings.variables()


def test_env_example_lists_every_setting():
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    assert every_variable() - {"PORT"} <= listed  # PORT is the hosting platform's
    assert listed <= every_variable()


def test_readme_lists_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| Variable | Default | Meaning |") :]
    table = table[: table.index("\n\n")]
    missing = {name for name in every_variable() if f"`{name}`" not in table}
    assert missing == set()
