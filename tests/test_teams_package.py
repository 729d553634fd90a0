"""``yos-bot teams-package`` writes a Teams app package that Teams would accept."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import zipfile
from importlib.metadata import version

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator
from PIL import Image

from bot.cli import main
from bot.commands import Command, default_registry
from bot.config import PROJECT_ROOT
from bot.teams import package

APP_ID = "0f8c2a4e-7b1d-4c3e-9a5f-2d6b8e1c0a97"
SCHEMA = json.loads(
    (PROJECT_ROOT / "tests/schemas/teams/v1.17/MicrosoftTeams.schema.json").read_text()
)


PAGES = {
    "TEAMS_DEVELOPER_URL": "https://anytown.gov.uk/yos-bot",
    "TEAMS_PRIVACY_URL": "https://anytown.gov.uk/privacy/yos-bot",
    "TEAMS_TERMS_URL": "https://anytown.gov.uk/terms",
}


@pytest.fixture
def env(tmp_path, monkeypatch):
    """No Slack, Teams or YOS settings but a store in tmp_path, TEAMS_APP_ID, the
    council's pages and the bot's public address."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "YOS_", "TEAMS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("YOS_DB", str(tmp_path / "yos.db"))
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    for name, value in PAGES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TEAMS_PUBLIC_URL", "https://yos.anytown.gov.uk")
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(main, ["teams-package", *args], catch_exceptions=False)


@pytest.fixture
def built(env):
    """The package written with the default options: (zip path, its members by name)."""
    out = env / "yos-teams.zip"
    result = invoke("--out", str(out))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    return out, members


@pytest.fixture
def manifest(built):
    return json.loads(built[1]["manifest.json"].decode("utf-8"))


