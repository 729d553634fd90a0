"""What reaches the Teams bot, and what it refuses before any handler runs.

One tenant, one channel, one identity: an activity from another tenant, with no tenant,
from another channel than Teams or from someone without an Azure AD object ID is refused
(403), as is one signed by a key the Bot Framework has not endorsed for Teams (401);
nothing is recorded or sent. A malformed activity with a valid token is answered 400, an
absurd body 400 or 413 before any token is looked at, and each refusal is one log line
that names the problem and never the activity's text. The fuzz at the end sends
activities mutated at random, with valid tokens: never a 5xx, never the text in the log.

Served for real (``yos-bot teams``) against tests/teams_fakes.py, as tests/test_teams_app.py.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.teams.logs import EscapeControl
from tests import launch
from tests.teams_keys import new_signing_key
from tests.teams_served import (
    AUDITOR,
    BOT,
    GENERAL,
    TENANT,
    ServedTeams,
    in_channel,
    invoke,
    new_id,
    personal,
)

OTHER_TENANT = "99999999-0000-4000-8000-000000000000"
SECRET = "Jamie-Smith-2009"  # stands for a child's details typed into a message
LONG = os.environ.get("YOS_FUZZ") == "long"


@pytest.fixture(scope="module")
def webchat_key(teams_fakes):
    """A key the Bot Framework publishes for Web Chat only, published before the
    module's server first fetches the key set."""
    key = teams_fakes.openid.publish(new_signing_key(endorsements=("webchat",)))
    yield key
    teams_fakes.openid.unpublish(key)


@pytest.fixture(scope="module")
def served(teams_fakes, tmp_path_factory, webchat_key):
    app = ServedTeams(
        tmp_path_factory.mktemp("teams-ingress"),
        teams_fakes,
        YOS_TODAY="2014-02-20",
        YOS_AUDITORS=AUDITOR.aad,
        YOS_OUTBOX_RETRY_SECONDS="0.05",
    ).start()
    yield app
    app.stop()


@pytest.fixture
def teams(served, teams_fakes):
    served.reset()
    teams_fakes.connector.reset()
    yield served
    served.wait_until_outbox_idle()


@pytest.fixture
def url(teams_fakes):
    return teams_fakes.connector.url


@pytest.fixture
def connector(teams_fakes):
    return teams_fakes.connector


def recorded(teams) -> list[Any]:
    return teams.query("SELECT * FROM audit_updates")


def new_log_lines(teams, since: int) -> list[str]:
    return teams.log().splitlines()[since:]


def refused(teams, activity: dict[str, Any], status: int, **post: Any) -> str:
    """POST ``activity``; assert ``status`` and one log line saying why; that line."""
    before = len(teams.log().splitlines())
    response = teams.post(activity, **post)
    assert response.status == status, response.body
    lines = [line for line in new_log_lines(teams, before) if "inbound activity rejected" in line]
    assert len(lines) == 1, lines
    assert SECRET not in teams.log()
    return lines[0]


def an_update(url: str, **fields: Any) -> dict[str, Any]:
    """An auditor recording an update in their personal chat, with a child's name in the
    note: refused, it must be neither recorded nor logged."""
    return personal(f"audit R1 17/20 2014-02-18 {SECRET}", url, **fields)


# --- one tenant, one channel, one identity ---------------------------------------------------


def test_an_activity_from_another_tenant_is_refused(teams, connector, url):
    visitor = an_update(url)
    visitor["conversation"]["tenantId"] = OTHER_TENANT
    visitor["channelData"] = {"tenant": {"id": OTHER_TENANT}}
    assert "from another tenant" in refused(teams, visitor, 403)
    connector.assert_quiet(within=0.2)
    assert recorded(teams) == []


def test_a_tenant_that_disagrees_with_itself_is_refused(teams, url):
    mixed = an_update(url)
    mixed["channelData"] = {"tenant": {"id": OTHER_TENANT}}  # conversation.tenantId is ours
    assert "from another tenant" in refused(teams, mixed, 403)
    assert recorded(teams) == []


def test_an_activity_naming_no_tenant_is_refused(teams, connector, url):
    anonymous = an_update(url)
    del anonymous["conversation"]["tenantId"]
    anonymous["channelData"] = {}
    assert "names no tenant" in refused(teams, anonymous, 403)
    connector.assert_quiet(within=0.2)
    assert recorded(teams) == []
    assert teams.query("SELECT * FROM conversations") == []


