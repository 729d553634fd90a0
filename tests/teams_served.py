"""``yos-bot teams`` served for real, and spoken to as the Bot Connector speaks to it.

The bot runs in its own process with its TEAMS_* settings pointing at the three local
fakes of :mod:`tests.teams_fakes`: it checks each incoming activity's token against
:class:`FakeOpenID`'s keys, gets its own token from :class:`FakeLogin` (HTTPS, with a
test CA the process is told to trust) and sends to :class:`FakeConnector`.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.config import PROJECT_ROOT
from tests import launch
from tests.slack_requests import free_port
from tests.teams_fakes import FakeConnector, FakeLogin, FakeOpenID

APP_ID = "00000000-0000-0000-0000-00000000b07a"
APP_SECRET = "s3cret-for-tests-only"
TENANT = "11111111-2222-3333-4444-555555555555"
BOT = {"id": f"28:{APP_ID}", "name": "YOS bot"}

GENERAL = "19:general-channel@thread.tacv2"  # a team's channel where the bot is asked
BOARD = "19:board-channel@thread.tacv2"  # YOS_TEAMS_CHANNEL: reminders and reports
GROUP = "19:group-chat@thread.v2"

_ids = itertools.count(int(time.time() * 1000) % 10**12 * 10)


def new_id() -> str:
    """A fresh numeric activity ID, as Teams uses."""
    return str(next(_ids))


@dataclass(frozen=True)
class User:
    aad: str  # Azure AD object ID: what YOS_AUDITORS lists
    account: str  # Teams account ID (29:...)
    name: str

    @property
    def personal_chat(self) -> str:
        return f"a:1personal-{self.account[3:]}"

    def account_json(self) -> dict[str, str]:
        return {"id": self.account, "name": self.name, "aadObjectId": self.aad}


# Auditors (YOS_AUDITORS lists their Azure AD object IDs). Alex also chats with the bot
# in a personal chat; Chris only ever speaks in channels.
AUDITOR = User("aaaaaaaa-0000-4000-8000-000000000001", "29:1alex-auditor", "Alex Auditor")
CHANNEL_AUDITOR = User("aaaaaaaa-0000-4000-8000-000000000002", "29:1chris-board", "Chris Board")
# Not auditors: Robin has a personal chat with the bot, Sam never writes to it there.
READER = User("bbbbbbbb-0000-4000-8000-000000000001", "29:1robin-reader", "Robin Reader")
STRANGER = User("bbbbbbbb-0000-4000-8000-000000000002", "29:1sam-stranger", "Sam Stranger")
COLLEAGUE = User("cccccccc-0000-4000-8000-000000000003", "29:1jo-colleague", "Jo Colleague")


@dataclass
class TeamsFakes:
    """The three fakes, started together (once per session)."""

    workdir: Path
    login: FakeLogin = field(init=False)
    connector: FakeConnector = field(init=False)
    openid: FakeOpenID = field(init=False)

    def start(self) -> TeamsFakes:
        self.login = FakeLogin(APP_ID, APP_SECRET, TENANT, workdir=self.workdir).start()
        self.connector = FakeConnector(token_check=self.login.is_valid).start()
        self.openid = FakeOpenID(APP_ID, service_url=self.connector.url).start()
        return self

    def stop(self) -> None:
        for fake in (self.openid, self.connector, self.login):
            fake.stop()


@dataclass
class Response:
    status: int
    body: Any


class ServedTeams:
    """``yos-bot teams`` started for real, in its own process, on a free local port."""

    def __init__(
        self,
        folder: Path,
        fakes: TeamsFakes,
        *,
        cwd: Path | None = None,
        forked: bool = True,
        **env: str,
    ) -> None:
        self.fakes = fakes
        self.cwd = cwd or PROJECT_ROOT  # where it starts, so which .env it reads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = folder / "yos.db"
        self.log_path = folder / "teams.log"
        generic = ("SLACK_", "YOS_", "TEAMS_", "CLIENT_", "TENANT_ID", "MSAL_")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(generic)},
            "TEAMS_APP_ID": APP_ID,
            "TEAMS_APP_PASSWORD": APP_SECRET,
            "TEAMS_TENANT_ID": TENANT,
            "TEAMS_LOGIN_URL": fakes.login.url,
            "TEAMS_OPENID_METADATA_URL": fakes.openid.metadata_url,
            # msal uses requests, which lets REQUESTS_CA_BUNDLE override what it is told;
            # the SDK's httpx and pyjwt's urllib read SSL_CERT_FILE.
            "REQUESTS_CA_BUNDLE": str(fakes.login.ca_path),
            "SSL_CERT_FILE": str(fakes.login.ca_path),
            "YOS_DB": str(self.db_path),
            "YOS_LOG_LEVEL": "INFO",
            **env,
        }
        self.forked = forked  # False: a new interpreter (see tests.launch.start)
        self.process: launch.BotProcess | None = None
        self.http = httpx.Client(timeout=10)
        self.started_in: float | None = None

    def start(self, timeout: float = 30.0) -> ServedTeams:
        log = self.log_path.open("w")
        if self.forked:
            launch.ready()  # the fork server's own start is not the bot's
        began = time.monotonic()
        self.process = launch.start(
            ["teams", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            forked=self.forked,
        )
        deadline = began + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if self.http.get(f"{self.url}/healthz").status_code == 200:
                    self.started_in = time.monotonic() - began
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.http.close()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    # --- HTTP ------------------------------------------------------------------------

    def get(self, path: str) -> Response:
        answer = self.http.get(self.url + path)
        return Response(answer.status_code, _body(answer))

    def post(
        self,
        activity: dict[str, Any],
        *,
        token: str | None = None,
        authorization: str | None = None,
        **claims: Any,
    ) -> Response:
        """POST an activity with a valid Bot Connector token (``claims`` override its
        claims; ``token`` or ``authorization`` replace it; ``authorization=""`` sends none)."""
        if authorization is None:
            authorization = f"Bearer {token or self.fakes.openid.token(**claims)}"
        headers = {"Authorization": authorization} if authorization else {}
        answer = self.http.post(f"{self.url}/api/messages", json=activity, headers=headers)
        return Response(answer.status_code, _body(answer))

    def post_raw(self, body: bytes, headers: dict[str, str]) -> Response:
        answer = self.http.post(f"{self.url}/api/messages", content=body, headers=headers)
        return Response(answer.status_code, _body(answer))

    # --- the store -----------------------------------------------------------------

    def query(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        with sqlite3.connect(self.db_path) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute(sql, params).fetchall()

    def wait_until_outbox_idle(self, timeout: float = 15.0) -> None:
        """Wait until the server has nothing left to send (or has given it up); another
        platform's items (the console's, say) are not its to send."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = self.query(
                "SELECT count(*) FROM outbox WHERE platform = 'teams' "
                "AND state IN ('pending', 'sending')"
            )
            if not busy[0][0]:
                return
            time.sleep(0.02)
        raise AssertionError("the outbox did not empty")

    def reset(self) -> None:
        """Forget the previous test's records (reminders, once sent, stay sent)."""
        self.wait_until_outbox_idle()
        with sqlite3.connect(self.db_path) as conn:
            for table in (
                "audit_retractions",
                "audit_updates",
                "recommendation_history",
                "deliveries",
            ):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM outbox WHERE key NOT LIKE 'reminder:%'")


