"""What the bot does with each kind of activity Teams sends.

* Every activity has passed :mod:`bot.teams.ingress` (a Bot Framework token endorsed
  for Teams, a well-formed activity, TEAMS_TENANT_ID, an Azure AD sender) and first
  has its conversation reference saved.
* Being added to a team, a group chat or a personal chat (conversationUpdate with the
  bot among ``membersAdded``, or installationUpdate ``add``) posts a welcome there and
  logs the conversation's ID (:mod:`bot.app.welcome`); a personal chat's welcome is
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

The application is synchronous (SQLite), so its calls run in a worker thread
(``asyncio.to_thread``), not on the server's event loop. The one exception is a question
whose answer is already known: that is queued on the loop, with a store that never waits
(:meth:`bot.app.Sender.run_and_send`), as a hand-over to a thread and back would cost more
than the answer.
"""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

from bot.app import (
    Address,
    Delivery,
    FormOutcome,
    OutboxKind,
    PermanentError,
    Request,
    TransientError,
    Via,
    defuse,
    mention,
)
from bot.app.buttons import nowhere_to_share, press
from bot.app.closing import closing_words
from bot.app.conversations import Reference
from bot.app.forms import ANSWERED_BY, OPENED_BY, problem_text
from bot.app.welcome import Place, greet, log_line
from bot.forms import FormKind, FormSpec
from bot.reply import ActionKind, Person, Reply
from bot.teams.cards import CONTENT_TYPE, clip, message_activity
from bot.teams.conversations import Member, People
from bot.teams.deps import Deps
from bot.teams.forms import KINDS, card, entered
from bot.teams.platform import PERSONAL, RECORD_AUDIT_ACTION, TEAMS, WELCOME
from bot.teams.sdk import (
    ActivityBase,
    ActivityContext,
    App,
    Attachment,
    CardTaskModuleTaskInfo,
    ConversationUpdateActivity,
    InstallUpdateActivity,
    MentionEntity,
    MessageActivity,
    MessageActivityInput,
    MessageExtensionFetchTaskInvokeActivity,
    MessageExtensionSubmitActionInvokeActivity,
    MessagingExtensionActionResponse,
    TaskFetchInvokeActivity,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleResponse,
    TaskSubmitInvokeActivity,
)

logger = logging.getLogger(__name__)

# The buttons that open a form as a dialog (task/fetch), and which.
OPENS: dict[str, FormKind] = {action.value: kind for kind, action in OPENED_BY.items()}
HIDDEN = ("via", "message_ref", "thread")  # what the audit form carries back
MAX_PROBLEM = 600

Answer = TaskModuleContinueResponse | str


def own_text(
    activity: MessageActivity, people: People | None = None
) -> tuple[str, tuple[Person, ...]]:
    """The message on one line, without the bot's own @mentions, and with each person it
    mentions as a neutral mention (listed too). A mention Teams names no person for (no
    Entra object ID, and not one the bot has heard from) is left as Teams wrote it."""
    text = defuse(activity.text or "")
    bot = activity.recipient.id if activity.recipient is not None else None
    found: dict[str, Person] = {}
    for entity in activity.entities or []:
        if not isinstance(entity, MentionEntity):
            continue
        account = entity.mentioned
        shown = entity.text or f"<at>{account.name or ''}</at>"
        if account.id == bot:
            text = text.replace(shown, " ")
            continue
        object_id = (account.aad_object_id or "").lower() or (
            people.object_id(account.id) if people is not None and account.id else None
        )
        if not object_id:
            continue  # only a name: it stays as Teams wrote it
        if people is not None and account.id:
            people.remember(object_id, Member(account.id, account.name))
        person = found.setdefault(object_id, Person(object_id, account.name, TEAMS.name))
        text = text.replace(shown, mention(person), 1)
    return " ".join(text.replace("\xa0", " ").split()), tuple(found.values())


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


def plain(reply: Reply) -> str:
    """A reply as the one line a dialog's message shows."""
    return clip(problem_text(reply), MAX_PROBLEM)


