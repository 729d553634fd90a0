"""What the tests run in processes of their own (started with multiprocessing's "spawn",
which imports the module of the function it runs): a client posting audit updates to the
served app as Slack would. This module imports the standard library only, so a process
starts without pytest or the test modules."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlencode

from tests.slack_signing import sign

PER_PROCESS = 50
RESENT = 10  # deliveries each process sends twice, as a double-submit would


def post_updates(url: str, client: int) -> None:
    def send(n: int, expect: bytes) -> None:
        body = urlencode(
            {
                "team_id": "T0001",
                "channel_id": "C0YOS",
                "user_id": f"U0WRITER{client}",
                "command": "/yos",
                "text": f"audit R1 {n % 20 + 1}/20 client {client} update {n}",
                "api_app_id": "A0001",
                "response_url": "http://127.0.0.1:9/x",
                "trigger_id": f"{client}.{n}.concurrency",
            }
        )
        request = urllib.request.Request(
            url + "/slack/events",
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            body = response.read()
            assert expect in body, body

    for n in range(PER_PROCESS):
        send(n, b"Recorded audit update #")
    for n in range(RESENT):
        send(n, b"Already recorded as audit update #")