def test_the_zip_holds_the_manifest_and_both_icons_at_its_root(built):
    out, members = built
    assert sorted(members) == ["color.png", "manifest.json", "outline.png"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []


def test_the_default_out_is_yos_teams_zip_in_the_current_folder(env):
    result = invoke()
    assert result.exit_code == 0
    assert (env / "yos-teams.zip").is_file()
    assert result.output == f"yos-teams.zip: Teams app {APP_ID}, version {version('yos-bot')}\n"


def test_the_manifest_is_valid_against_the_v1_17_schema(manifest):
    Draft7Validator.check_schema(SCHEMA)
    errors = [e.message for e in Draft7Validator(SCHEMA).iter_errors(manifest)]
    assert errors == []
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["$schema"].endswith("/teams/v1.17/MicrosoftTeams.schema.json")


def test_the_app_and_its_bot_are_the_configured_app_id(manifest):
    assert manifest["id"] == APP_ID
    assert manifest["version"] == version("yos-bot")
    assert manifest["name"]["short"] == "YOS inspections"
    assert manifest["developer"]["websiteUrl"] == PAGES["TEAMS_DEVELOPER_URL"]
    assert manifest["developer"]["privacyUrl"] == PAGES["TEAMS_PRIVACY_URL"]
    assert manifest["developer"]["termsOfUseUrl"] == PAGES["TEAMS_TERMS_URL"]
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert manifest["composeExtensions"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["yos.anytown.gov.uk"]  # TEAMS_PUBLIC_URL's host
    assert "webApplicationInfo" not in manifest


def test_the_bot_works_in_personal_chats_team_channels_and_group_chats(manifest):
    [bot] = manifest["bots"]
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    assert bot["isNotificationOnly"] is False
    for command_list in bot["commandLists"]:
        assert sorted(command_list["scopes"]) == ["groupChat", "personal", "team"]


def test_the_command_list_comes_from_the_registry_help_uses(manifest):
    [command_list] = manifest["bots"][0]["commandLists"]
    commands = command_list["commands"]
    assert 0 < len(commands) <= 10
    names = list(default_registry().commands)
    titles = [c["title"] for c in commands]
    assert set(titles) <= set(names)  # every listed command is a real one...
    assert titles == sorted(titles, key=names.index)  # ...in the order help lists them
    assert len(set(titles)) == len(titles)
    assert {"help", "summary", "recs", "audit"} <= set(titles)
    for entry in commands:
        assert len(entry["title"]) <= 32
        assert 0 < len(entry["description"]) <= 128
        command = default_registry().commands[entry["title"]]
        assert command.summary[1:] in entry["description"]


def _fake(name: str, usage: str, summary: str) -> Command:
    return Command(name, usage, summary, lambda ctx, args: None)


def test_a_long_registry_is_cut_to_ten_within_teams_limits():
    commands = [
        _fake(f"c{i:02d}", f"c{i:02d} <argument> " + "[more] " * 30, "does " * 40)
        for i in range(15)
    ]
    too_long = _fake("x" * 33, "x" * 33, "a name too long to be a title")
    listed = package.command_list(
        [too_long, commands[0], _fake("help", "help [command]", "help"), *commands[1:]]
    )
    assert [e["title"] for e in listed] == ["c00", "help", *(f"c{i:02d}" for i in range(1, 9))]
    assert listed[1]["description"] == "Help. Usage: help [command]"
    assert listed[0]["description"].endswith("…")
    for entry in listed:
        assert len(entry["title"]) <= 32
        assert len(entry["description"]) <= 128
    assert package.command_list(commands) == package.command_list(commands)


def test_preferred_commands_are_registered():
    """A renamed command should be renamed here too, not silently replaced."""
    assert set(package.PREFERRED_COMMANDS) <= set(default_registry().commands)
    assert len(package.PREFERRED_COMMANDS) == 10


def test_a_message_action_records_an_audit_update(manifest):
    [extension] = manifest["composeExtensions"]
    [command] = extension["commands"]
    assert command["id"] == "recordAuditUpdate" == package.MESSAGE_ACTION_ID
    assert command["type"] == "action"
    assert command["title"] == "Record as audit update"
    assert command["context"] == ["message"]
    assert command["fetchTask"] is True


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


def test_the_colour_icon_is_192_pixels_square_and_opaque(manifest, built):
    image = _image(built[1][manifest["icons"]["color"]]).convert("RGBA")
    assert image.size == (192, 192)
    assert image.getchannel("A").getextrema() == (255, 255)
    colours = {rgb for _, rgb in image.convert("RGB").getcolors(192 * 192)}
    assert (255, 255, 255) in colours  # the shield
    assert len(colours) > 2  # smoothed edges


def test_the_outline_icon_is_white_on_transparent_at_32_pixels(manifest, built):
    image = _image(built[1][manifest["icons"]["outline"]])
    assert image.size == (32, 32)
    assert image.mode == "RGBA"
    pixels = [image.getpixel((x, y)) for y in range(32) for x in range(32)]
    assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a)
    alphas = [a for *_, a in pixels]
    assert image.getpixel((0, 0))[3] == 0  # a transparent background
    assert alphas.count(0) > 32 * 32 // 4
    assert alphas.count(255) > 32 * 32 // 8  # and a solid shape


def test_the_package_is_the_same_every_time_and_replaces_the_old_one(env):
    out = env / "pack" / "yos-teams.zip"
    out.parent.mkdir()
    out.write_bytes(b"old")
    assert invoke("--out", str(out)).exit_code == 0
    first = out.read_bytes()
    assert invoke("--out", str(out)).exit_code == 0
    assert out.read_bytes() == first != b"old"
    assert [p.name for p in out.parent.iterdir()] == ["yos-teams.zip"]


def test_options_reach_the_manifest(env):
    out = env / "custom.zip"
    result = invoke(
        "--out",
        str(out),
        "--name",
        "Anytown YOS",
        "--developer-name",
        "Anytown Council",
        "--developer-url",
        "https://anytown.gov.uk/yos",
        "--privacy-url",
        "https://anytown.gov.uk/privacy",
        "--terms-url",
        "https://anytown.gov.uk/terms",
        "--domain",
        "files.anytown.gov.uk",
        "--version",
        "2.3.4",
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert Draft7Validator(SCHEMA).is_valid(manifest)
    assert manifest["version"] == "2.3.4"
    assert manifest["name"]["short"] == "Anytown YOS"
    assert manifest["developer"] == {
        "name": "Anytown Council",
        "websiteUrl": "https://anytown.gov.uk/yos",
        "privacyUrl": "https://anytown.gov.uk/privacy",
        "termsOfUseUrl": "https://anytown.gov.uk/terms",
    }
    assert manifest["validDomains"] == ["yos.anytown.gov.uk", "files.anytown.gov.uk"]


def _one_line_error(result) -> str:
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_a_missing_app_id_is_one_line_naming_teams_app_id(env, monkeypatch):
    monkeypatch.delenv("TEAMS_APP_ID")
    line = _one_line_error(invoke())
    assert "TEAMS_APP_ID" in line
    assert not (env / "yos-teams.zip").exists()


def test_an_app_id_that_is_not_a_guid_is_one_line_naming_teams_app_id(env, monkeypatch):
    monkeypatch.setenv("TEAMS_APP_ID", "yos-bot")
    assert "TEAMS_APP_ID" in _one_line_error(invoke())
    assert not (env / "yos-teams.zip").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--developer-url", "http://anytown.gov.uk"], "developer URL (--developer-url"),
        (["--privacy-url", "https://example.org/yos-bot"], "not a placeholder (example.org)"),
        (["--terms-url", "https://www.example.com/terms"], "not a placeholder (www.example.com)"),
        (["--version", "1.0"], "MAJOR.MINOR.PATCH"),
        (["--name", "x" * 31], "1 to 30 characters"),
        (["--domain", "https://yos.anytown.gov.uk/"], "without https://"),
    ],
)
def test_a_bad_option_is_one_line_and_writes_nothing(env, args, says):
    assert says in _one_line_error(invoke(*args))
    assert not (env / "yos-teams.zip").exists()


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_of_the_council_must_be_given(env, monkeypatch, page):
    monkeypatch.delenv(page)
    line = _one_line_error(invoke())
    assert f"set {page} or --" in line
    assert not (env / "yos-teams.zip").exists()


