"""docs/teams-install.md, followed step by step against the local fakes of Microsoft's
services, with an HTTPS reverse proxy in front of the bot as a council would run it.

The walk ends as the guide promises: the welcome in the channel, the channel's ID in the
log, a reminder delivered there after YOS_TEAMS_CHANNEL is set, and a board report whose
chart card refers to an HTTPS address that serves the PNG. The commands and settings the
guide shows are exactly those the walk uses. Then: the welcome in each scope (team, group
chat, personal), and the chart addresses (served once with the right type, refused when
wrong or expired).
"""

from __future__ import annotations

import json
import os
import re
import ssl
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app.chart_links import ChartStore
from bot.config import PROJECT_ROOT
from tests import launch
from tests.teams_fakes import HttpsFront
from tests.teams_served import (
    APP_ID,
    APP_SECRET,
    AUDITOR,
    BOT,
    GROUP,
    READER,
    TENANT,
    ServedTeams,
    activity,
    in_channel,
    personal,
)

GUIDE = (PROJECT_ROOT / "docs" / "teams-install.md").read_text()
CHANNEL = "19:abc123@thread.tacv2"  # the guide's example: a team's first channel
PAGES = {
    "TEAMS_DEVELOPER_URL": "https://www.anytown.gov.uk/yos-bot",
    "TEAMS_PRIVACY_URL": "https://www.anytown.gov.uk/privacy/yos-bot",
    "TEAMS_TERMS_URL": "https://www.anytown.gov.uk/yos-bot/terms",
}
PNG = b"\x89PNG\r\n\x1a\n"


def guide_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE, re.DOTALL)


def guide_commands() -> list[str]:
    return [
        line.strip()
        for block in guide_blocks("sh")
        for line in block.splitlines()
        if line.startswith("yos-bot ")
    ]


def guide_settings() -> list[str]:
    return [
        line.split("=", 1)[0]
        for block in guide_blocks("sh")
        for line in block.splitlines()
        if re.match(r"[A-Z_]+=", line)
    ]


def team_added(service_url: str, conversation: str = CHANNEL) -> dict[str, Any]:
    """What Teams sends when someone adds the bot to a team: a conversationUpdate in
    the team's first channel, whose ID is the team's."""
    return activity(
        "conversationUpdate",
        service_url=service_url,
        conversation={"id": conversation, "conversationType": "channel", "tenantId": TENANT},
        channelData={
            "tenant": {"id": TENANT},
            "team": {"id": conversation, "name": "YOS management"},
            "eventType": "teamMemberAdded",
        },
        membersAdded=[dict(BOT)],
    )


