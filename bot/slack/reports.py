"""Board reports in Slack: the chart upload and the scheduled reminders."""

from __future__ import annotations

import logging
import threading
from datetime import date

from slack_sdk import WebClient

from bot.commands import dispatch
from bot.domain.reminders import WINDOW_ENDED, claim_reminder, due_reminders, unclaim_reminder
from bot.domain.report import board_report
from bot.render.blocks import escape, message
from bot.slack.deps import Deps

logger = logging.getLogger(__name__)

REMINDER_INTERVAL_SECONDS = 3600.0
FIRST_CHECK_SECONDS = 5.0


def upload_chart(
    deps: Deps, client: WebClient, channel: str, ref: str | None, comment: str | None = None
) -> str | None:
    """Render the monitoring chart and upload it to ``channel``; returns the file ID.

    Uses Slack's upload flow (files.getUploadURLExternal, the upload itself, then
    files.completeUploadExternal) through slack_sdk's files_upload_v2.
    """
    from bot.render.chart import render_chart  # matplotlib loads here, not at start-up

    ctx = deps.context(client, via="report", user_id=None, channel_id=channel)
    report = board_report(ctx.queries, ctx.home_inspection(), ctx.today, ref or None)
    if not report.recs:
        return None
    png = render_chart(report)
    name = f"{(ref or 'recommendations').lower()}-monitoring.png"
    response = client.files_upload_v2(
        channel=channel,
        file=png,
        filename=name,
        title=f"{report.title}: {', '.join(r.rec.ref for r in report.recs)}",
        initial_comment=escape(comment) if comment else None,
    )
    uploaded = response.get("file") or {}
    return uploaded.get("id")


def post_report(deps: Deps, client: WebClient, channel: str, ref: str | None = None) -> None:
    """The report for everyone in ``channel`` (or a DM), then its chart."""
    ctx = deps.context(client, via="report", user_id=None, channel_id=channel)
    reply = dispatch(f"report {ref or ''}".strip(), ctx)
    client.chat_postMessage(channel=channel, **message(reply))
    if reply.ok:
        upload_chart(deps, client, channel, ref, reply.headline)


def send_reminders(deps: Deps, client: WebClient, today: date) -> list[str]:
    """Send every reminder that is due and not yet sent; returns their keys."""
    channel = deps.settings.channel
    if not channel:
        logger.warning("YOS_CHANNEL is not set: reminders have nowhere to go")
        return []
    ctx = deps.context(client, via="reminder", user_id=None, channel_id=channel)
    ctx.today = today
    sent = []
    for reminder in due_reminders(ctx.queries, ctx.home_inspection(), today):
        if not claim_reminder(deps.store.db, reminder, channel, today):
            continue
        try:
            client.chat_postMessage(channel=channel, text=escape(reminder.text))
            if reminder.kind == WINDOW_ENDED:
                post_report(deps, client, channel, reminder.rec.ref)
        except Exception:
            unclaim_reminder(deps.store.db, reminder)
            logger.exception("sending reminder %s failed; it will be tried again", reminder.key)
            continue
        sent.append(reminder.key)
    return sent


def start_reminder_loop(deps: Deps, client: WebClient) -> threading.Thread:
    """Check for due reminders shortly after start, then every hour, while the process runs.

    Every worker may run one: each reminder is claimed in the store before it is sent.
    """
    from bot.runtime import today as today_for

    def loop() -> None:
        delay = FIRST_CHECK_SECONDS
        while not threading.Event().wait(delay):
            try:
                send_reminders(deps, client, today_for(deps.settings))
            except Exception:
                logger.exception("checking reminders failed")
            delay = REMINDER_INTERVAL_SECONDS

    thread = threading.Thread(target=loop, name="reminders", daemon=True)
    thread.start()
    return thread