def test_a_placeholder_page_in_the_settings_is_refused(env, monkeypatch):
    monkeypatch.setenv("TEAMS_PRIVACY_URL", "https://example.org/yos-bot")
    line = _one_line_error(invoke())
    assert "TEAMS_PRIVACY_URL must be your own page, not a placeholder" in line


def test_check_validates_the_manifest_against_the_schema_it_declares(env):
    result = invoke("--check")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "manifest.json is valid by https://developer.microsoft.com/json-schemas/teams/v1.17/"
        f"MicrosoftTeams.schema.json (version {version('yos-bot')})\n"
    )
    assert not (env / "yos-teams.zip").exists()  # --check writes nothing


def test_the_shipped_schema_is_the_vendored_one():
    shipped = PROJECT_ROOT / "bot/teams/schemas/MicrosoftTeams.v1.17.schema.json"
    assert (
        shipped.read_bytes()
        == (PROJECT_ROOT / "tests/schemas/teams/v1.17/MicrosoftTeams.schema.json").read_bytes()
    )
    assert {package.SCHEMA_URL: shipped} == package.SCHEMAS


def test_the_schema_check_finds_what_teams_would_refuse(env):
    options = package.PackageOptions(
        app_id=APP_ID, version="1.0.0", **{k: v for k, v in _pages().items()}
    )
    good = package.manifest(options)
    assert package.schema_errors(good) == []
    bad = {**good, "accentColor": "blue", "unknownField": 1}
    errors = package.schema_errors(bad)
    assert any(e.startswith("accentColor:") for e in errors), errors
    assert any("unknownField" in e for e in errors), errors
    assert package.schema_errors({**good, "$schema": "https://x/v9.schema.json"}) == [
        "it declares a schema this version cannot check: 'https://x/v9.schema.json'"
    ]


def _pages() -> dict[str, str]:
    return {
        "developer_url": PAGES["TEAMS_DEVELOPER_URL"],
        "privacy_url": PAGES["TEAMS_PRIVACY_URL"],
        "terms_url": PAGES["TEAMS_TERMS_URL"],
    }


def test_a_folder_that_does_not_exist_is_one_line(env):
    line = _one_line_error(invoke("--out", str(env / "missing" / "yos-teams.zip")))
    assert "could not write" in line


def test_the_install_guide_lists_every_option():
    guide = (PROJECT_ROOT / "docs/teams-install.md").read_text()
    documented = set(re.findall(r"^\| `(--[a-z-]+)", guide, re.MULTILINE))
    command = main.commands["teams-package"]
    options = {opt for param in command.params for opt in param.opts}
    assert documented == options