class Walk:
    """The admin's side: a folder with .env, the bot behind an HTTPS front, commands."""

    def __init__(self, folder: Path, fakes: Any) -> None:
        self.folder = folder
        self.fakes = fakes
        self.front = HttpsFront("http://127.0.0.1:9", workdir=folder / "front-pki").start()
        trust = ssl.create_default_context(cafile=str(self.front.ca_path))
        self.https = httpx.Client(verify=trust, timeout=10)
        self.ran: list[str] = []
        self.served: ServedTeams | None = None
        self.settings: dict[str, str] = {}

    def write_env(self, **values: str) -> None:
        self.settings.update(values)
        (self.folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in self.settings.items()))

    def environment(self) -> dict[str, str]:
        """The machine's environment: where the fakes are (not the guide's business)."""
        generic = ("SLACK_", "YOS_", "TEAMS_", "CLIENT_", "TENANT_ID", "MSAL_")
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(generic)},
            "TEAMS_LOGIN_URL": self.fakes.login.url,
            "TEAMS_OPENID_METADATA_URL": self.fakes.openid.metadata_url,
            "REQUESTS_CA_BUNDLE": str(self.fakes.login.ca_path),
            "SSL_CERT_FILE": str(self.fakes.login.ca_path),
            "YOS_DB": str(self.folder / "yos.db"),
            "YOS_TODAY": "2014-04-20",  # R1's monitoring window has ended: reminders are due
            "YOS_OUTBOX_RETRY_SECONDS": "0.05",
            "YOS_FIRST_REMINDER_CHECK_SECONDS": "0.1",
        }

    def yos_bot(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.ran.append(" ".join(("yos-bot", *args)))
        return launch.run(
            [*args],
            cwd=self.folder,
            env=self.environment(),
            timeout=60,
        )

    def start(self, run: int) -> ServedTeams:
        self.ran.append("yos-bot teams")
        served = ServedTeams(self.folder / f"run{run}", self.fakes, cwd=self.folder)
        (self.folder / f"run{run}").mkdir()
        served.env = self.environment()  # TEAMS_* come from .env, as the guide says
        served.db_path = self.folder / "yos.db"
        served.start()
        self.front.target = served.url
        self.served = served
        return served

    def post(self, body: dict[str, Any]) -> httpx.Response:
        """What Teams does: POST the activity to the public messaging endpoint."""
        token = self.fakes.openid.token(serviceurl=body["serviceUrl"])
        return self.https.post(
            f"{self.front.url}/api/messages",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )

    def stop(self) -> None:
        if self.served is not None:
            self.served.stop()
        self.https.close()
        self.front.stop()


def text_of(call: Any) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(call.cards)
    return re.sub(r"\\(.)", r"\1", "\n".join(found).replace("\u2060", ""))


def test_following_the_install_guide(teams_fakes, tmp_path):
    connector = teams_fakes.connector
    connector.reset()
    url = connector.url
    walk = Walk(tmp_path, teams_fakes)
    try:
        # 2. Configure the bot: .env beside where the bot starts.
        walk.write_env(
            TEAMS_APP_ID=APP_ID,
            TEAMS_APP_PASSWORD=APP_SECRET,
            TEAMS_TENANT_ID=TENANT,
            TEAMS_PUBLIC_URL=walk.front.url,
            **PAGES,
            YOS_AUDITORS=AUDITOR.aad,
        )

        # 3. Run the bot behind HTTPS; the health check answers through the proxy.
        served = walk.start(1)
        health = walk.https.get(f"{walk.front.url}/healthz")
        assert (health.status_code, health.json()) == (200, {"ok": True})
        assert "TEAMS_PUBLIC_URL is not set" not in served.log()

        # 4. Build the app package: checked, then written, with the bot's host as a domain.
        checked = walk.yos_bot("teams-package", "--check")
        assert checked.returncode == 0, checked.stderr
        assert "manifest.json is valid by" in checked.stdout
        built = walk.yos_bot("teams-package", "--out", "yos-teams.zip")
        assert built.returncode == 0, built.stderr
        with zipfile.ZipFile(tmp_path / "yos-teams.zip") as package:
            manifest = json.loads(package.read("manifest.json"))
        assert manifest["validDomains"] == [walk.front.url.removeprefix("https://")]
        assert manifest["developer"]["privacyUrl"] == PAGES["TEAMS_PRIVACY_URL"]

        # 6. Add it to a team: a welcome in the channel, its ID in the log.
        assert walk.post(team_added(url)).status_code == 200
        hello = connector.wait_for(lambda c: c.is_send and c.conversation_id == CHANNEL)
        said = text_of(hello)
        assert "@YOS bot summary" in said
        assert "Record as audit update" in said
        assert "Only the auditors listed in the bot's YOS_AUDITORS setting may record" in said
        assert f"your Teams admin sets YOS_TEAMS_CHANNEL={CHANNEL}" in said
        [logged] = guide_blocks("text")[:1]
        assert logged.strip() in served.log()
        listed = walk.yos_bot("teams-channels")
        assert listed.returncode == 0, listed.stderr
        assert re.search(
            rf"{re.escape(CHANNEL)}\s+channel\s+YOS management / General", listed.stdout
        )
        assert "YOS_TEAMS_CHANNEL is not set" in listed.stdout

        # 7. Choose the channel and restart: the reminder that is due is delivered there,
        # with the board report and its chart.
        served.stop()
        walk.write_env(YOS_TEAMS_CHANNEL=CHANNEL)
        served = walk.start(2)
        reminder, report, chart = connector.wait_for_count(
            3, lambda c: c.is_send and c.conversation_id == CHANNEL and c is not hello, timeout=20
        )[-3:]
        assert text_of(reminder).startswith("Monitoring reminder")
        assert (report.text or "").startswith("Monitoring report")
        [image] = [e for e in chart.cards[0]["body"] if e["type"] == "Image"]
        assert image["url"].startswith(f"{walk.front.url}/charts/")
        assert image["url"].startswith("https://")
        # ... and the address serves the PNG, over HTTPS, to anyone who has it.
        fetched = walk.https.get(image["url"])
        assert fetched.status_code == 200
        assert fetched.headers["content-type"] == "image/png"
        assert fetched.content.startswith(PNG)

        # 8. Try it: a mention in the channel is answered in its thread.
        post = in_channel("summary", url, channel=CHANNEL)
        assert walk.post(post).status_code == 200
        answer = connector.wait_for(
            lambda c: c.is_send and c.conversation_id == f"{CHANNEL};messageid={post['id']}"
        )
        assert "91%" in text_of(answer)
        listed = walk.yos_bot("teams-channels")
        assert f"{CHANNEL}" in listed.stdout and "<- YOS_TEAMS_CHANNEL" in listed.stdout
        served.wait_until_outbox_idle()
        assert "Traceback" not in served.log()
    finally:
        walk.stop()

    # The guide shows exactly the commands and settings the walk used.
    assert guide_commands() == list(dict.fromkeys(walk.ran))
    assert set(guide_settings()) == set(walk.settings)


# --- the welcome in each scope ------------------------------------------------------------------


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    """The HTTPS front (reverse proxy) of the module's server, at its TEAMS_PUBLIC_URL."""
    front = HttpsFront("http://127.0.0.1:9", workdir=tmp_path_factory.mktemp("front-pki")).start()
    yield front
    front.stop()


@pytest.fixture(scope="module")
def served(teams_fakes, tmp_path_factory, front):
    app = ServedTeams(
        tmp_path_factory.mktemp("teams-scopes"),
        teams_fakes,
        YOS_TODAY="2014-02-20",
        YOS_AUDITORS=AUDITOR.aad,
        YOS_TEAMS_CHANNEL="19:board@thread.tacv2",
        YOS_OUTBOX_RETRY_SECONDS="0.05",
        TEAMS_PUBLIC_URL=front.url,
    ).start()
    front.target = app.url
    yield app
    app.stop()


@pytest.fixture
def https(front):
    """A client that trusts the front's certificate, as Teams' clients trust the council's."""
    client = httpx.Client(verify=ssl.create_default_context(cafile=str(front.ca_path)), timeout=10)
    yield client
    client.close()


@pytest.fixture
def teams(served, teams_fakes):
    served.reset()
    teams_fakes.connector.reset()
    yield served
    served.wait_until_outbox_idle()


def log_lines(teams, pattern: str) -> list[str]:
    return [line for line in teams.log().splitlines() if re.search(pattern, line)]


def test_added_to_a_team_channel_other_than_the_reminders_one(teams, teams_fakes):
    connector = teams_fakes.connector
    other = "19:other-team@thread.tacv2"
    assert teams.post(team_added(connector.url, other)).status == 200
    hello = connector.wait_for(lambda c: c.is_send and c.conversation_id == other)
    said = text_of(hello)
    assert "go to another conversation" in said
    assert f"sets YOS_TEAMS_CHANNEL={other} and restarts the bot" in said
    assert log_lines(
        teams, rf"added to team 'YOS management', channel 'General': conversation {other};"
    )
    # Delivered again (Teams retries), or its installationUpdate: no second welcome.
    again = team_added(connector.url, other)
    again["type"], again["action"] = "installationUpdate", "add"
    del again["membersAdded"]
    assert teams.post(again).status == 200
    assert teams.post(team_added(connector.url, other)).status == 200
    teams.wait_until_outbox_idle()
    connector.assert_quiet(lambda c: c.is_send and c is not hello and c.conversation_id == other)


def test_added_to_a_group_chat(teams, teams_fakes):
    connector = teams_fakes.connector
    added = activity(
        "conversationUpdate",
        service_url=connector.url,
        conversation={"id": GROUP, "conversationType": "groupChat", "tenantId": TENANT},
        membersAdded=[dict(BOT)],
    )
    assert teams.post(added).status == 200
    hello = connector.wait_for(lambda c: c.is_send and c.conversation_id == GROUP)
    assert "To have them posted in this chat" in text_of(hello)
    assert log_lines(teams, rf"added to a group chat: conversation {re.escape(GROUP)};")


def test_installed_as_a_personal_app_shows_the_dashboard_once(teams, teams_fakes):
    connector = teams_fakes.connector
    installed = personal(None, connector.url, user=READER)
    installed.update(type="installationUpdate", action="add")
    added = personal(None, connector.url, user=READER)
    added.update(type="conversationUpdate", membersAdded=[dict(BOT)])
    assert teams.post(installed).status == 200
    assert teams.post(added).status == 200
    home = connector.wait_for(lambda c: c.is_send and c.conversation_id == READER.personal_chat)
    assert "Latest audit updates" in text_of(home)
    assert log_lines(
        teams, rf"added to a personal chat: conversation {re.escape(READER.personal_chat)}$"
    )
    assert not log_lines(teams, READER.name)  # no person is named in the log
    teams.wait_until_outbox_idle()
    assert len([c for c in connector.sent() if c.conversation_id == READER.personal_chat]) == 1


# --- the chart addresses ----------------------------------------------------------------------


def test_a_chart_address_is_served_once_published_and_refused_when_wrong(teams, front, https):
    # The module's server: TEAMS_PUBLIC_URL set to its HTTPS front; charts beside its store.
    store = ChartStore(
        teams.db_path.parent / "teams-charts",
        front.url,
        APP_SECRET,
        platform="teams",
        lifetime_seconds=3600,
    )
    address = store.publish(PNG + b"chart")
    token = address.rsplit("/", 1)[1]
    # Nothing in the address but a random name, its expiry and their signature.
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}\.\d{10}\.[A-Za-z0-9_-]{43}\.png", token), token
    assert AUDITOR.aad not in address
    served = https.get(address)
    assert (served.status_code, served.headers["content-type"]) == (200, "image/png")
    assert served.content == PNG + b"chart"
    ident, expires, signature, _ = token.split(".")
    wrong = [
        f"{ident}.{expires}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}.png",
        f"{ident}.{int(expires) + 86_400}.{signature}.png",  # a later expiry, same signature
        f"{'A' * 24}.{expires}.{signature}.png",
        "../yos.db",
        "",
    ]
    for bad in wrong:
        refused = https.get(f"{front.url}/charts/{bad}")
        assert refused.status_code == 404, bad
        assert not refused.content.startswith(PNG)
