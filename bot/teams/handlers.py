"""What the bot does with each kind of activity Teams sends.

* Every activity has passed :mod:`bot.teams.ingress` (a Bot Framework token endorsed
  for Teams, a well-formed activity, TEAMS_TENANT_ID, an Azure AD sender) and first
  has its conversation reference saved.
* Being added to a team, a group chat or a personal chat (conversationUpdate with the
  bot among ``membersAdded``, or installationUpdate ``add``) posts a welcome there and
  logs the conversation's ID (:mod:`bot.teams.welcome`); a personal chat's welcome is
  the dashboard.
* A message in a personal chat is a command or a question; in a channel or group chat,
  only a message that @mentions the bot is, without that mention. The answer is queued
  in the outbox (in the thread, for a channel) before Teams hears back, as a Slack
  mention's is, so a redelivered activity is answered and recorded once.
* A card button (``Action.Submit``) arrives as a message with ``value``
  ``{"action": kind, ...}``: share an answer, post the board report.
* ``task/fetch`` opens the audit form as a dialog, ``task/submit`` records it (or shows
  the form again with what was wrong); the dashboard's "Add an action" and "Record
  progress on R1.1" open the improvement plan's dialogs the same way
  (:mod:`bot.teams.plan_forms`); the "Record as audit update" message action
  (``composeExtension/fetchTask`` and ``submitAction``) opens the same form filled in
  from the message and links the update to it.

The application is synchronous (SQLite), so every call into it runs in a worker thread
(``asyncio.to_thread``), never on the server's event loop.
"""

from __future__ import annotations

import asyncio
import html
import logging
from html.parser import HTMLParser
from typing import Any

from bot.app import Delivery, PermanentError, Request, TransientError
from bot.commands import Permission
from bot.commands.audits import FormEntry
from bot.render.cards import AUDIT_FORM_SUBMIT, CONTENT_TYPE, form_card, message_activity
from bot.reply import Action, ActionKind, Reply, problem
from bot.store.outbox import PRIVATE, Address
from bot.teams.conversations import Reference
from bot.teams.deps import Deps
from bot.teams.plan_forms import OPENS, SUBMITS, PlanForms
from bot.teams.platform import PERSONAL, RECORD_AUDIT_ACTION
from bot.teams.sdk import (
    ActivityBase,
    ActivityContext,
    App,
    Attachment,
    CardTaskModuleTaskInfo,
    ConversationUpdateActivity,
    InstallUpdateActivity,
    MessageActivity,
    MessageActivityInput,
    MessageExtensionFetchTaskInvokeActivity,
    MessageExtensionSubmitActionInvokeActivity,
    MessagingExtensionActionResponse,
    StripMentionsTextOptions,
    TaskFetchInvokeActivity,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleResponse,
    TaskSubmitInvokeActivity,
)
from bot.teams.welcome import Place, log_line, welcome

logger = logging.getLogger(__name__)

FORM_WORDS = {"audit", "audit form", "record", "record audit"}
FORM_TITLE = "Record audit update"
FORM_FIELDS = ("recommendation", "audit_date", "audited", "compliant", "note")


def own_text(activity: MessageActivity) -> str:
    """The message without the bot's own @mention (colleagues' mentions stay: they may be
    part of a note), on one line."""
    text = activity.text or ""
    if activity.entities and activity.recipient is not None:
        options = StripMentionsTextOptions(account_id=activity.recipient.id)
        text = activity.strip_mentions_text(options).text or ""
    return " ".join(text.replace("\xa0", " ").split())