def _body(answer: httpx.Response) -> Any:
    if not answer.content:
        return None
    try:
        return answer.json()
    except json.JSONDecodeError:
        return answer.text


# --- activities, as the Bot Connector sends them -------------------------------------


def activity(
    kind: str,
    *,
    service_url: str,
    user: User = AUDITOR,
    conversation: dict[str, Any] | None = None,
    channel_data: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind,
        "id": new_id(),
        "timestamp": "2014-04-20T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": user.account_json(),
        "recipient": dict(BOT),
        "conversation": conversation
        or {"id": user.personal_chat, "conversationType": "personal", "tenantId": TENANT},
        "channelData": channel_data or {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }
    body.update(fields)
    return body


def personal(text: str | None, service_url: str, *, user: User = AUDITOR, **fields: Any):
    extra = {"text": text, "textFormat": "plain"} if text is not None else {}
    return activity("message", service_url=service_url, user=user, **extra, **fields)


def mention_entity(account: dict[str, str]) -> dict[str, Any]:
    return {"type": "mention", "mentioned": account, "text": f"<at>{account['name']}</at>"}


def in_channel(
    text: str,
    service_url: str,
    *,
    user: User = AUDITOR,
    channel: str = GENERAL,
    root: str | None = None,
    mention_bot: bool = True,
    others: tuple[User, ...] = (),
) -> dict[str, Any]:
    """A channel message: a new post (its own thread's root) or a reply under ``root``."""
    message_id = new_id()
    thread = root or message_id
    entities = [mention_entity(BOT)] if mention_bot else []
    entities += [mention_entity({"id": o.account, "name": o.name}) for o in others]
    return activity(
        "message",
        service_url=service_url,
        user=user,
        id=message_id,
        text=(f"<at>{BOT['name']}</at> " if mention_bot else "") + text,
        textFormat="plain",
        entities=entities,
        replyToId=root,
        conversation={
            "id": f"{channel};messageid={thread}",
            "conversationType": "channel",
            "tenantId": TENANT,
            "isGroup": True,
        },
        channelData={
            "tenant": {"id": TENANT},
            "team": {"id": GENERAL, "name": "YOS management"},
            "channel": {"id": channel, "name": "General" if channel == GENERAL else "Board"},
        },
    )


def in_group_chat(text: str, service_url: str, *, user: User = AUDITOR) -> dict[str, Any]:
    return activity(
        "message",
        service_url=service_url,
        user=user,
        text=f"<at>{BOT['name']}</at> {text}",
        textFormat="plain",
        entities=[mention_entity(BOT)],
        conversation={
            "id": GROUP,
            "conversationType": "groupChat",
            "tenantId": TENANT,
            "isGroup": True,
        },
    )


def invoke(
    name: str,
    value: Any,
    service_url: str,
    *,
    user: User = AUDITOR,
    conversation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return activity(
        "invoke",
        service_url=service_url,
        user=user,
        name=name,
        value=value,
        conversation=conversation,
    )


def channel_conversation(channel: str = GENERAL, root: str | None = None) -> dict[str, Any]:
    return {
        "id": f"{channel};messageid={root}" if root else channel,
        "conversationType": "channel",
        "tenantId": TENANT,
        "isGroup": True,
    }


def bot_added(channel: str, service_url: str, *, removed: bool = False) -> dict[str, Any]:
    """The conversationUpdate Teams sends when the bot is added to (removed from) a team."""
    members = "membersRemoved" if removed else "membersAdded"
    return activity(
        "conversationUpdate",
        service_url=service_url,
        conversation=channel_conversation(channel),
        channelData={
            "tenant": {"id": TENANT},
            "team": {"id": channel, "name": "YOS board"},
            "eventType": "teamMemberRemoved" if removed else "teamMemberAdded",
        },
        **{members: [dict(BOT)]},
    )
