"""The application: one request in, one outcome out, and the outbox written alongside."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.app.forms import FormDesk, FormOpening, FormOutcome, form_asked_for
from bot.app.policy import Policy
from bot.app.refusals import WORDING, refusal_for, who_may_record
from bot.app.requests import Outcome, Platform, Request, Via
from bot.commands import Context, Permission, Registry, default_registry, dispatch, interpret
from bot.commands.dispatch import reply_key
from bot.commands.intent import Intent
from bot.domain.inspections.queries import InspectionQueries
from bot.domain.monitoring.audits import audit_by_delivery
from bot.domain.monitoring.reminders import WINDOW_ENDED, due_reminders
from bot.domain.plan.rag import RagRule
from bot.forms import FormKind, FormSpec, FormValues
from bot.mentions import checked
from bot.reply import Chart, Person, Reply, problem, to_json
from bot.store import StorePool, outbox, reminders, write_transaction
from bot.store.db import Store
from bot.store.deliveries import claim, claim_in_transaction, seen
from bot.store.outbox import CHART, MESSAGE, Address, OutboxKind

logger = logging.getLogger(__name__)

# What a shared answer to a command that can write is worked out with: no permission at all.
NOTHING_GRANTED: frozenset[Permission] = frozenset()

# Added to the answer to a write whose announcement is queued for the conversation.
ANNOUNCED = "It will be announced in this conversation."


class Application:
    """Answers requests from any platform over one store.

    ``today`` pins the date (YOS_TODAY); ``service`` is the default service.
    """

    def __init__(
        self,
        store: StorePool,
        policy: Policy,
        *,
        service: str | None = None,
        today: date | None = None,
        plan_rule: RagRule | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.store = store
        self.registry = registry or default_registry()  # every command, built once
        # What a post for a whole conversation may show (notes only by the setting).
        self.everyone_granted = frozenset(p for p in Permission if policy.allows_everyone(p))
        self.policy = policy
        self.service = service
        self.pinned_today = today
        self.plan_rule = plan_rule or RagRule()
        self.forms = FormDesk(self)

    # --- context -------------------------------------------------------------------------

    def today(self) -> date:
        return self.pinned_today or date.today()

    def context(self, request: Request, queries: InspectionQueries | None = None) -> Context:
        user = request.user
        if user.platform is None:
            user = replace(user, platform=request.platform.name)
        ctx = Context(
            queries=queries or InspectionQueries(self.store.db, self.service),
            today=self.today(),
            user=user,
            conversation=request.conversation,
            message_ref=request.message_ref,
            platform=request.platform.name,
            via=request.via,
            invocation=request.platform.invocation,
            admin_hint=request.platform.admin_hint,
            # Records remember the delivery they came from under the platform's name as
            # well, as deliveries are: two platforms may use the same IDs.
            delivery_key=f"{request.platform.name}:{_key(request)}",
            # Authorised here, once: the commands ask the answer, never the policy.
            allowed=self._granted(user).__contains__,
            everyone_allowed=self.everyone_granted.__contains__,
            refusal=WORDING,
            plan_rule=self.plan_rule,
        )
        # An answer posted in a channel is seen by everyone there: it shows what they may.
        return ctx.for_everyone() if _for_everyone(request) else ctx

    def who_may_record(self, request: Request) -> str:
        """Who may record updates here, for a welcome."""
        return who_may_record(not self.policy.anyone, request.platform.admin_hint)

    def _granted(self, user: Person) -> frozenset[Permission]:
        return frozenset(p for p in Permission if self.policy.allows(user, p))

    def may(self, request: Request, permission: Permission) -> bool:
        return self.policy.allows(request.user, permission)

    def refusal(self, request: Request, permission: Permission, command: str) -> Reply | None:
        """What the asker is told when ``permission`` is not theirs; None when it is."""
        if self.may(request, permission):
            return None
        return refusal_for(permission, command, request.platform.admin_hint)

    @staticmethod
    def form_asked_for(text: str) -> FormKind | None:
        """The form ``text`` asks for when typed on its own ("audit", "record audit")."""
        return form_asked_for(text)

    # --- answering -----------------------------------------------------------------------

    def handle(self, request: Request) -> Outcome:
        """Answer what was typed. A write and everything it causes commit together."""
        request, queries, service = self._asked(request)
        # What the text asks for depends on it and the inspection data alone: remembered.
        interpret_key = ("interpret", request.text, service)
        intent: Intent | None = queries.kept(interpret_key)
        if intent is None:
            begun = queries.mark()
            intent = interpret(request.text, queries, service, self.registry)
            queries.keep(interpret_key, intent, begun)
        found = intent.command
        kept = self._kept_reply(request, queries, intent)
        if kept is not None:
            # Asked before since the data last changed: the answer kept then, at once.
            return self._answered(request, kept)
        ctx = self.context(request, queries)
        if found is not None and found.writes:
            written = self._write(
                request,
                ctx,
                lambda: dispatch(request.text, ctx, intent, self.registry),
            )
            assert written is not None  # a command always answers
            return written
        # Interpreted once, not twice.
        reply = dispatch(request.text, ctx, intent, self.registry)
        return self._answered(request, reply)

    def known_answer(self, request: Request) -> Outcome | None:
        """What :meth:`handle` gives when the answer is already known, understood and
        answered the same way since the data last changed, and carries no chart: the
        answer queued, with nothing worked out. None when it is not known, and then nothing
        is written. For a front end served by an event loop, which answers a known question
        on the loop (in the store's ``without_waiting``) and leaves the rest to a thread."""
        request, queries, service = self._asked(request)
        intent: Intent | None = queries.kept(("interpret", request.text, service))
        kept = None if intent is None else self._kept_reply(request, queries, intent)
        if kept is None or kept.attachments:
            return None
        return self._answered(request, kept)

    def _asked(self, request: Request) -> tuple[Request, InspectionQueries, str | None]:
        """The request as answered (identified, its unvouched mentions only text), the
        queries to answer it with, and the service its conversation chose."""
        request = identified(request)
        # A mention the platform did not vouch for is only text.
        request = replace(request, text=checked(request.text, request.mentions))
        queries = InspectionQueries(self.store.db, self.service)
        return request, queries, queries.channel_service(request.conversation)

    def _kept_reply(
        self, request: Request, queries: InspectionQueries, intent: Intent
    ) -> Reply | None:
        """The answer kept for ``intent`` since the data last changed, if its command's
        answers may be kept and one was."""
        if intent.command is None or not intent.command.cacheable:
            return None
        kept = queries.kept(reply_key(intent, self.today(), request.platform.invocation))
        return kept if isinstance(kept, Reply) else None

    # --- forms (bot/app/forms.py) --------------------------------------------------------

    def open_form(
        self,
        request: Request,
        kind: FormKind,
        prefill_text: str | None = None,
        values: FormValues | None = None,
    ) -> FormOpening:
        """The form to show the asker, or what to tell them instead (``FormDesk.open``)."""
        return self.forms.open(request, kind, prefill_text, values)

    def form_refusal(self, request: Request, kind: FormKind) -> Reply | None:
        """What the asker is told if the form is not theirs to open; None when it is."""
        return self.forms.refusal(request, kind)

    def offer_form(self, request: Request, kind: FormKind) -> Outcome:
        """The answer to a form asked for in words where words cannot open one: the
        button that does, or the refusal; where there are no forms, what the form's
        command says typed on its own (how to type it)."""
        return self.forms.offer(request, kind)

    def submit_form(self, request: Request, kind: FormKind, values: FormValues) -> FormOutcome:
        """Take what was entered in a form: the problems to show in it (and nothing
        recorded), or the outcome, as for the command the form stands for."""
        return self.forms.submit(identified(request), kind, values)

    def form_again(
        self, request: Request, kind: FormKind, values: FormValues, errors: dict[str, str]
    ) -> FormSpec | None:
        """The form shown again with what was entered and what was wrong with it."""
        return self.forms.again(request, kind, values, errors)

    def share(self, request: Request, command: str, args: str) -> Outcome:
        """Post a read-only answer for everyone, attributed to the person who shared it."""
        request = identified(request)
        found = self.registry.find(command)
        nothing = Outcome(
            problem("Nothing to share", "Only answers to questions can be shared."), False
        )
        if found is None:
            return nothing
        ctx = self.context(request).for_everyone()  # shown to everyone: notes as they may
        if found.writes:
            # A command that can write (``rec``) is shared only in its read form: asked
            # with no permission at all, it cannot record anything, and any write it was
            # asked for comes back refused.
            ctx = replace(ctx, allowed=NOTHING_GRANTED.__contains__)
        reply = dispatch(f"{found.name} {args}".strip(), ctx, registry=self.registry)
        if found.writes and (not reply.ok or reply.announcement is not None):
            return nothing
        if not reply.ok:
            return Outcome(reply, False)
        shared = replace(reply, actions=(), shared_by=ctx.user)
        queued = self._queue_once(
            request,
            "share",
            OutboxKind.MESSAGE,
            Address(request.conversation, request.thread),
            shared,
        )
        return Outcome(shared, True, queued)

    def post_report(self, request: Request, ref: str | None) -> Outcome:
        """Post the board report, and then its chart, for everyone in the conversation."""
        request = identified(request)
        refused = self.refusal(request, Permission.POST_REPORT, "report")
        if refused is not None:
            return Outcome(refused, False)
        ctx = self.context(request).for_everyone()
        reply = dispatch(f"report {ref or ''}".strip(), ctx, registry=self.registry)
        if not reply.ok:
            return Outcome(reply, False)
        posted = replace(reply, actions=(), shared_by=ctx.user)
        queued = self._queue_once(
            request,
            "report",
            OutboxKind.MESSAGE,
            Address(request.conversation, request.thread),
            posted,
        )
        queued += self._queue_charts(request, reply, "report")
        return Outcome(posted, True, queued)

    def queue_post(self, request: Request, what: str, reply: Reply) -> int:
        """Queue ``reply`` (a welcome, say) for everyone in the request's conversation,
        once per delivery; the asker is told privately if it cannot be posted."""
        request = identified(request)
        address = Address(request.conversation, request.thread)
        return self._queue_once(request, what, OutboxKind.MESSAGE, address, reply)

    def service_name(self, request: Request) -> str:
        """The name of the service the request's conversation is about."""
        ctx = self.context(request)
        return ctx.queries.service(ctx.home_service()).name

    def dashboard(self, request: Request) -> Outcome:
        """The asker's dashboard (Slack's App Home, a Teams personal chat's welcome)."""
        return self.handle(replace(request, text="home"))

    def claim(self, request: Request, kind: str) -> bool:
        """Mark a delivery handled that writes nothing (opening a form); False if seen."""
        return claim(self.store.db, request.platform.name, _key(request), kind)

    # --- charts --------------------------------------------------------------------------

    def draw_chart(self, chart: Chart) -> tuple[bytes, str] | None:
        """The monitoring chart as a PNG, with its title; None when there is nothing to draw."""
        # Drawing loads what it needs (matplotlib, the chart's spec) here, not at start-up.
        from bot.commands.papers import chart_spec
        from bot.render.chart import render_chart

        ctx = Context(queries=InspectionQueries(self.store.db, self.service), today=self.today())
        spec = chart_spec(ctx, chart)
        if spec is None:
            return None
        return render_chart(spec), spec.title

    # --- reminders -----------------------------------------------------------------------

    def queue_reminders(
        self, platform: Platform, conversation: str, *, service_url: str | None = None
    ) -> list[str]:
        """Queue every reminder due today for ``conversation``'s service, once each."""
        request = Request(
            platform, conversation=conversation, via=Via.REMINDER, service_url=service_url
        )
        ctx = self.context(request)
        queued: list[str] = []
        address = Address(conversation, service_url=service_url)
        for reminder in due_reminders(
            self.store.db, ctx.queries, ctx.home_inspection(), ctx.today, platform.invocation
        ):
            key = f"reminder:{platform.name}:{reminder.key}"
            reply = Reply(title="Monitoring reminder", headline=reminder.text)
            with write_transaction(self.store.db) as db:
                if sent_before_outbox(db, reminder.key, conversation) or not outbox.add(
                    db,
                    key=key,
                    platform=platform.name,
                    kind=MESSAGE,
                    address=address,
                    body=to_json(reply),
                ):
                    continue
                reminders.claim(db, key, kind=reminder.kind, channel=conversation, on=ctx.today)
                if reminder.kind == WINDOW_ENDED:
                    report = dispatch(f"report {reminder.rec.ref}", ctx, registry=self.registry)
                    outbox.add(
                        db,
                        key=f"{key}:report",
                        platform=platform.name,
                        kind=MESSAGE,
                        address=address,
                        body=to_json(replace(report, actions=())),
                    )
                    if platform.charts:
                        outbox.add(
                            db,
                            key=f"{key}:chart",
                            platform=platform.name,
                            kind=CHART,
                            address=address,
                            body=json.dumps(
                                {"service_id": ctx.home_service(), "ref": reminder.rec.ref}
                            ),
                        )
            queued.append(reminder.key)
        # The improvement plan's: owners, the weekly digest, the board pack (bot/app/nudges.py).
        from bot.app.nudges import queue_plan_reminders

        queued += queue_plan_reminders(self, platform, conversation, service_url=service_url)
        return queued

    def due_reminder_texts(self, platform: Platform, conversation: str) -> list[str]:
        """What ``queue_reminders`` would queue now, without queuing it (a dry run)."""
        ctx = self.context(Request(platform, conversation=conversation, via=Via.REMINDER))
        due = due_reminders(
            self.store.db, ctx.queries, ctx.home_inspection(), ctx.today, platform.invocation
        )
        from bot.app.nudges import plan_reminder_texts

        return [
            r.text
            for r in due
            if not outbox_has(self.store, f"reminder:{platform.name}:{r.key}")
            and not sent_before_outbox(self.store.db, r.key, conversation)
        ] + plan_reminder_texts(self, platform, conversation)

    # --- inside ------------------------------------------------------------------------

    def _write(
        self, request: Request, ctx: Context, run: Callable[[], Reply | None]
    ) -> Outcome | None:
        """Run a write for ``request`` once: None, with nothing written, when ``run``
        finds nothing to record (a form with problems, to be sent again)."""
        key = _key(request)
        with write_transaction(self.store.db) as db:
            # The write lock is held from here: nobody else can claim it before we do.
            if seen(db, request.platform.name, key):
                logger.info("delivery %s already handled; not repeated", key)
                return Outcome(_already_done(db, ctx.delivery_key or key), False, duplicate=True)
            reply = run()
            if reply is None:
                return None
            claim_in_transaction(db, request.platform.name, key, request.via)
            if reply.duplicate:
                return Outcome(reply, False, duplicate=True)
            queued = 0
            if reply.announcement is not None and request.conversation:
                queued += int(
                    outbox.add(
                        db,
                        key=f"announce:{request.platform.name}:{key}",
                        platform=request.platform.name,
                        kind=OutboxKind.MESSAGE,
                        address=Address(
                            request.conversation, request.thread, service_url=request.service_url
                        ),
                        body=to_json(reply.announcement),
                        notify=Address(
                            request.conversation,
                            user=request.user.id,
                            service_url=request.service_url,
                        ),
                    )
                )
                reply = replace(
                    reply,
                    headline=f"{reply.headline} {ANNOUNCED}",
                )
            if request.answer_in_conversation:
                queued += self._queue_answer(db, request, reply)
        return Outcome(reply, reply.ok and not reply.private, queued)

    def _answered(self, request: Request, reply: Reply) -> Outcome:
        queued = 0
        if request.answer_in_conversation:
            with write_transaction(self.store.db) as db:
                queued += self._queue_answer(db, request, reply)
        if reply.ok and request.conversation:
            queued += self._queue_charts(request, reply, "chart")
        return Outcome(reply, reply.ok and not reply.private, queued)

    def _queue_answer(self, db: Store, request: Request, reply: Reply) -> int:
        """The answer itself, through the outbox: in the thread when it is for everyone,
        privately to the asker when it is a mistake or personal."""
        public = reply.ok and not reply.private
        address = Address(
            request.conversation,
            request.thread,
            user=None if public else request.user.id,
            service_url=request.service_url,
        )
        return int(
            outbox.add(
                db,
                key=f"answer:{request.platform.name}:{_key(request)}",
                platform=request.platform.name,
                kind=OutboxKind.MESSAGE if public else OutboxKind.PRIVATE,
                address=address,
                body=to_json(reply),
            )
        )

    def _queue_once(
        self, request: Request, what: str, kind: OutboxKind, address: Address, reply: Reply
    ) -> int:
        """Queue a post made for someone; they are told privately if it cannot be made."""
        with write_transaction(self.store.db) as db:
            return int(
                outbox.add(
                    db,
                    key=f"{what}:{request.platform.name}:{_key(request)}",
                    platform=request.platform.name,
                    kind=kind,
                    address=replace(address, service_url=request.service_url),
                    body=to_json(reply),
                    notify=Address(
                        request.conversation, user=request.user.id, service_url=request.service_url
                    ),
                )
            )

    def _queue_charts(self, request: Request, reply: Reply, what: str) -> int:
        """Each chart the reply carries, for the conversation when the asker may post
        there, else for the asker alone."""
        if not (reply.attachments and request.platform.charts):
            return 0
        everyone = self.may(request, Permission.POST_REPORT)
        address = Address(
            request.conversation if everyone else None,
            request.thread if everyone else None,
            user=None if everyone else request.user.id,
            service_url=request.service_url,
        )
        queued = 0
        with write_transaction(self.store.db) as db:
            for index, chart in enumerate(reply.attachments):
                queued += int(
                    outbox.add(
                        db,
                        key=f"{what}:{request.platform.name}:{_key(request)}:{index}",
                        platform=request.platform.name,
                        kind=OutboxKind.CHART,
                        address=address,
                        body=json.dumps(
                            {
                                "service_id": chart.service_id,
                                "ref": chart.ref,
                                "comment": reply.headline,
                            }
                        ),
                    )
                )
        return queued


def _already_done(db: Store, key: str) -> Reply:
    """What a repeated delivery is told: what the first one recorded, if anything."""
    audit = audit_by_delivery(db, key)
    headline = (
        f"Already recorded as audit update #{audit.id}." if audit else "That was already done."
    )
    return Reply(title="Already done", headline=headline, duplicate=True)


def identified(request: Request) -> Request:
    """The request with a delivery ID: the platform's, or a fresh one for front ends
    that have none (the console), so every key derived from it is stable."""
    if request.delivery_id:
        return request
    return replace(request, delivery_id=f"local:{uuid.uuid4().hex}")


def _for_everyone(request: Request) -> bool:
    """Whether the answer is posted for the whole conversation: a mention's or a
    reminder's, not a direct message's (seen by the asker alone)."""
    if request.via == Via.REMINDER:
        return True
    return request.answer_in_conversation and request.via != Via.DIRECT_MESSAGE


def _key(request: Request) -> str:
    return request.delivery_id or ""


def outbox_has(store: StorePool, key: str) -> bool:
    return outbox.has(store.db, key)


def sent_before_outbox(db: Store, reminder_key: str, conversation: str) -> bool:
    """Whether the reminder was sent to ``conversation`` before the outbox existed: those
    were remembered under the reminder's bare key (queued ones are keyed by platform)."""
    return reminders.sent_to(db, reminder_key, conversation)