def _dialog(spec: FormSpec, hidden: dict[str, str] | None = None) -> TaskModuleContinueResponse:
    errors = {name: clip(text, MAX_PROBLEM) for name, text in spec.errors.items()}
    shown = replace(spec, errors=errors)
    return TaskModuleContinueResponse(
        value=CardTaskModuleTaskInfo(
            title=spec.title,
            width="medium",
            height="large",
            card=Attachment(content_type=CONTENT_TYPE, content=card(shown, hidden)),
        )
    )


def register(app: App, deps: Deps) -> None:
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
                logger.info(log_line(place, deps.settings.teams_channel, WELCOME))
                welcome(activity, place)
            if reference is not None:
                deps.save(reference)  # after the welcome: reminders queued now follow it

    def welcome(activity: ActivityBase, place: Place) -> None:
        recipient = activity.recipient
        try:
            greet(
                deps.app,
                deps.request(
                    activity,
                    thread=None,
                    via=Via.WELCOME,
                    message_ref=None,
                    answer_in_conversation=True,
                ),
                place,
                WELCOME,
                bot_name=(recipient.name if recipient is not None else None) or "YOS bot",
                reminder_channel=deps.settings.teams_channel,
            )
        except Exception:
            deps.failed("welcoming a new conversation")
            return
        deps.sender.wake()

    app.use(every_activity)

    # --- telling one person ---------------------------------------------------------------

    def tell(request: Request, reply: Reply) -> None:
        """Send ``reply`` to the asker alone, as the outbox would send a private reply."""
        delivery = Delivery(
            OutboxKind.PRIVATE,
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
        text, mentions = own_text(activity, deps.people)
        request = deps.request(
            activity,
            text=text,
            thread=deps.thread(activity, own_root=True),
            via=Via.DIRECT_MESSAGE if personal else Via.MENTION,
            answer_in_conversation=True,
            mentions=mentions,
        )
        form = deps.app.form_asked_for(text)
        if form is not None:
            await offer_form(ctx, request, form)
            return
        try:
            # Queued first, so it survives a crash; then sent from here, as an SDK app
            # answers, rather than waiting for the background sender's turn. A known
            # answer is queued on the loop, anything else in a worker thread.
            await deps.sender.run_and_send(
                lambda: deps.app.handle(request),
                deps.transport,
                at_once=lambda: deps.app.known_answer(request),
            )
        except Exception:
            await asyncio.to_thread(tell, request, deps.failed(f"a {request.via}"))
            return

    async def offer_form(
        ctx: ActivityContext[MessageActivity], request: Request, form: FormKind
    ) -> None:
        """Typed text cannot open a dialog in Teams: answer with the button that does."""
        try:
            reply = (await asyncio.to_thread(deps.app.offer_form, request, form)).reply
        except Exception:
            reply = deps.failed("offering the form")
        if not reply.ok:
            await asyncio.to_thread(tell, request, reply)
            return
        try:
            await ctx.send(_message(reply))
        except Exception as error:
            logger.warning("could not offer the form: %s", type(error).__name__)

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
                via=Via.of(action, Via.FORM),
                service_url=deps.conversations.service_url(conversation) or activity.service_url,
            )
            personal = deps.kind(activity) == PERSONAL
            if action == ActionKind.SHARE.value and personal and not deps.settings.teams_channel:
                outcome_reply: Reply | None = nowhere_to_share("YOS_TEAMS_CHANNEL")
            else:
                outcome = press(deps.app, request, action, value)
                if outcome is None:
                    return  # a button this version does not know (or a form opened as a dialog)
                outcome_reply = None if outcome.reply.ok else outcome.reply
        except Exception:
            outcome_reply = deps.failed(f"the {action} button")
        if outcome_reply is None:
            deps.sender.wake()
        else:
            tell(asker, outcome_reply)

    # --- forms as dialogs ------------------------------------------------------------------

    def form_request(activity: ActivityBase, kind: FormKind, data: dict[str, Any]) -> Request:
        """Whom and where a dialog is for. The audit form records in the conversation it
        was opened from (linked to a message, when opened from one); the plan's forms
        announce where a post "for everyone" goes from here (YOS_TEAMS_CHANNEL, from a
        personal chat)."""
        if kind is FormKind.AUDIT:
            return deps.request(
                activity,
                thread=data.get("thread") or deps.thread(activity, own_root=False),
                message_ref=data.get("message_ref") or None,
                via=Via.of(data.get("via"), Via.DIALOG),
            )
        conversation, thread = deps.post_to(activity)
        return deps.request(
            activity,
            conversation=conversation,
            thread=thread,
            message_ref=None,
            via=Via.DIALOG,
            service_url=deps.conversations.service_url(conversation) or activity.service_url,
        )

    def opened(
        request: Request,
        kind: FormKind,
        hidden: dict[str, str],
        prefill_text: str | None = None,
        values: dict[str, str | None] | None = None,
    ) -> Answer:
        opening = deps.app.open_form(request, kind, prefill_text, values)
        if isinstance(opening, FormSpec):
            return _dialog(opening, {k: v for k, v in hidden.items() if v})
        return plain(opening)

    def elsewhere(activity: ActivityBase, request: Request) -> bool:
        """Whether a record is announced where the asker is not: YOS_TEAMS_CHANNEL, for
        a form submitted in a personal chat."""
        channel = deps.settings.teams_channel
        return deps.kind(activity) == PERSONAL and bool(channel) and request.conversation == channel

    def submit(activity: ActivityBase, data: dict[str, Any]) -> Answer:
        """Take what was entered: the dialog again with what was wrong, or what to say."""
        kind = KINDS[str(data.get("action"))]
        request = form_request(activity, kind, data)
        values = entered(data)
        hidden = {k: str(data[k]) for k in HIDDEN if kind is FormKind.AUDIT and data.get(k)}
        try:
            result = deps.app.submit_form(request, kind, values)
        except Exception:
            errors = {ANSWERED_BY[kind]: deps.failed("the form").headline}
            result = FormOutcome(errors, None, deps.app.form_again(request, kind, values, errors))
        if result.outcome is None and result.form is not None:
            return _dialog(result.form, hidden)
        if result.outcome is not None and not result.outcome.duplicate:
            deps.sender.wake()
        return closing_words(result, kind, announced_elsewhere=elsewhere(activity, request))

    @app.on_dialog_open
    async def open_dialog(ctx: ActivityContext[TaskFetchInvokeActivity]) -> TaskModuleResponse:
        activity = ctx.activity
        data = activity.value.data if activity.value else None
        data = data if isinstance(data, dict) else {}
        kind = OPENS.get(str(data.get("action")), FormKind.AUDIT)
        request = form_request(activity, kind, {})
        chosen = data.get("ref") if kind is FormKind.PROGRESS else None
        hidden = {"via": Via.DIALOG.value, "thread": request.thread or ""}
        try:
            answer = await asyncio.to_thread(
                opened,
                request,
                kind,
                hidden if kind is FormKind.AUDIT else {},
                None,
                {"action": chosen} if isinstance(chosen, str) else None,
            )
        except Exception:
            answer = deps.failed("opening a form").headline
        if isinstance(answer, str):
            return TaskModuleResponse(task=TaskModuleMessageResponse(value=answer))
        return TaskModuleResponse(task=answer)

    @app.on_dialog_submit
    async def submitted(ctx: ActivityContext[TaskSubmitInvokeActivity]) -> TaskModuleResponse:
        data = ctx.activity.value.data if ctx.activity.value else None
        if not isinstance(data, dict) or data.get("action") not in KINDS:
            return TaskModuleResponse(task=TaskModuleMessageResponse(value="Nothing to record."))
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
            activity, thread=thread, message_ref=message_id, via=Via.MESSAGE_ACTION
        )
        hidden = {
            "via": Via.MESSAGE_ACTION.value,
            "message_ref": message_id or "",
            "thread": thread or "",
        }
        try:
            answer = await asyncio.to_thread(opened, request, FormKind.AUDIT, hidden, text)
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
        if not isinstance(data, dict) or KINDS.get(str(data.get("action"))) is not FormKind.AUDIT:
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