def test_another_channel_is_refused_even_in_the_auditors_name(teams, url):
    # Web Chat (or Direct Line) on the same registration: the client chooses from.id.
    impostor = an_update(url)
    impostor["channelId"] = "webchat"
    impostor["from"] = {"id": AUDITOR.aad, "name": "Impostor"}
    assert "not from Microsoft Teams" in refused(teams, impostor, 403)
    assert recorded(teams) == []


def test_a_sender_without_an_azure_ad_object_id_is_refused(teams, url):
    impostor = an_update(url)
    impostor["from"] = {"id": AUDITOR.aad, "name": "Impostor"}  # Teams' own channel
    assert "aadObjectId" in refused(teams, impostor, 403)
    assert recorded(teams) == []


def test_a_key_not_endorsed_for_teams_is_refused(teams, connector, url, teams_fakes, webchat_key):
    update = an_update(url)
    token = teams_fakes.openid.token(key=webchat_key)
    line = refused(teams, update, 401, token=token)
    assert "not endorsed for msteams" in line
    connector.assert_quiet(within=0.2)
    assert recorded(teams) == []


def test_what_passes_is_recorded_under_the_object_id(teams, connector, url):
    update = personal("audit R1 17/20 2014-02-18 checked", url)
    assert teams.post(update).status == 200
    connector.wait_for(lambda c: c.is_send)
    [row] = recorded(teams)
    assert row["user_id"] == AUDITOR.aad


def test_a_domain_name_for_the_tenant_is_refused_at_start(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "YOS_"))},
        "TEAMS_APP_ID": "00000000-0000-0000-0000-00000000b07a",
        "TEAMS_APP_PASSWORD": "secret",
        "TEAMS_TENANT_ID": "contoso.onmicrosoft.com",
        "YOS_DB": str(tmp_path / "yos.db"),
    }
    done = launch.run(
        ["teams", "--port", "9"],
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert done.returncode != 0
    assert "TEAMS_TENANT_ID must be your Microsoft Entra tenant ID, a GUID" in done.stderr
    assert "Microsoft Entra admin centre" in done.stderr
    assert "Traceback" not in done.stderr


# --- malformed activities, with a valid token ----------------------------------------------------


def _shapes(url: str) -> dict[str, dict[str, Any]]:
    message = personal(f"summary {SECRET}", url)

    def changed(base: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return {**copy.deepcopy(base), **fields}

    fetch = invoke(
        "composeExtension/fetchTask",
        {"commandId": "recordAuditUpdate", "commandContext": "message", "messagePayload": SECRET},
        url,
    )
    added = changed(message, type="conversationUpdate", membersAdded=SECRET)
    del added["text"]
    return {
        "only-service-url": {"serviceUrl": url},
        "type-a-number": changed(message, type=5),
        "conversation-a-string": changed(message, conversation=SECRET),
        "from-null": changed(message, **{"from": None}),
        "text-a-number": changed(message, text=5),
        "entities-a-string": changed(message, entities=SECRET),
        "submit-value-null": invoke("task/submit", None, url),
        "unknown-invoke": invoke("made/up", {"data": SECRET}, url),
        "fetch-task-payload-a-string": fetch,
        "members-added-a-string": added,
    }


SHAPES = list(_shapes("https://x"))


@pytest.mark.parametrize("shape", SHAPES)
def test_a_malformed_activity_is_refused_with_one_line_and_no_text(teams, connector, url, shape):
    activity = _shapes(url)[shape]
    line = refused(teams, activity, 400)
    assert "malformed activity" in line
    assert SECRET not in line
    connector.assert_quiet(within=0.1)
    assert recorded(teams) == []


def test_the_log_has_no_tracebacks_or_text(teams):
    log = teams.log()
    assert "Traceback" not in log
    assert SECRET not in log
    assert " 500 " not in log


# --- before any token is looked at ---------------------------------------------------------------


def test_a_body_too_big_is_refused_unread(teams):
    response = teams.post_raw(b'{"text": "' + b"x" * 300_000 + b'"}', {})
    assert (response.status, response.body) == (413, {"error": "Request too large"})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100000-nested-lists"),
        pytest.param(b'{"a":' * 40 + b"1" + b"}" * 40, id="40-nested-objects"),
        pytest.param(b"{not json", id="not-json"),
        pytest.param(b"[1, 2]", id="not-an-object"),
    ],
)
def test_a_body_that_is_not_a_sensible_object_is_refused(teams, connector, body):
    response = teams.post_raw(body, {"Content-Type": "application/json"})
    assert (response.status, response.body) == (400, {"error": "Bad request"})
    connector.assert_quiet(within=0.1)