class _Text(HTMLParser):
    """The text of a message's HTML body: tags dropped, entities decoded, breaks kept."""

    BREAKS = frozenset({"br", "p", "div", "li", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(content: str, content_type: str | None) -> str:
    if (content_type or "").lower() != "html":
        return content.strip()
    parser = _Text()
    parser.feed(content)
    parser.close()
    lines = (
        " ".join(line.replace("\xa0", " ").split()) for line in "".join(parser.parts).split("\n")
    )
    return html.unescape("\n".join(line for line in lines if line))


def _message(reply: Reply) -> MessageActivityInput:
    return MessageActivityInput.model_validate(message_activity(reply))


def _plain(reply: Reply) -> str:
    """A reply as the plain sentence a dialog's message shows."""
    extra = " ".join(s.text for s in reply.sections if s.text)
    return f"{reply.headline} {extra}".strip()


def _form(card: dict[str, Any]) -> TaskModuleContinueResponse:
    return TaskModuleContinueResponse(
        value=CardTaskModuleTaskInfo(
            title=FORM_TITLE,
            width="medium",
            height="large",
            card=Attachment(content_type=CONTENT_TYPE, content=card),
        )
    )


def _entry(data: dict[str, Any]) -> FormEntry:
    def value(name: str) -> str | None:
        found = data.get(name)
        if found is None or isinstance(found, dict | list):
            return None
        return str(found)

    return FormEntry(**{name: value(name) for name in FORM_FIELDS})


def _prefill(entry: FormEntry) -> dict[str, str | int | None]:
    return {
        "ref": entry.recommendation,
        "audit_date": entry.audit_date,
        "audited": entry.audited,
        "compliant": entry.compliant,
        "note": entry.note,
    }


def _hidden(data: dict[str, Any]) -> dict[str, str]:
    return {k: str(data[k]) for k in ("via", "message_ref", "thread") if data.get(k)}


def register(app: App, deps: Deps) -> None:
    plan_forms = PlanForms(deps)

    # --- every activity ---------------------------------------------------------------

    async def every_activity(ctx: ActivityContext[ActivityBase]) -> None:
        activity = ctx.activity
        try:
            reference = deps.reference(activity)
            if installed(activity):
                await asyncio.to_thread(install, activity, reference)
            elif reference is not None and not deps.conversations.known(reference):
                await asyncio.to_thread(deps.save, reference)
        except Exception:
            deps.failed("saving a conversation reference")
        await ctx.next()

    # --- being added -----------------------------------------------------------------------

    def installed(activity: ActivityBase) -> bool:
        """Whether ``activity`` says the bot was just added to its conversation."""
        if activity.type == "installationUpdate":
            return getattr(activity, "action", None) == "add"
        if activity.type == "conversationUpdate":
            bot = activity.recipient.id if activity.recipient is not None else None
            added = getattr(activity, "members_added", None) or []
            return any(member.id == bot for member in added)
        return False

    def install(activity: ActivityBase, reference: Reference | None) -> None:
        """Welcome the conversation the bot was added to, once (blocking)."""
        place = deps.place(activity)
        with deps.installing:
            new = deps.conversations.find(place.conversation_id) is None
            if new:
                logger.info(log_line(place, deps.settings.teams_channel))
                greet(activity, place)
            if reference is not None:
                deps.save(reference)  # after the welcome: reminders queued now follow it

    def greet(activity: ActivityBase, place: Place) -> None:
        request = deps.request(
            activity, thread=None, via="welcome", message_ref=None, answer_in_conversation=True
        )
        try:
            if place.kind == PERSONAL:
                request = deps.request(
                    activity,
                    text="home",
                    thread=None,
                    via="direct message",
                    message_ref=None,
                    answer_in_conversation=True,
                )
                deps.app.handle(request)
            else:
                ctx = deps.app.context(request)
                service = ctx.queries.service(ctx.home_service()).name
                recipient = activity.recipient
                card = welcome(
                    place,
                    bot_name=(recipient.name if recipient is not None else None) or "YOS bot",
                    service=service,
                    reminder_channel=deps.settings.teams_channel,
                    auditors_listed=bool(deps.settings.auditors),
                )
                deps.app.queue_post(request, "welcome", card)
        except Exception:
            deps.failed("welcoming a new conversation")
            return
        deps.sender.wake()

    app.use(every_activity)

    # --- telling one person ---------------------------------------------------------------

    def tell(request: Request, reply: Reply) -> None:
        """Send ``reply`` to the asker alone, as the outbox would send a private reply."""
        delivery = Delivery(
            PRIVATE,
            Address(
                request.conversation,
                request.thread,
                user=request.user.id,
                service_url=request.service_url,
            ),
            reply=reply,
        )
        try:
            deps.transport.deliver(delivery)
        except (TransientError, PermanentError) as error:
            logger.warning("could not tell someone privately: %s", error)
        except Exception:
            deps.failed("telling someone privately")

    # --- messages ------------------------------------------------------------------------

    @app.on_message
    async def on_message(ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        if isinstance(activity.value, dict) and activity.value.get("action"):
            await asyncio.to_thread(pressed, activity, activity.value)
            return
        personal = deps.kind(activity) == PERSONAL
        if not personal and not activity.is_recipient_mentioned():
            return  # a channel or group chat message the bot was not asked about
        text = own_text(activity)
        request = deps.request(
            activity,
            text=text,
            thread=deps.thread(activity, own_root=True),
            via="direct message" if personal else "mention",
            answer_in_conversation=True,
        )
        if text.lower() in FORM_WORDS:
            await offer_form(ctx, request)
            return
        try:
            # Queued first, so it survives a crash; then sent from here, as an SDK app
            # answers, rather than waiting for the background sender's turn.
            await deps.sender.run_and_send(lambda: deps.app.handle(request), deps.transport)
        except Exception:
            await asyncio.to_thread(tell, request, deps.failed(f"a {request.via}"))
            return

    async def offer_form(ctx: ActivityContext[MessageActivity], request: Request) -> None:
        """Typed text cannot open a dialog in Teams: answer with the button that does."""
        if deps.app.may(request, Permission.RECORD):
            reply = Reply(
                title=FORM_TITLE,
                headline="Open the form to record a case-file audit result.",
                actions=(Action(ActionKind.AUDIT_FORM, "Record audit update", primary=True),),
            )
        else:
            reply = deps.app.context(request).refused("Recording audit updates is for auditors.")
        if not reply.ok:
            await asyncio.to_thread(tell, request, reply)
            return
        try:
            await ctx.send(_message(reply))
        except Exception as error:
            logger.warning("could not offer the audit form: %s", type(error).__name__)

    def pressed(activity: MessageActivity, value: dict[str, Any]) -> None:
        """A card button: share an answer or post the board report (blocking)."""
        action = str(value.get("action"))
        asker = deps.request(activity, thread=deps.thread(activity, own_root=False))
        try:
            conversation, thread = deps.post_to(activity)
            request = deps.request(
                activity,
                conversation=conversation,
                thread=thread,
                message_ref=None,
                via=action,
                service_url=deps.conversations.service_url(conversation) or activity.service_url,
            )
            if action == ActionKind.SHARE.value:
                if deps.kind(activity) == PERSONAL and not deps.settings.teams_channel:
                    outcome_reply: Reply | None = problem(
                        "Nowhere to share",
                        "There is no channel to share answers in: YOS_TEAMS_CHANNEL is not set.",
                    )
                else:
                    outcome = deps.app.share(
                        request, str(value.get("command") or ""), str(value.get("args") or "")
                    )
                    outcome_reply = None if outcome.reply.ok else outcome.reply
            elif action == ActionKind.POST_REPORT.value:
                outcome = deps.app.post_report(request, str(value.get("ref") or "") or None)
                outcome_reply = None if outcome.reply.ok else outcome.reply
            else:
                return  # a button this version does not know (or a form opened as a dialog)
        except Exception:
            outcome_reply = deps.failed(f"the {action} button")
        if outcome_reply is None:
            deps.sender.wake()
        else:
            tell(asker, outcome_reply)

    # --- the audit form as a dialog ----------------------------------------------------------

    def form_for(request: Request, **options: Any) -> dict[str, Any]:
        recs = deps.app.audit_form_choices(request)
        return form_card(recs, deps.app.today().isoformat(), **options)

    def refusal(request: Request) -> str | None:
        if deps.app.may(request, Permission.RECORD):
            return None
        return _plain(deps.app.context(request).refused("Recording audit updates is for auditors."))

    def dialog_request(activity: ActivityBase, data: dict[str, Any]) -> Request:
        return deps.request(
            activity,
            thread=data.get("thread") or deps.thread(activity, own_root=False),
            message_ref=data.get("message_ref") or None,
            via=str(data.get("via") or "dialog"),
        )

    def submit(activity: ActivityBase, data: dict[str, Any]) -> TaskModuleContinueResponse | str:
        """Record what was entered: the form again with what was wrong, or what to say."""
        request = dialog_request(activity, data)
        entry = _entry(data)
        hidden = _hidden(data)
        try:
            result = deps.app.submit_form(request, entry)
        except Exception:
            errors = {"note": deps.failed("the audit form").headline}
            return _form(form_for(request, prefill=_prefill(entry), errors=errors, hidden=hidden))
        if result.errors:
            card = form_for(request, prefill=_prefill(entry), errors=result.errors, hidden=hidden)
            return _form(card)
        assert result.outcome is not None
        if result.outcome.duplicate:
            return "That update was already recorded."
        deps.sender.wake()
        return result.outcome.reply.headline

    @app.on_dialog_open
    async def open_dialog(ctx: ActivityContext[TaskFetchInvokeActivity]) -> TaskModuleResponse:
        activity = ctx.activity
        data = activity.value.data if activity.value else None
        if isinstance(data, dict) and data.get("action") in OPENS:
            try:
                plan = await asyncio.to_thread(plan_forms.open, activity, data)
            except Exception:
                plan = deps.failed("opening a plan form").headline
            if isinstance(plan, str):
                return TaskModuleResponse(task=TaskModuleMessageResponse(value=plan))
            return TaskModuleResponse(task=plan)
        request = dialog_request(activity, {})

        def build() -> TaskModuleContinueResponse | str:
            refused = refusal(request)
            if refused:
                return refused
            hidden = {"via": "dialog", "thread": request.thread or ""}
            return _form(form_for(request, hidden={k: v for k, v in hidden.items() if v}))

        try:
            answer = await asyncio.to_thread(build)
        except Exception:
            answer = deps.failed("opening the audit form").headline
        if isinstance(answer, str):
            return TaskModuleResponse(task=TaskModuleMessageResponse(value=answer))
        return TaskModuleResponse(task=answer)

    @app.on_dialog_submit
    async def submitted(ctx: ActivityContext[TaskSubmitInvokeActivity]) -> TaskModuleResponse:
        data = ctx.activity.value.data if ctx.activity.value else None
        if isinstance(data, dict) and data.get("action") in SUBMITS:
            try:
                answer = await asyncio.to_thread(plan_forms.submit, ctx.activity, data)
            except Exception:
                answer = deps.failed("the plan form").headline
        elif not isinstance(data, dict) or data.get("action") != AUDIT_FORM_SUBMIT:
            return TaskModuleResponse(task=TaskModuleMessageResponse(value="Nothing to record."))
        else:
            answer = await asyncio.to_thread(submit, ctx.activity, data)
        if isinstance(answer, str):
            return TaskModuleResponse(task=TaskModuleMessageResponse(value=answer))
        return TaskModuleResponse(task=answer)

    # --- "Record as audit update" on a message -------------------------------------------------

    @app.on_message_ext_open
    async def from_message(
        ctx: ActivityContext[MessageExtensionFetchTaskInvokeActivity],
    ) -> MessagingExtensionActionResponse:
        activity = ctx.activity
        value = activity.value
        if value.command_id != RECORD_AUDIT_ACTION:
            return MessagingExtensionActionResponse(
                task=TaskModuleMessageResponse(value="This version of the bot has no such action.")
            )
        posted = value.message_payload
        text = ""
        if posted is not None and posted.body is not None and posted.body.content:
            text = html_text(posted.body.content, posted.body.content_type)
        message_id = posted.id if posted is not None else None
        thread = deps.thread(activity, own_root=False) or (
            (posted.reply_to_id or posted.id) if posted is not None else None
        )
        request = deps.request(
            activity, thread=thread, message_ref=message_id, via="message action"
        )

        def build() -> TaskModuleContinueResponse | str:
            refused = refusal(request)
            if refused:
                return refused
            hidden = {"via": "message action", "message_ref": message_id, "thread": thread}
            return _form(
                form_for(
                    request,
                    prefill=deps.app.prefill(text),
                    hidden={k: v for k, v in hidden.items() if v},
                )
            )

        try:
            answer = await asyncio.to_thread(build)
        except Exception:
            answer = deps.failed("opening the audit form from a message").headline
        if isinstance(answer, str):
            return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=answer))
        return MessagingExtensionActionResponse(task=answer)

    @app.on_message_ext_submit
    async def from_message_submitted(
        ctx: ActivityContext[MessageExtensionSubmitActionInvokeActivity],
    ) -> MessagingExtensionActionResponse:
        data = ctx.activity.value.data
        if not isinstance(data, dict) or data.get("action") != AUDIT_FORM_SUBMIT:
            return MessagingExtensionActionResponse(
                task=TaskModuleMessageResponse(value="Nothing to record.")
            )
        answer = await asyncio.to_thread(submit, ctx.activity, data)
        if isinstance(answer, str):
            return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=answer))
        return MessagingExtensionActionResponse(task=answer)

    # --- being removed ------------------------------------------------------------------

    @app.on_conversation_update
    async def on_conversation_update(ctx: ActivityContext[ConversationUpdateActivity]) -> None:
        activity = ctx.activity
        removed = {member.id for member in activity.members_removed or []}
        if activity.recipient is not None and activity.recipient.id in removed:
            await asyncio.to_thread(deps.conversations.forget, activity.conversation.id)

    @app.on_installation_update
    async def on_installation_update(ctx: ActivityContext[InstallUpdateActivity]) -> None:
        if ctx.activity.action == "remove":
            await asyncio.to_thread(deps.conversations.forget, ctx.activity.conversation.id)