def test_a_forged_log_line_in_a_token_is_escaped(teams, teams_fakes, url):
    forged = "abc\n2014-04-20 10:00:00,000 CRITICAL bot: forged line"
    token = teams_fakes.openid.token(kid=forged, key=teams_fakes.openid.other_key)
    activity = personal("summary", url)
    activity["id"] = "1\n2014-04-20 10:00:00,000 CRITICAL bot: forged id"
    activity["serviceUrl"] = url + "\n2014-04-20 10:00:00,000 CRITICAL bot: forged url"
    before = len(teams.log().splitlines())
    assert teams.post(activity, token=token).status == 401
    assert teams.post_raw(b"{", {"Authorization": f"Bearer {forged!r}"}).status == 400
    lines = new_log_lines(teams, before)
    assert lines and not any(line.startswith("2014-04-20 10:00:00,000") for line in lines)
    assert not any(re.search(r"CRITICAL bot: forged (line|url)", line) for line in lines)


def test_the_logging_filter_escapes_control_characters():
    record = logging.LogRecord("x", logging.WARNING, "f", 1, "kid %s; url %r", ("a\nb", "c"), None)
    assert EscapeControl().filter(record)
    assert record.getMessage() == "kid a\\nb; url 'c'"
    assert "\n" not in record.getMessage()


# --- the fuzz: activities mutated at random, each with a valid token -------------------------


def _bases(url: str) -> list[dict[str, Any]]:
    channel = in_channel(f"audit R1 17/20 {SECRET}", url)
    return [
        personal(f"summary {SECRET}", url),
        channel,
        personal(None, url, value={"action": "share", "command": "summary", "args": SECRET}),
        invoke("task/fetch", {"data": {"action": "audit_form"}}, url),
        invoke(
            "task/submit",
            {"data": {"action": "audit_form_submit", "recommendation": "R1", "note": SECRET}},
            url,
        ),
        invoke(
            "composeExtension/fetchTask",
            {
                "commandId": "recordAuditUpdate",
                "commandContext": "message",
                "messagePayload": {"id": new_id(), "body": {"content": SECRET}},
            },
            url,
        ),
        {
            **personal(None, url),
            "type": "conversationUpdate",
            "membersAdded": [dict(BOT)],
            "conversation": {"id": GENERAL, "conversationType": "channel", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}, "team": {"id": GENERAL, "name": "T"}},
        },
        {**personal(None, url), "type": "installationUpdate", "action": "add"},
    ]


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _mutate(activity: dict[str, Any], path: tuple[Any, ...], how: str, value: Any) -> None:
    parent: Any = activity
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "delete":
        del parent[last]
    else:
        parent[last] = value


@st.composite
def mutated(draw: st.DrawFn, url: str) -> dict[str, Any]:
    activity = copy.deepcopy(draw(st.sampled_from(_bases(url))))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(activity) if p != ("serviceUrl",)]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["replace", "delete"]))
        _mutate(activity, path, how, draw(JSON))
    return activity


FUZZ = settings(
    max_examples=2_000 if LONG else 40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    **(
        {}
        if LONG
        else {"derandomize": True, "database": None, "phases": [Phase.explicit, Phase.generate]}
    ),
)


@pytest.mark.fuzz
@pytest.mark.quick
def test_any_activity_with_a_valid_token_gets_no_5xx_and_no_text_in_the_log(served, teams_fakes):
    url = teams_fakes.connector.url
    token = teams_fakes.openid.token()
    statuses: dict[int, int] = {}

    @FUZZ
    @given(mutated(url))
    def attempt(activity: dict[str, Any]) -> None:
        response = served.post(activity, token=token)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        assert response.status < 500, (response.status, json.dumps(activity)[:500])

    attempt()
    served.wait_until_outbox_idle(30)
    log = served.log()
    assert SECRET not in log
    assert "Traceback" not in log
    assert not re.search(r"handling an? \S+ activity failed", log), log[-2000:]
    assert set(statuses) <= {200, 400, 401, 403}, statuses
    assert statuses.get(200) and statuses.get(400), statuses
